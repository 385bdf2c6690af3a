"""Reference tables for demo data: names, places, industries, companies, products, preferences, alerts.

Plain constants only; the seeded generators in `generators` and `ledger` draw from them.
Companies are fictional. Mobile numbers use real Chinese prefixes with random subscriber digits.
"""
from __future__ import annotations

# --- properties and staff -----------------------------------------------------------------------------------

HOTEL_GROUP = {"name_zh": "礼宾酒店集团", "name_en": "Concierge Hotels Group"}

PROPERTIES = [
    {
        "code": "SHA", "name_zh": "上海外滩礼宾酒店", "name_en": "Concierge Shanghai The Bund", "city": "上海",
        "phone": "+862163218888", "email": "sha@concierge-hotels.example",
        "address": "上海市黄浦区中山东一路 18 号", "base_adr": 1450, "floors": 28,
        "views": ["江景", "外滩景观", "城市景观"],
    },
    {
        "code": "HGH", "name_zh": "杭州西湖礼宾酒店", "name_en": "Concierge Hangzhou West Lake", "city": "杭州",
        "phone": "+8657187978888", "email": "hgh@concierge-hotels.example",
        "address": "杭州市西湖区北山街 88 号", "base_adr": 1180, "floors": 6,
        "views": ["湖景", "园景", "山景"],
    },
    {
        "code": "SZX", "name_zh": "深圳湾礼宾酒店", "name_en": "Concierge Shenzhen Bay", "city": "深圳",
        "phone": "+8675586688888", "email": "szx@concierge-hotels.example",
        "address": "深圳市南山区望海路 1188 号", "base_adr": 1050, "floors": 35,
        "views": ["海景", "城市景观", "高尔夫球场景观"],
    },
]
# Where guests "belong" (their first property): Shanghai is the flagship.
HOME_PROPERTY_WEIGHTS = [0.45, 0.30, 0.25]

DEMO_PASSWORD = "concierge-demo"

# username, role, property codes, display name, superuser/staff. The first six are the published demo logins.
STAFF = [
    ("admin", "admin", [], "系统管理员", True),
    ("frontdesk", "front_desk", ["SHA"], "王芳", False),
    ("service", "service_agent", ["SHA"], "李娜", False),
    ("sales", "sales_rep", ["SHA", "HGH"], "陈强", False),
    ("marketing", "marketing", [], "刘洋", False),
    ("manager", "manager", [], "张敏", False),
    ("quality", "quality", ["SHA", "HGH", "SZX"], "周静", False),
    ("salesmgr", "sales_manager", ["SHA", "HGH", "SZX"], "赵磊", False),
    ("frontdesk_hgh", "front_desk", ["HGH"], "孙婷", False),
    ("frontdesk_szx", "front_desk", ["SZX"], "何俊杰", False),
    ("sales_szx", "sales_rep", ["SZX"], "黄俊", False),
]

# --- Chinese names ------------------------------------------------------------------------------------------

# Family names with rough frequencies (per cent of the population), including heteronym surnames whose
# pypinyin default reading is wrong and compound surnames.
SURNAMES: list[tuple[str, float]] = [
    ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 4.6), ("杨", 3.1), ("黄", 2.1), ("赵", 2.0),
    ("吴", 1.9), ("周", 1.9), ("徐", 1.4), ("孙", 1.3), ("马", 1.2), ("朱", 1.1), ("胡", 1.1), ("郭", 1.0),
    ("何", 0.9), ("林", 0.9), ("高", 0.9), ("罗", 0.9), ("郑", 0.8), ("梁", 0.8), ("谢", 0.7), ("宋", 0.6),
    ("唐", 0.6), ("许", 0.6), ("韩", 0.6), ("冯", 0.6), ("邓", 0.5), ("曹", 0.5), ("彭", 0.5), ("曾", 0.5),
    ("肖", 0.5), ("田", 0.4), ("董", 0.4), ("潘", 0.4), ("袁", 0.4), ("蔡", 0.4), ("蒋", 0.4), ("余", 0.4),
    ("于", 0.4), ("杜", 0.4), ("叶", 0.4), ("程", 0.4), ("魏", 0.3), ("苏", 0.3), ("吕", 0.3), ("丁", 0.3),
    ("任", 0.3), ("卢", 0.3), ("姚", 0.3), ("沈", 0.3), ("钟", 0.3), ("姜", 0.3), ("崔", 0.3), ("谭", 0.3),
    ("陆", 0.3), ("范", 0.2), ("汪", 0.2), ("廖", 0.2), ("石", 0.2), ("金", 0.2), ("韦", 0.2), ("贾", 0.2),
    ("夏", 0.2), ("付", 0.2), ("方", 0.2), ("邹", 0.2), ("熊", 0.2), ("白", 0.2), ("孟", 0.2), ("秦", 0.2),
    ("邱", 0.2), ("侯", 0.2), ("江", 0.2), ("尹", 0.2), ("薛", 0.2), ("段", 0.2), ("雷", 0.2), ("龙", 0.2),
    ("史", 0.1), ("陶", 0.1), ("贺", 0.1), ("毛", 0.1), ("郝", 0.1), ("顾", 0.1), ("龚", 0.1), ("邵", 0.1),
    ("万", 0.1), ("钱", 0.1), ("严", 0.1), ("孔", 0.1), ("汤", 0.1), ("康", 0.1), ("易", 0.1), ("乔", 0.1),
    ("文", 0.1), ("单", 0.08), ("解", 0.06), ("区", 0.04), ("仇", 0.05), ("朴", 0.05), ("查", 0.04),
    ("欧阳", 0.06), ("司马", 0.02), ("诸葛", 0.01), ("上官", 0.01), ("东方", 0.01),
]

