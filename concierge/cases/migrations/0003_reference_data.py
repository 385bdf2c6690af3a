"""Reference data: FAQ categories, complaint root causes, group-wide SLA policies (see concierge.cases.reference).

The data is frozen here as it was when this migration was written, so later edits of reference.py do not
change what this migration did.
"""
from django.db import migrations

CATEGORIES = [
    ("prices", "房价与价格", "Prices and rates", "bi-currency-yen", 10),
    ("checkin", "入住与退房", "Check-in and check-out", "bi-clock", 20),
    ("parking", "停车", "Parking", "bi-p-circle", 30),
    ("breakfast", "早餐与餐饮", "Breakfast and dining", "bi-cup-hot", 40),
    ("facilities", "酒店设施", "Hotel facilities", "bi-building", 50),
    ("transport", "交通", "Getting here", "bi-car-front", 60),
    ("policies", "酒店政策", "Hotel policies", "bi-shield-check", 70),
    ("service-recovery", "服务补救", "Service recovery", "bi-life-preserver", 90),
]

ROOT_CAUSES = [
    ("room-noise", "房间噪音", "Room noise", "engineering", "安排安静的房间", "offer a quiet room"),
    ("air-conditioning", "空调问题", "Air conditioning", "engineering", "到店前检查空调",
     "check the air conditioning before arrival"),
    ("cleanliness", "房间清洁", "Room cleanliness", "housekeeping", "到店前由主管查房",
     "have a supervisor inspect the room before arrival"),
    ("broken-facility", "设施损坏", "Broken facility", "engineering", "到店前检查房间设施",
     "check the room's facilities before arrival"),
    ("wifi", "网络问题", "Wi-Fi", "engineering", "到店前测试房间网络", "test the room's Wi-Fi before arrival"),
    ("check-in-wait", "入住等候", "Check-in wait", "front_office", "提前预登记并备好房卡",
     "pre-register and prepare the key card"),
    ("billing-error", "账单错误", "Billing error", "front_office", "离店前核对账单", "check the folio before check-out"),
    ("reservation-error", "预订错误", "Reservation error", "reservations", "再次核对预订信息",
     "double-check the reservation details"),
    ("food-quality", "餐饮质量", "Food quality", "fnb", "到店时告知餐厅经理", "tell the restaurant manager on arrival"),
    ("staff-attitude", "服务态度", "Staff attitude", "front_office", "由值班经理迎接", "have the duty manager welcome them"),
    ("lost-property", "物品遗失", "Lost property", "housekeeping", "", ""),
    ("other", "其他", "Other", "", "", ""),
]

# (first response, resolution) in business minutes per type and priority.
POLICIES = {
    "complaint": {"urgent": (15, 240), "high": (30, 480), "normal": (60, 1440), "low": (240, 2880)},
    "inquiry": {"urgent": (15, 60), "high": (30, 240), "normal": (60, 480), "low": (240, 1440)},
    "request": {"urgent": (15, 120), "high": (30, 240), "normal": (60, 720), "low": (240, 1440)},
    "lost_found": {"urgent": (30, 480), "high": (60, 1440), "normal": (120, 2880), "low": (240, 4320)},
    "compliment": {"urgent": (240, 2880), "high": (240, 2880), "normal": (240, 2880), "low": (240, 2880)},
}



def load(apps, schema_editor):
    ArticleCategory = apps.get_model("cases", "ArticleCategory")
    RootCause = apps.get_model("cases", "RootCause")
    SlaPolicy = apps.get_model("cases", "SlaPolicy")
    for code, zh, en, icon, order in CATEGORIES:
        ArticleCategory.objects.get_or_create(code=code, defaults={"name_zh": zh, "name_en": en, "icon": icon,
                                                                   "sort_order": order})
    for order, (code, zh, en, department, action_zh, action_en) in enumerate(ROOT_CAUSES):
        RootCause.objects.get_or_create(code=code, defaults={
            "name_zh": zh, "name_en": en, "department": department, "next_stay_action_zh": action_zh,
            "next_stay_action_en": action_en, "sort_order": order * 10})
    for case_type, by_priority in POLICIES.items():
        for priority, (response, resolution) in by_priority.items():
            SlaPolicy.objects.get_or_create(case_type=case_type, priority=priority, property=None, defaults={
                "first_response_minutes": response, "resolution_minutes": resolution})


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_search_tokens_index")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
