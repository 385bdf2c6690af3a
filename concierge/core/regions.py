"""China's seven geographic regions and the provinces in each, for breakdowns and segments.

Province values in the data are short Chinese names ("安徽"), but imports also bring full names ("安徽省"),
pinyin ("Anhui") or English ("Anhui Province"): `province_key()` folds all of them to the short Chinese name.
Hong Kong, Macao and Taiwan form their own region; other countries are "international".
"""
from __future__ import annotations

from django.db.models import Case, CharField, Q, Value, When
from django.utils.translation import gettext_lazy as _

# region code -> (label, provinces as short Chinese names)
REGIONS: dict[str, tuple[object, tuple[str, ...]]] = {
    "north": (_("North China"), ("北京", "天津", "河北", "山西", "内蒙古")),
    "northeast": (_("Northeast China"), ("辽宁", "吉林", "黑龙江")),
    "east": (_("East China"), ("上海", "江苏", "浙江", "安徽", "福建", "江西", "山东")),
    "central": (_("Central China"), ("河南", "湖北", "湖南")),
    "south": (_("South China"), ("广东", "广西", "海南")),
    "southwest": (_("Southwest China"), ("重庆", "四川", "贵州", "云南", "西藏")),
    "northwest": (_("Northwest China"), ("陕西", "甘肃", "青海", "宁夏", "新疆")),
    "hmt": (_("Hong Kong, Macao and Taiwan"), ("香港", "澳门", "台湾")),
}
INTERNATIONAL = "international"
UNKNOWN = "unknown"
REGION_LABELS: dict[str, object] = {code: label for code, (label, _p) in REGIONS.items()}
REGION_LABELS[INTERNATIONAL] = _("International")
REGION_LABELS[UNKNOWN] = _("Unknown")

PROVINCE_REGION: dict[str, str] = {p: code for code, (_l, provinces) in REGIONS.items() for p in provinces}

# Latin spellings of the provinces (lower case, no spaces) -> short Chinese name.
_LATIN = {
    "beijing": "北京", "tianjin": "天津", "hebei": "河北", "shanxi": "山西", "neimenggu": "内蒙古",
    "innermongolia": "内蒙古", "liaoning": "辽宁", "jilin": "吉林", "heilongjiang": "黑龙江", "shanghai": "上海",
    "jiangsu": "江苏", "zhejiang": "浙江", "anhui": "安徽", "fujian": "福建", "jiangxi": "江西", "shandong": "山东",
    "henan": "河南", "hubei": "湖北", "hunan": "湖南", "guangdong": "广东", "guangxi": "广西", "hainan": "海南",
    "chongqing": "重庆", "sichuan": "四川", "guizhou": "贵州", "yunnan": "云南", "xizang": "西藏", "tibet": "西藏",
    "shaanxi": "陕西", "gansu": "甘肃", "qinghai": "青海", "ningxia": "宁夏", "xinjiang": "新疆",
    "hongkong": "香港", "macao": "澳门", "macau": "澳门", "taiwan": "台湾",
}
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
_LATIN_SUFFIXES = ("province", "municipality", "autonomousregion", "sar", "city")


def province_key(value: str) -> str:
    """The short Chinese name of a province written any common way; the input unchanged if unknown."""
    text = (value or "").strip()
    if not text:
        return ""
    if text in PROVINCE_REGION:
        return text
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and text[: -len(suffix)] in PROVINCE_REGION:
            return text[: -len(suffix)]
    latin = "".join(ch for ch in text.lower() if ch.isalpha())
    for suffix in _LATIN_SUFFIXES:
        if latin.endswith(suffix) and latin[: -len(suffix)] in _LATIN:
            latin = latin[: -len(suffix)]
            break
    return _LATIN.get(latin, text)


def region_of(*, province: str, country: str = "CN") -> str:
    """Region code of an address: a Chinese region, "hmt", "international" or "unknown"."""
    key = province_key(province)
    if key in PROVINCE_REGION:
        return PROVINCE_REGION[key]
    if country and country.upper() in ("HK", "MO", "TW"):
        return "hmt"
    if country and country.upper() != "CN":
        return INTERNATIONAL
    return UNKNOWN


def provinces_in(region: str) -> tuple[str, ...]:
    """Short Chinese names of the provinces of a region (empty for international/unknown)."""
    return REGIONS.get(region, (None, ()))[1]


def region_q(region: str, *, prefix: str = "") -> Q:
    """A filter for addresses in `region`; `prefix` is the path to the model holding province/country
    (e.g. "company__"). Matches the short and the "省/市/自治区" forms written in Chinese."""
    if region == INTERNATIONAL:
        return ~Q(**{f"{prefix}country__in": ["", "CN", "HK", "MO", "TW"]})
    provinces = provinces_in(region)
    if not provinces:
        return Q(pk__in=[])
    names = list(provinces)
    for province in provinces:
        names.extend(province + suffix for suffix in _SUFFIXES)
    q = Q(**{f"{prefix}province__in": names})
    if region == "hmt":
        q |= Q(**{f"{prefix}country__in": ["HK", "MO", "TW"]})
    return q


def region_case(*, prefix: str = "") -> Case:
    """An SQL CASE expression giving the region code of each row, for GROUP BY in the database."""
    whens = [When(region_q(code, prefix=prefix), then=Value(code)) for code in REGIONS]
    whens.append(When(region_q(INTERNATIONAL, prefix=prefix), then=Value(INTERNATIONAL)))
    return Case(*whens, default=Value(UNKNOWN), output_field=CharField())