# How people say (and type) surnames whose common-word reading differs: 曾 is zeng, not ceng.
SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao", "查": "zha", "吕": "lv",
}
# Passport spelling where it differs from plain pinyin (ü is written YU on PRC passports since 2012).
SURNAME_PASSPORT = {"吕": "LYU"}

GIVEN_SINGLE = {
    "M": list("伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁浩凯健俊帆帅旭宇晨阳亮"),
    "F": list("芳娜敏静丽艳娟霞秀燕玲桂丹萍红雪琳洁婷颖倩慧莉琴云"),
}
GIVEN_FIRST = {
    "M": list("志建国文子浩宇俊家明海永晓一天嘉立振思博"),
    "F": list("美晓秀丽雨欣思佳梓诗雅婉静若可紫梦海慧子"),
}
GIVEN_SECOND = {
    "M": list("强华明伟军平杰轩然豪宇鹏远辉涛峰博成龙航"),
    "F": list("玲燕英华萱怡琪涵婷雯琳洁霞兰珍颖悦彤妍然"),
}

# --- places -------------------------------------------------------------------------------------------------

# province, city, 6-digit administrative code used in resident IDs, weight.
CITIES: list[tuple[str, str, str, float]] = [
    ("上海", "上海", "310104", 9), ("上海", "上海", "310115", 6), ("北京", "北京", "110105", 8),
    ("北京", "北京", "110108", 5), ("浙江", "杭州", "330106", 7), ("浙江", "宁波", "330203", 3),
    ("浙江", "温州", "330302", 2), ("江苏", "南京", "320106", 4), ("江苏", "苏州", "320508", 4),
    ("江苏", "无锡", "320211", 2), ("广东", "广州", "440106", 6), ("广东", "深圳", "440305", 7),
    ("广东", "东莞", "441900", 2), ("广东", "佛山", "440604", 2), ("四川", "成都", "510107", 4),
    ("湖北", "武汉", "420106", 3), ("陕西", "西安", "610113", 3), ("山东", "青岛", "370202", 3),
    ("山东", "济南", "370102", 2), ("福建", "厦门", "350203", 3), ("福建", "福州", "350102", 2),
    ("天津", "天津", "120101", 2), ("重庆", "重庆", "500103", 3), ("湖南", "长沙", "430103", 3),
    ("河南", "郑州", "410105", 2), ("辽宁", "沈阳", "210102", 2), ("辽宁", "大连", "210202", 2),
    ("安徽", "合肥", "340103", 2), ("云南", "昆明", "530102", 1), ("黑龙江", "哈尔滨", "230102", 1),
    ("河北", "石家庄", "130102", 1), ("山西", "太原", "140105", 1), ("内蒙古", "呼和浩特", "150102", 1),
    ("广西", "南宁", "450103", 1), ("江西", "南昌", "360102", 1), ("贵州", "贵阳", "520102", 1),
    ("新疆", "乌鲁木齐", "650102", 0.5), ("海南", "海口", "460106", 0.5),
]

