"""Guests: create, list and search, detail, update with optimistic locking, the check-in card."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concierge.api.tests.factories import error_codes, make_company, make_guest, make_stay
from concierge.core.models import Activity, AuditEvent
from concierge.guests.models import Guest, GuestProperty, IdentityDocument, Tag
from concierge.guests.services import alert_add, consent_set, interaction_log, preference_add

RAW_ID = "11010519491231002X"  # guest_a's resident ID: must never appear in a response
GUESTS = "/api/v1/guests/"


def detail(guest_id: int) -> str:
    return f"{GUESTS}{guest_id}/"


# --- create --------------------------------------------------------------------------------------------------


def test_create_splits_a_full_name_and_files_the_guest_at_the_users_only_property(client_a, property_a):
    response = client_a.post(GUESTS, {
        "full_name": "王小明", "phone": "+86 139-1234-5678", "email": "Xiaoming.Wang@Example.com",
        "id_documents": [{"doc_type": "cn_id", "number": RAW_ID}],
        "tags": ["VIP", "golf"], "nationality": "cn",
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["family_name"], body["given_name"]) == ("王", "小明")
    assert body["phone"] == "+8613912345678"
    assert body["email"] == "xiaoming.wang@example.com"
    assert body["nationality"] == "CN"
    assert sorted(body["tags"]) == ["VIP", "golf"]
    assert [p["code"] for p in body["properties"]] == ["SHA"]
    assert body["documents"][0]["number_masked"] == "1101**********002X"
    assert "number" not in body["documents"][0]
    assert body["version"] == 1
    assert GuestProperty.objects.filter(guest_id=body["id"], property=property_a).exists()


def test_a_bad_phone_is_a_400_naming_the_phone_field(client_a):
    response = client_a.post(GUESTS, {"full_name": "王小明", "phone": "12"}, format="json")
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert error_codes(response) == {"phone": "invalid_phone"}


def test_a_wrong_resident_id_check_digit_is_a_400_and_nothing_is_written(client_a):
    response = client_a.post(GUESTS, {
        "full_name": "王小明", "tags": ["VIP"],
        "id_documents": [{"doc_type": "cn_id", "number": "110105194912310021"}],
    }, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"id_documents.0.number": "invalid_id_checksum"}
    assert not Guest.objects.exists()
    assert not Tag.objects.exists()


def test_a_guest_without_any_name_is_refused(client_a):
    response = client_a.post(GUESTS, {"phone": "13912345678"}, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"family_name": "required"}


def test_a_business_rule_in_the_service_comes_back_as_a_field_error(client_a):
    response = client_a.post(GUESTS, {"full_name": "王小明", "status": "unsuitable"}, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"status_reason": "invalid"}
    assert not Guest.objects.exists()


def test_create_refuses_a_property_the_user_does_not_work_at(client_a, property_b):
    response = client_a.post(GUESTS, {"full_name": "王小明", "property": property_b.pk}, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"property": "does_not_exist"}


def test_a_user_at_several_properties_must_choose_one(as_user, frontdesk_a, property_a, property_b):
    frontdesk_a.properties.add(property_b)
    client = as_user(frontdesk_a)
    response = client.post(GUESTS, {"full_name": "王小明"}, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"property": "required"}
    response = client.post(GUESTS, {"full_name": "王小明", "property": property_b.pk}, format="json")
    assert response.status_code == 201
    assert [p["code"] for p in response.json()["properties"]] == ["HGH"]


def test_a_group_wide_manager_may_create_at_any_property(as_user, manager, property_b):
    response = as_user(manager).post(GUESTS, {"given_name_latin": "Anna", "family_name_latin": "Smith",
                                              "property": property_b.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["display_name"] == "SMITH Anna"


# --- list and search -----------------------------------------------------------------------------------------


def test_the_list_is_paginated_and_leaves_out_merged_profiles(client_a, frontdesk_a, property_a, guest_a):
    others = [make_guest(frontdesk_a, property_a, given_name=f"{n}") for n in "一二三"]
    Guest.objects.filter(pk=others[0].pk).update(merged_into=guest_a)
    response = client_a.get(GUESTS, {"page_size": 2})
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"]
    assert others[0].pk not in [row["id"] for row in body["results"]]


@pytest.mark.parametrize("query", ["张伟", "zhang wei", "Wei Zhang", "zw", "138 0013 8000", "zhang.wei@example.cn"])
def test_search_finds_the_guest_however_front_desk_types_it(client_a, guest_a, query):
    response = client_a.get(GUESTS, {"search": query})
    results = response.json()["results"]
    assert response.status_code == 200
    assert [row["id"] for row in results] == [guest_a.pk]
    assert results[0]["score"] > 0
    assert results[0]["matched"]


def test_search_ranks_an_exact_match_above_a_prefix_match(client_a, frontdesk_a, property_a, guest_a):
    make_guest(frontdesk_a, property_a, family_name="张", given_name="伟明")
    results = client_a.get(GUESTS, {"search": "张伟"}).json()["results"]
    assert [row["id"] for row in results][0] == guest_a.pk
    assert results[0]["score"] > results[1]["score"]


def test_search_by_resident_id_matches_with_a_lower_case_x(client_a, guest_a):
    results = client_a.get(GUESTS, {"search": RAW_ID.lower()}).json()["results"]
    assert [(row["id"], row["score"]) for row in results] == [(guest_a.pk, 100)]


def test_the_list_filters_by_status_tag_nationality_tier_and_creation_date(client_a, frontdesk_a, property_a,
                                                                           guest_a):
    other = make_guest(frontdesk_a, property_a, status="prospect", tags=["VIP"], nationality="JP", tier="gold")

    def ids(**params: str) -> list[int]:
        response = client_a.get(GUESTS, params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids(status="prospect") == [other.pk]
    assert sorted(ids(status=["prospect", "active"])) == sorted([guest_a.pk, other.pk])
    assert ids(tag="vip") == [other.pk]
    assert ids(nationality="jp") == [other.pk]
    assert ids(tier="GOLD") == [other.pk]
    today = timezone.localdate().isoformat()
    assert sorted(ids(created_after=today)) == sorted([guest_a.pk, other.pk])
    assert ids(created_before=(timezone.localdate() - dt.timedelta(days=1)).isoformat()) == []


def test_the_property_filter_accepts_only_the_users_properties(client_a, property_a, property_b, guest_a):
    assert [r["id"] for r in client_a.get(GUESTS, {"property": property_a.pk}).json()["results"]] == [guest_a.pk]
    response = client_a.get(GUESTS, {"property": property_b.pk})
    assert response.status_code == 400
    assert error_codes(response) == {"property": "invalid_choice"}


def test_the_list_runs_a_fixed_number_of_queries(client_a, frontdesk_a, property_a, django_assert_max_num_queries):
    for n in range(8):
        make_guest(frontdesk_a, property_a, given_name=f"客{n}", tags=["VIP", f"t{n}"])
    with django_assert_max_num_queries(6):
        response = client_a.get(GUESTS)
    assert response.json()["count"] == 8


# --- detail and update ---------------------------------------------------------------------------------------


def test_detail_shows_the_profile_with_the_id_number_masked_and_audits_the_view(client_a, frontdesk_a, guest_a):
    response = client_a.get(detail(guest_a.pk))
    assert response.status_code == 200
    body = response.json()
    assert body["display_name"] == "张伟"
    assert body["documents"] == [{
        "id": IdentityDocument.objects.get().pk, "doc_type": "cn_id", "number_masked": "1101**********002X",
        "issuing_country": "", "expires_on": None, "is_verified": False,
    }]
    assert RAW_ID not in response.content.decode()
    assert AuditEvent.objects.filter(actor=frontdesk_a, guest=guest_a, action="view").exists()


def test_a_merged_profiles_id_resolves_to_the_survivor(client_a, frontdesk_a, property_a, guest_a):
    tombstone = make_guest(frontdesk_a, property_a)
    Guest.objects.filter(pk=tombstone.pk).update(merged_into=guest_a)
    response = client_a.get(detail(tombstone.pk))
    assert response.status_code == 200
    assert response.json()["id"] == guest_a.pk


def test_patch_changes_fields_and_bumps_the_version(client_a, guest_a):
    response = client_a.patch(detail(guest_a.pk), {"notes": "gold", "phone": "0086 139 1234 5678", "version": 1},
                              format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["notes"], body["phone"], body["version"]) == ("gold", "+8613912345678", 2)
    assert client_a.get(GUESTS, {"search": "13912345678"}).json()["count"] == 1


def test_patch_with_a_stale_version_is_a_409_and_changes_nothing(client_a, frontdesk_a, guest_a):
    client_a.patch(detail(guest_a.pk), {"notes": "gold", "version": 1}, format="json")
    response = client_a.patch(detail(guest_a.pk), {"notes": "silver", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json() == {"type": "client_error", "errors": [
        {"code": "stale_version", "detail": response.json()["errors"][0]["detail"], "attr": None}]}
    guest_a.refresh_from_db()
    assert (guest_a.notes, guest_a.version) == ("gold", 2)


def test_patch_with_a_bad_phone_or_an_empty_name_names_the_field(client_a, guest_a):
    response = client_a.patch(detail(guest_a.pk), {"phone": "abc", "version": 1}, format="json")
    assert error_codes(response) == {"phone": "invalid_phone"}
    response = client_a.patch(detail(guest_a.pk), {"family_name": "", "given_name": "", "family_name_latin": "",
                                                    "given_name_latin": "", "version": 1}, format="json")
    assert response.status_code == 400
    assert "family_name" in error_codes(response)


def test_patch_cannot_attach_a_company_the_user_cannot_see(client_a, frontdesk_b, property_b, guest_a):
    hidden = make_company(frontdesk_b, [property_b], name_zh="隐藏公司", name_en="Hidden Co")
    response = client_a.patch(detail(guest_a.pk), {"company": hidden.pk, "version": 1}, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"company": "does_not_exist"}


# --- card ----------------------------------------------------------------------------------------------------


def test_the_card_has_everything_front_desk_needs(client_a, frontdesk_a, property_a, guest_a, stay_a):
    alert_add(actor=frontdesk_a, guest=guest_a, text="Likes a quiet room", severity="info")
    alert_add(actor=frontdesk_a, guest=guest_a, text="Peanut allergy", severity="critical", category="allergy")
    preference_add(actor=frontdesk_a, guest=guest_a, category="pillow", value="Buckwheat")
    upcoming = make_stay(frontdesk_a, guest_a, property_a, days_ago=-5, status="reserved", room_number="")
    consent_set(actor=frontdesk_a, guest=guest_a, channel="email", granted=True, source="registration card")
    interaction_log(actor=frontdesk_a, kind="call", summary="Confirmed airport pickup", guest=guest_a,
                    occurred_at=timezone.now() - dt.timedelta(days=3))
    Guest.objects.filter(pk=guest_a.pk).update(tier="platinum", owner=frontdesk_a)

    response = client_a.get(f"{detail(guest_a.pk)}card/")
    assert response.status_code == 200
    card = response.json()
    assert card["guest"] == {"id": guest_a.pk, "display_name": "张伟"}
    assert [a["text"] for a in card["alerts"]] == ["Peanut allergy", "Likes a quiet room"]
    assert [(p["category"], p["value"]) for p in card["preferences"]] == [("pillow", "Buckwheat")]
    assert (card["last_stay"]["id"], card["last_stay"]["room_number"]) == (stay_a.pk, "1208")
    assert card["last_stay"]["property"]["code"] == "SHA"
    assert card["upcoming_stay"]["id"] == upcoming.pk
    assert card["totals"]["stays"] == 1
    assert card["totals"]["room_revenue"] == "1600.00"
    assert card["totals"]["adr"] == "800.00"
    assert card["documents"][0]["number_masked"] == "1101**********002X"
    assert card["consents"] == {"email": True, "sms": None, "wechat": None}
    assert card["last_contact"]["actor_name"] == "Alice"
    assert card["last_contact"]["days_ago"] == 3
    assert card["tier"] == "platinum"
    assert card["owner"] == {"id": frontdesk_a.pk, "name": "Alice"}
    assert card["open_items"][0]["label"].startswith("Reservation")
    assert RAW_ID not in response.content.decode()


def test_the_card_of_a_new_guest_is_mostly_empty(client_a, guest_a):
    card = client_a.get(f"{detail(guest_a.pk)}card/").json()
    assert (card["alerts"], card["last_stay"], card["upcoming_stay"], card["last_contact"]) == ([], None, None, None)
    assert card["totals"]["stays"] == 0


def test_creating_a_guest_writes_one_timeline_entry(client_a):
    response = client_a.post(GUESTS, {"full_name": "王小明"}, format="json")
    assert Activity.objects.filter(guest_id=response.json()["id"]).count() == 1
