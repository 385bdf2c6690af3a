import pytest

from concierge.core.regions import province_key, region_of


@pytest.mark.parametrize("value,expected", [
    ("安徽", "安徽"), ("安徽省", "安徽"), ("Anhui", "安徽"), ("Anhui Province", "安徽"), ("上海市", "上海"),
    ("新疆维吾尔自治区", "新疆"), ("Inner Mongolia", "内蒙古"), ("Bavaria", "Bavaria"), ("", ""),
])
def test_province_key_folds_common_spellings(value, expected):
    assert province_key(value) == expected


def test_region_of_knows_china_hmt_and_abroad():
    assert region_of(province="安徽") == "east"
    assert region_of(province="广东省") == "south"
    assert region_of(province="", country="HK") == "hmt"
    assert region_of(province="California", country="US") == "international"
    assert region_of(province="", country="CN") == "unknown"


@pytest.mark.django_db
def test_region_filter_runs_in_the_database(hotel_group):
    from concierge.core.regions import region_case, region_q
    from concierge.guests.models import Company

    Company.objects.create(name_zh="合肥甲", province="安徽省")
    Company.objects.create(name_zh="广州乙", province="广东")
    Company.objects.create(name_en="Acme", country="US", province="CA")
    assert list(Company.objects.filter(region_q("east")).values_list("name_zh", flat=True)) == ["合肥甲"]
    regions = dict(Company.objects.annotate(region=region_case()).values_list("name_zh", "region"))
    assert regions == {"合肥甲": "east", "广州乙": "south", "": "international"}