# Chinese mobile prefixes (China Mobile, Unicom, Telecom, Broadnet).
MOBILE_PREFIXES = [
    "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159", "182", "183",
    "187", "188", "198", "130", "131", "132", "155", "156", "166", "185", "186", "133", "153", "173", "177",
    "180", "181", "189", "199", "192",
]
EMAIL_DOMAINS_CN = ["163.com", "126.com", "qq.com", "sina.com", "139.com", "foxmail.com", "outlook.com", "gmail.com"]

# --- foreign guests -----------------------------------------------------------------------------------------

# nationality: (family names, male given, female given, email domains, weight)
FOREIGN: dict[str, tuple[list[str], list[str], list[str], list[str], float]] = {
    "JP": (["Tanaka", "Sato", "Suzuki", "Takahashi", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato",
            "Yoshida", "Yamada", "Sasaki", "Yamaguchi", "Matsumoto", "Inoue", "Kimura", "Hayashi", "Shimizu", "Mori"],
           ["Hiroshi", "Kenji", "Takeshi", "Haruto", "Daisuke", "Sho", "Ren", "Takumi", "Kazuki", "Yuto", "Ryota",
            "Satoshi"],
           ["Yuki", "Akiko", "Yumi", "Sakura", "Naoko", "Aoi", "Hina", "Mei", "Emi", "Kaori", "Misaki", "Rin"],
           ["gmail.com", "yahoo.co.jp", "docomo.ne.jp"], 4),
    "KR": (["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh", "Seo", "Shin"],
           ["Min-jun", "Ji-hoon", "Dong-hyun", "Seo-jun", "Do-yoon", "Ha-joon", "Joon-ho", "Sung-min", "Tae-yang"],
           ["Seo-yeon", "Ha-eun", "Soo-jin", "Ji-woo", "Min-seo", "Ye-jin", "Su-bin", "Ji-yeon", "Hye-jin"],
           ["naver.com", "gmail.com", "daum.net"], 3),
    "US": (["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Garcia", "Rodriguez", "Martinez",
            "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "White", "Harris", "Clark", "Lewis", "Walker"],
           ["James", "Michael", "David", "Robert", "Daniel", "John", "William", "Matthew", "Andrew", "Ryan",
            "Kevin", "Brian"],
           ["Mary", "Jennifer", "Linda", "Emily", "Sarah", "Jessica", "Ashley", "Laura", "Rachel", "Megan",
            "Nicole", "Amanda"],
           ["gmail.com", "outlook.com", "icloud.com"], 3),
    "GB": (["Taylor", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Hughes", "Davies", "Johnson",
            "Green", "Hall", "Wood", "Clarke", "Jackson", "Turner"],
           ["Oliver", "Harry", "George", "Jack", "Charlie", "Thomas", "James", "William", "Alfie", "Henry"],
           ["Charlotte", "Amelia", "Sophie", "Emma", "Olivia", "Isla", "Grace", "Lily", "Freya", "Poppy"],
           ["gmail.com", "btinternet.com", "outlook.com"], 2),
    "DE": (["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
            "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf"],
           ["Lukas", "Jonas", "Maximilian", "Felix", "Leon", "Paul", "Elias", "Moritz", "Tobias", "Jan"],
           ["Anna", "Lena", "Sophie", "Hannah", "Marie", "Laura", "Julia", "Lea", "Katharina", "Mia"],
           ["gmx.de", "web.de", "t-online.de"], 2),
    "FR": (["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Leroy", "Moreau", "Simon",
            "Laurent", "Lefebvre", "Michel", "Garcia", "Fournier", "Girard"],
           ["Louis", "Hugo", "Jules", "Théo", "Lucas", "Gabriel", "Arthur", "Nathan", "Raphaël", "Antoine"],
           ["Camille", "Léa", "Chloé", "Manon", "Emma", "Inès", "Juliette", "Louise", "Sarah", "Zoé"],
           ["orange.fr", "free.fr", "gmail.com"], 1.5),
    "SG": (["Tan", "Lim", "Lee", "Ng", "Ong", "Wong", "Goh", "Chua"],
           ["Jun Jie", "Wei Ming", "Kai Wen", "Zhi Hao"], ["Wei Ling", "Hui Min", "Xin Yi", "Jia Hui"],
           ["singnet.com.sg", "gmail.com", "hotmail.com"], 2),
}
# Singaporean Chinese often carry a dialect spelling beside the hanzi: TAN = 陈, LIM = 林, ...
SG_HANZI = {"Tan": "陈", "Lim": "林", "Lee": "李", "Ng": "黄", "Ong": "王", "Wong": "黄", "Goh": "吴", "Chua": "蔡"}
SG_GIVEN_HANZI = {"Jun Jie": "俊杰", "Wei Ming": "伟明", "Kai Wen": "凯文", "Zhi Hao": "志豪",
                  "Wei Ling": "慧玲", "Hui Min": "慧敏", "Xin Yi": "欣怡", "Jia Hui": "佳慧"}
FOREIGN_CITIES = {
    "JP": ("Tokyo", "東京都"), "KR": ("Seoul", "Seoul"), "US": ("San Francisco", "CA"), "GB": ("London", "England"),
    "DE": ("München", "Bayern"), "FR": ("Paris", "Île-de-France"), "SG": ("Singapore", "Singapore"),
}
# country calling code, national mobile number pattern ("#" = random digit).
FOREIGN_MOBILES = {
    "JP": ("81", "90########"), "KR": ("82", "10########"), "US": ("1", "415555####"),
    "GB": ("44", "7700900###"), "DE": ("49", "151########"), "FR": ("33", "6########"), "SG": ("65", "9#######"),
}

# --- customer records ---------------------------------------------------------------------------------------

TIERS = [("", 70), ("金卡", 15), ("白金卡", 9), ("钻石卡", 4), ("集团VIP", 2)]
SOURCE_CHANNELS = [
    ("direct", 20), ("website", 12), ("ota", 25), ("travel_agency", 8), ("corporate", 15), ("walk_in", 4),
    ("wechat", 10), ("referral", 3), ("event", 3),
]
TAGS = ["VIP", "常客", "商务", "高尔夫", "亲子", "长住", "美食爱好者", "会议组织者", "蜜月", "媒体", "Repeat guest"]
UNSUITABLE_REASONS = [
    "多次损坏客房设施，拒绝赔偿",
    "2024 年入住产生的挂账至今未结清",
    "对员工有骚扰行为，经总经理批准列入不宜接待名单",
    "Repeated chargebacks on prepaid stays",
]
LOST_REASONS = [
    "公司差旅政策改为竞争对手酒店协议价",
    "客人已移居海外",
    "投诉噪音问题未妥善处理后不再入住",
    "Moved to a competitor's loyalty programme",
]
CONSENT_SOURCES = ["入住登记卡", "官网注册", "微信小程序", "Registration card", "OTA booking form"]

INDUSTRIES = [
    ("mining", "矿业", "Mining"),
    ("real-estate", "房地产", "Real estate"),
    ("logistics", "物流", "Logistics"),
    ("building-materials", "建材", "Building materials"),
    ("construction-machinery", "工程机械", "Construction machinery"),
    ("pharmaceuticals", "医药", "Pharmaceuticals"),
    ("education", "教育", "Education"),
    ("telecom", "电信", "Telecommunications"),
    ("government", "政府及事业单位", "Government & public institutions"),
    ("finance", "金融", "Finance"),
    ("it", "信息技术", "Information technology"),
    ("manufacturing", "制造业", "Manufacturing"),
    ("travel-agency", "旅行社", "Travel agency"),
]

# name_zh, name_en, industry code, province, city, payment method, contact frequency (days), channel.
COMPANIES: list[tuple[str, str, str, str, str, str, int | None, str]] = [
    ("华东矿业集团有限公司", "East China Mining Group", "mining", "安徽", "合肥", "city_ledger", 60, "corporate"),
    ("西部稀有金属股份有限公司", "Western Rare Metals Co., Ltd.", "mining", "陕西", "西安", "cash", 90, "corporate"),
    ("滨江置业有限公司", "Binjiang Properties Ltd.", "real-estate", "浙江", "杭州", "city_ledger", 30, "corporate"),
    ("南海湾地产开发有限公司", "South Bay Real Estate Development", "real-estate", "广东", "深圳", "city_ledger", 30,
     "corporate"),
    ("顺达物流股份有限公司", "Shunda Logistics Co., Ltd.", "logistics", "上海", "上海", "city_ledger", 45, "corporate"),
    ("长风供应链管理有限公司", "Changfeng Supply Chain Management", "logistics", "江苏", "苏州", "cash", 60, "corporate"),
    ("恒固建材集团", "Henggu Building Materials Group", "building-materials", "山东", "济南", "city_ledger", 60,
     "corporate"),
    ("蓝石新型材料有限公司", "Bluestone Advanced Materials", "building-materials", "福建", "厦门", "cash", None,
     "corporate"),
    ("中联重装机械有限公司", "Zhonglian Heavy Machinery", "construction-machinery", "湖南", "长沙", "city_ledger", 30,
     "corporate"),
    ("徐工智能装备有限公司", "Xu Intelligent Equipment Co.", "construction-machinery", "江苏", "无锡", "cash", 90,
     "corporate"),
    ("康泰生物医药股份有限公司", "Kangtai Biopharma Co., Ltd.", "pharmaceuticals", "上海", "上海", "city_ledger", 30,
     "corporate"),
    ("仁和医药科技有限公司", "Renhe Pharmaceutical Technology", "pharmaceuticals", "浙江", "杭州", "city_ledger", 45,
     "corporate"),
    ("华夏国际教育集团", "Huaxia International Education Group", "education", "北京", "北京", "prepaid", 90, "corporate"),
    ("之江大学继续教育学院", "Zhijiang University School of Continuing Education", "education", "浙江", "杭州",
     "voucher", None, "direct"),
    ("东方通信技术有限公司", "Oriental Telecom Technology", "telecom", "广东", "深圳", "city_ledger", 30, "corporate"),
    ("信联网络服务有限公司", "Xinlian Network Services", "telecom", "四川", "成都", "cash", 60, "corporate"),
    ("浙江省商务厅外事处", "Zhejiang Dept. of Commerce, Foreign Affairs Office", "government", "浙江", "杭州",
     "city_ledger", 30, "direct"),
    ("上海市会展促进中心", "Shanghai Convention Promotion Centre", "government", "上海", "上海", "city_ledger", 60,
     "direct"),
    ("鼎盛证券股份有限公司", "Dingsheng Securities Co., Ltd.", "finance", "上海", "上海", "city_ledger", 30, "corporate"),
    ("前海融通资本管理有限公司", "Qianhai Rongtong Capital", "finance", "广东", "深圳", "city_ledger", 30, "corporate"),
    ("江南商业银行", "Jiangnan Commercial Bank", "finance", "江苏", "南京", "city_ledger", 45, "corporate"),
    ("云帆软件科技有限公司", "Yunfan Software Technology", "it", "浙江", "杭州", "city_ledger", 30, "corporate"),
    ("深蓝数据科技有限公司", "DeepBlue Data Technology", "it", "广东", "深圳", "cash", 45, "corporate"),
    ("星图智能科技股份有限公司", "Startu AI Technology", "it", "北京", "北京", "city_ledger", 30, "corporate"),
    ("精工汽车零部件有限公司", "Jinggong Auto Parts Co., Ltd.", "manufacturing", "浙江", "宁波", "city_ledger", 60,
     "corporate"),
    ("华南电子制造有限公司", "South China Electronics Manufacturing", "manufacturing", "广东", "东莞", "city_ledger",
     45, "corporate"),
    ("龙腾家电集团", "Longteng Home Appliances Group", "manufacturing", "广东", "佛山", "cash", 90, "corporate"),
    ("春秋假日国际旅行社", "Spring Holiday International Travel Service", "travel-agency", "上海", "上海", "prepaid",
     30, "travel_agency"),
    ("神州国旅商务会展有限公司", "Shenzhou MICE & Travel", "travel-agency", "北京", "北京", "prepaid", 30,
     "travel_agency"),
    ("港湾假期旅行社有限公司", "Harbour Holidays Travel Agency", "travel-agency", "广东", "广州", "voucher", 45,
     "travel_agency"),
    ("Müller Maschinenbau GmbH", "Müller Maschinenbau GmbH", "manufacturing", "Bayern", "München", "city_ledger", 90,
     "corporate"),
    ("三和商事株式会社", "Sanwa Trading Co., Ltd.", "logistics", "東京都", "Tokyo", "cash", 90, "corporate"),
    ("Pacific Rim Capital Pte. Ltd.", "Pacific Rim Capital Pte. Ltd.", "finance", "Singapore", "Singapore",
     "city_ledger", 60, "corporate"),
    ("宏图建设工程有限公司", "Hongtu Construction Engineering", "real-estate", "湖北", "武汉", "cash", None,
     "corporate"),
    ("瑞康医疗器械有限公司", "Ruikang Medical Devices", "pharmaceuticals", "江苏", "南京", "cash", 60, "corporate"),
    ("天工新材料研究院", "Tiangong Institute of New Materials", "education", "上海", "上海", "city_ledger", 90,
     "direct"),
]
FOREIGN_COMPANY_COUNTRY = {"München": "DE", "Tokyo": "JP", "Singapore": "SG"}

POSITIONS = [
    ("行政经理", "Admin Manager"), ("差旅经理", "Travel Manager"), ("总经理助理", "Assistant to the GM"),
    ("采购经理", "Procurement Manager"), ("人力资源总监", "HR Director"), ("市场部经理", "Marketing Manager"),
    ("办公室主任", "Office Director"), ("财务总监", "CFO"), ("董事长秘书", "Chairman's Secretary"),
    ("销售总监", "Sales Director"),
]
DEPARTMENTS = ["行政部", "人力资源部", "总经理办公室", "采购部", "市场部", "财务部", "销售部"]

# --- products, rooms, stays ---------------------------------------------------------------------------------

# code, name_zh, name_en, category, unit price (CNY), property codes (empty = all), months (empty = all year).
PRODUCTS: list[tuple[str, str, str, str, int, tuple[str, ...], tuple[int, ...]]] = [
    ("singapore-food-week", "新加坡美食节", "Singapore food week", "fnb", 688, ("SHA", "SZX"), (6, 7)),
    ("thai-food-week", "泰国美食节", "Thai food week", "fnb", 588, ("SHA", "HGH", "SZX"), (8, 9)),
    ("hairy-crab-season", "大闸蟹季套餐", "Hairy crab season dinner", "fnb", 888, ("SHA", "HGH"), (10, 11)),
    ("afternoon-tea", "英式下午茶", "Afternoon tea", "fnb", 388, (), ()),
    ("breakfast-package", "含双早套餐", "Breakfast package", "package", 238, (), ()),
    ("spa-ritual", "水疗护理 90 分钟", "Spa ritual (90 min)", "spa", 1280, (), ()),
    ("late-checkout", "延迟退房至 16:00", "Late checkout (4 pm)", "service", 300, (), ()),
    ("airport-transfer", "机场专车接送", "Airport transfer", "service", 480, (), ()),
    ("golf-package", "高尔夫畅打套餐", "Golf package", "package", 1680, ("HGH", "SZX"), ()),
    ("west-lake-boat", "西湖私享游船", "West Lake private boat tour", "package", 880, ("HGH",), ()),
    ("family-package", "亲子欢乐套餐", "Family fun package", "package", 680, (), (1, 2, 7, 8, 10)),
    ("meeting-package", "全日会议套餐", "Full-day meeting package", "package", 450, (), ()),
]

# name, share, price factor against the property's base ADR.
ROOM_TYPES = [
    ("豪华大床房 Deluxe King", 38, 1.0), ("豪华双床房 Deluxe Twin", 24, 1.0), ("行政房 Executive", 20, 1.35),
    ("小套房 Junior Suite", 12, 1.8), ("套房 Suite", 6, 2.9),
]
# Demand (share of arrivals) and price factor per month: Golden Week, May Day and spring/autumn peaks.
MONTH_DEMAND = {1: 0.8, 2: 0.7, 3: 1.0, 4: 1.15, 5: 1.2, 6: 0.95, 7: 1.05, 8: 1.05, 9: 1.1, 10: 1.25, 11: 1.05,
                12: 0.95}
MONTH_PRICE = {1: 0.9, 2: 0.85, 3: 1.0, 4: 1.1, 5: 1.15, 6: 0.95, 7: 1.05, 8: 1.05, 9: 1.1, 10: 1.25, 11: 1.05,
               12: 1.0}

# channel, market segment, rate code, weight (leisure travellers); corporate travellers use CORPORATE_MIX.
LEISURE_MIX = [
    ("ota", "leisure", "OTA", 35), ("website", "leisure", "BAR", 15), ("direct", "leisure", "BAR", 12),
    ("wechat", "leisure", "PKG", 12), ("travel_agency", "group", "GRP", 8), ("travel_agency", "leisure", "TA", 8),
    ("event", "mice", "MICE", 4), ("walk_in", "leisure", "RACK", 2), ("direct", "long_stay", "LONG", 2),
    ("direct", "complimentary", "COMP", 2),
]
CORPORATE_MIX = [
    ("corporate", "corporate", "CORP", 55), ("gds", "corporate", "CORP", 15), ("direct", "corporate", "CORP", 12),
    ("event", "mice", "MICE", 10), ("ota", "leisure", "OTA", 8),
]

# --- preferences, alerts, timeline --------------------------------------------------------------------------

# category: [(Chinese, English)] -- staff write what the guest said, in the guest's language.
PREFERENCES: dict[str, list[tuple[str, str]]] = {
    "floor": [("高楼层", "High floor"), ("低楼层，靠近电梯", "Low floor near the lifts"), ("远离电梯", "Away from the lifts")],
    "view": [("{view}", "{view}")],
    "bed": [("大床", "King bed"), ("双床", "Twin beds"), ("加床（儿童）", "Extra bed for a child")],
    "pillow": [("荞麦枕", "Buckwheat pillow"), ("羽绒过敏，需无羽毛枕", "Feather-free pillow"),
               ("记忆棉枕", "Memory-foam pillow")],
    "breakfast": [("中式早餐，白粥咸菜", "Chinese breakfast (congee)"), ("7:00 送餐入房", "Room-service breakfast at 7:00"),
                  ("无麸质早餐", "Gluten-free breakfast")],
    "diet": [("素食", "Vegetarian"), ("清真", "Halal"), ("不吃辣", "No spicy food"), ("不吃猪肉", "No pork")],
    "laundry": [("用肥皂手洗，不用洗衣液", "Wash with soap, not detergent"), ("衬衫不上浆", "No starch on shirts")],
    "newspaper": [("21世纪经济报道", "South China Morning Post"), ("参考消息", "Financial Times")],
    "minibar": [("撤走酒精饮品", "Remove alcohol from the minibar"), ("补充无糖可乐", "Stock Coke Zero")],
    "smoking": [("无烟房", "Non-smoking room")],
    "other": [("房间温度 22 度", "Room at 22 °C"), ("需要熨斗熨衣板", "Iron and ironing board in room")],
}
# severity, category, Chinese text, English text.
ALERTS = [
    ("critical", "allergy", "花生严重过敏，所有餐食须确认不含坚果", "Severe peanut allergy: confirm every dish is nut-free"),
    ("critical", "allergy", "海鲜过敏（曾休克），随身携带肾上腺素笔", "Shellfish allergy (anaphylaxis), carries an EpiPen"),
    ("critical", "allergy", "青霉素过敏，医务室需知悉", "Penicillin allergy: inform the clinic"),
    ("warning", "accessibility", "轮椅使用者，需安排无障碍客房", "Wheelchair user: accessible room required"),
    ("warning", "accessibility", "听力障碍，请用短信或书面沟通", "Hard of hearing: text or write, do not call"),
    ("info", "vip", "集团VIP：总经理欢迎信 + 时令水果", "Group VIP: GM welcome letter and seasonal fruit"),
    ("info", "vip", "董事长贵宾，入住前通知值班经理", "Chairman's guest: alert the duty manager before arrival"),
    ("warning", "complaint", "上次投诉空调噪音，请安排安静房间", "Complained about AC noise last stay: quiet room"),
    ("info", "service", "偏好女性管家服务", "Prefers female housekeeping staff"),
]
# kind, Chinese summary, English summary -- calls, emails, visits and notes by staff.
INTERACTIONS = [
    ("call", "电话确认下月会议用房需求", "Called to confirm next month's meeting rooms"),
    ("call", "回访上次入住体验", "Follow-up call about the last stay"),
    ("email", "发送年度协议价报价", "Sent the annual corporate rate offer"),
    ("email", "发送新加坡美食周邀请", "Sent the Singapore food week invitation"),
    ("visit", "拜访客户办公室，洽谈年度协议", "Visited the client's office about the annual agreement"),
    ("meeting", "与差旅经理会面，讨论团队入住安排", "Met the travel manager about a group block"),
    ("message", "微信发送生日祝福", "Sent birthday wishes on WeChat"),
    ("note", "客人希望下次入住安排同一间房", "Guest would like the same room next time"),
    ("note", "客人对早餐评价很高", "Guest praised the breakfast"),
]
