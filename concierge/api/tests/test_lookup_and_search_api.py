"""Exact look-up by phone or ID number, and the mixed guest/company recognition search."""
from __future__ import annotations

import pytest

from concierge.api.tests.factories import error_codes, make_company, make_guest
from concierge.guests.models import Guest

LOOKUP = "/api/v1/guests/lookup/"
SEARCH = "/api/v1/search/"


@pytest.mark.parametrize("phone", ["+86 138-0013-8000", "13800138000", "0086 138 0013 8000", "+8613800138000"])
def test_lookup_by_phone_matches_in_any_format(client_a, guest_a, phone):
    response = client_a.get(LOOKUP, {"phone": phone})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [guest_a.pk]
    assert response.json()[0]["display_name"] == "张伟"


def test_lookup_by_phone_is_exact_not_a_prefix(client_a, guest_a):
    assert client_a.get(LOOKUP, {"phone": "13800138001"}).json() == []


def test_lookup_by_phone_finds_additional_phones_too(client_a, frontdesk_a, property_a):
    guest = make_guest(frontdesk_a, property_a, phone="13900000001", extra_phones=["+86 137 0000 0002"])
    assert [row["id"] for row in client_a.get(LOOKUP, {"phone": "13700000002"}).json()] == [guest.pk]


@pytest.mark.parametrize("number", ["11010519491231002x", "11010519491231002X", "110105 19491231 002x"])
def test_lookup_by_id_number_accepts_a_lower_case_x(client_a, guest_a, number):
    response = client_a.get(LOOKUP, {"id_number": number})
    assert [row["id"] for row in response.json()] == [guest_a.pk]
    assert "11010519491231002X" not in response.content.decode()


def test_lookup_leaves_out_merged_profiles(client_a, frontdesk_a, property_a, guest_a):
    Guest.objects.filter(pk=guest_a.pk).update(merged_into=make_guest(frontdesk_a, property_a))
    assert client_a.get(LOOKUP, {"phone": "13800138000"}).json() == []


def test_lookup_needs_exactly_one_of_phone_or_id_number(client_a, db):
    response = client_a.get(LOOKUP)
    assert response.status_code == 400
    assert error_codes(response) == {"non_field_errors": "phone_or_id_number"}
    response = client_a.get(LOOKUP, {"phone": "13800138000", "id_number": "11010519491231002X"})
    assert error_codes(response) == {"non_field_errors": "phone_or_id_number"}


def test_lookup_with_an_impossible_phone_names_the_field(client_a, db):
    response = client_a.get(LOOKUP, {"phone": "12"})
    assert response.status_code == 400
    assert error_codes(response) == {"phone": "invalid_phone"}


def test_search_returns_guests_and_companies_with_score_and_reason(client_a, frontdesk_a, property_a, guest_a):
    company = make_company(frontdesk_a, [property_a], name_zh="张伟贸易公司", name_en="Zhangwei Trading")
    response = client_a.get(SEARCH, {"q": "张伟"})
    assert response.status_code == 200
    hits = response.json()
    assert [(hit["kind"], hit["id"]) for hit in hits] == [("guest", guest_a.pk), ("company", company.pk)]
    assert hits[0]["score"] == 90
    assert hits[0]["matched"] == "Chinese name"
    assert hits[0]["name"] == "张伟"
    assert hits[1]["name"] == "Zhangwei Trading"
    assert hits[1]["last_stay_on"] is None


def test_search_by_phone_says_it_matched_the_phone(client_a, guest_a):
    hits = client_a.get(SEARCH, {"q": "+86 138 0013 8000"}).json()
    assert [(hit["id"], hit["score"], hit["matched"]) for hit in hits] == [(guest_a.pk, 95, "phone")]


def test_search_needs_a_query(client_a, db):
    response = client_a.get(SEARCH)
    assert response.status_code == 400
    assert error_codes(response) == {"q": "required"}


def test_search_respects_the_limit(client_a, frontdesk_a, property_a):
    for n in range(5):
        make_guest(frontdesk_a, property_a, family_name="王", given_name=f"芳{n}")
    assert len(client_a.get(SEARCH, {"q": "王", "limit": 3}).json()) == 3
