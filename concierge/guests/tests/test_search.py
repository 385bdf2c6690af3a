"""Check-in recognition: one box finds guests by ID number, phone, hanzi, pinyin, initials, Latin, email."""
import pytest

from concierge.guests.selectors import guests_by_phone, recognition_search
from concierge.guests.services import company_create, guest_create


@pytest.fixture
def others(frontdesk_a, property_a):
    guest_create(actor=frontdesk_a, property=property_a, family_name="曾", given_name="明", phone="13900001111")
    guest_create(actor=frontdesk_a, property=property_a, family_name_latin="Smith", given_name_latin="John",
                 nationality="GB", email="john@smith.co.uk")
    guest_create(actor=frontdesk_a, property=property_a, full_name="張偉明", phone="+86 137 0000 2222")


def _first(user, q):
    hits = recognition_search(user=user, query=q)
    assert hits, f"no result for {q!r}"
    return hits[0]


@pytest.mark.parametrize(
    "query",
    ["11010519491231002x", "11010519491231002X", "13800138000", "+86 138-0013-8000", "0086 138 0013 8000",
     "张伟", "張偉", "zhangwei", "zhang wei", "Wei Zhang", "WEI ZHANG", "zw", "zhang.wei@example.cn"],
)
def test_guest_is_found_first_by_any_identifier(guest_a, others, frontdesk_a, query):
    hit = _first(frontdesk_a, query)
    assert hit.kind == "guest" and hit.id == guest_a.pk, (query, hit)


def test_heteronym_surname_found_by_both_readings(guest_a, others, frontdesk_a):
    assert _first(frontdesk_a, "zeng ming").obj.family_name == "曾"
    assert _first(frontdesk_a, "cengming").obj.family_name == "曾"


def test_exact_match_outranks_prefix(guest_a, others, frontdesk_a):
    hits = recognition_search(user=frontdesk_a, query="张伟")
    assert hits[0].id == guest_a.pk
    assert any(h.obj.given_name == "偉明" for h in hits[1:])


def test_id_number_scores_highest_and_says_why(guest_a, frontdesk_a):
    hit = _first(frontdesk_a, "11010519491231002X")
    assert hit.score == 100
    assert "ID" in hit.matched


def test_company_found_by_pinyin_and_english(frontdesk_a, property_a):
    company = company_create(actor=frontdesk_a, properties=[property_a], name_zh="华为技术", name_en="Huawei")
    assert _first(frontdesk_a, "huawei").id == company.pk
    assert _first(frontdesk_a, "华为").id == company.pk


def test_other_property_user_finds_nothing(guest_a, frontdesk_b):
    for q in ["张伟", "zw", "13800138000", "11010519491231002X", "zhang.wei@example.cn"]:
        assert recognition_search(user=frontdesk_b, query=q) == [], q


def test_group_wide_manager_finds_guest_everywhere(guest_a, manager):
    assert _first(manager, "zhang wei").id == guest_a.pk


def test_lookup_by_phone_any_format(guest_a, frontdesk_a):
    assert list(guests_by_phone(user=frontdesk_a, phone="(+86) 13800138000")) == [guest_a]


def test_blank_and_junk_queries_return_nothing(guest_a, frontdesk_a):
    assert recognition_search(user=frontdesk_a, query="   ") == []
    assert recognition_search(user=frontdesk_a, query="%%%___") == []
