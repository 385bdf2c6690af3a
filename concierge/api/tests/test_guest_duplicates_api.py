"""POST /api/v1/guests/ answers 409 `possible_duplicates` with the likely existing profiles unless `force`."""
from __future__ import annotations

import pytest

from concierge.core.models import Activity, AuditEvent
from concierge.dedupe.services import guest_merge
from concierge.guests.models import Guest
from concierge.guests.services import guest_create

pytestmark = pytest.mark.django_db

GUESTS = "/api/v1/guests/"
ZHANG_AGAIN = {"full_name": "張偉", "phone": "+86 138-0013-8000", "birthday": "1949-12-31"}


def test_a_likely_duplicate_is_a_409_listing_the_existing_profile(client_a, guest_a):
    response = client_a.post(GUESTS, ZHANG_AGAIN, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "client_error"
    assert body["errors"][0]["code"] == "possible_duplicates"
    candidate = body["candidates"][0]
    assert (candidate["id"], candidate["display_name"]) == (guest_a.pk, "张伟")
    assert 0.5 <= candidate["score"] <= 1
    assert "same phone" in candidate["reasons"] and "same birthday" in candidate["reasons"]
    assert {"field": "phone", "level": "same", "outcome": "agree"} in candidate["reason_codes"]
    assert Guest.objects.count() == 1
    assert not AuditEvent.objects.filter(action="create_anyway").exists()


def test_force_creates_anyway_and_records_it(client_a, guest_a, frontdesk_a):
    response = client_a.post(GUESTS, {**ZHANG_AGAIN, "force": True}, format="json")
    assert response.status_code == 201, response.json()
    new = Guest.objects.get(pk=response.json()["id"])
    audit = AuditEvent.objects.get(action="create_anyway")
    assert (audit.guest, audit.actor, audit.detail) == (new, frontdesk_a, str(guest_a.pk))
    assert Activity.objects.get(guest=new, data__event="create_anyway").data["candidate_ids"] == [guest_a.pk]


def test_force_without_any_match_creates_quietly(client_a, guest_a):
    response = client_a.post(GUESTS, {"full_name": "欧阳娜娜", "force": True}, format="json")
    assert response.status_code == 201
    assert not AuditEvent.objects.filter(action="create_anyway").exists()


def test_profiles_of_other_properties_are_never_offered(client_b, guest_a):
    response = client_b.post(GUESTS, ZHANG_AGAIN, format="json")
    assert response.status_code == 201
    assert not AuditEvent.objects.filter(action="create_anyway").exists()


def test_input_errors_still_come_first_as_a_400(client_a, guest_a):
    response = client_a.post(GUESTS, {**ZHANG_AGAIN, "phone": "12"}, format="json")
    assert response.status_code == 400


def test_the_schema_documents_the_409_and_force(client_a):
    schema = client_a.get("/api/v1/schema/", {"format": "json"}).json()
    post = schema["paths"]["/api/v1/guests/"]["post"]
    assert "409" in post["responses"]
    ref = post["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "candidates" in schema["components"]["schemas"][ref]["properties"]
    request_ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "force" in schema["components"]["schemas"][request_ref]["properties"]


def test_a_merged_profiles_api_id_resolves_for_a_property_user(client_a, guest_a, frontdesk_a, property_a):
    twin = guest_create(actor=frontdesk_a, property=property_a, family_name="張", given_name="偉",
                        phone="13800138000")
    guest_merge(actor=frontdesk_a, survivor=guest_a, merged=twin)
    response = client_a.get(f"{GUESTS}{twin.pk}/")
    assert response.status_code == 200
    assert response.json()["id"] == guest_a.pk
