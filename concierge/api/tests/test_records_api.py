"""Preferences, alerts, consents and the timeline."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from concierge.api.tests.factories import error_codes, make_guest, make_stay
from concierge.core.models import Activity
from concierge.guests.services import interaction_log

PREFERENCES = "/api/v1/preferences/"
ALERTS = "/api/v1/alerts/"
CONSENTS = "/api/v1/consents/"
TIMELINE = "/api/v1/timeline/"


def test_preferences_are_recorded_listed_by_guest_and_removed(client_a, frontdesk_a, guest_a, stay_a):
    response = client_a.post(PREFERENCES, {"guest": guest_a.pk, "category": "pillow", "value": "Buckwheat",
                                           "stay": stay_a.pk}, format="json")
    assert response.status_code == 201, response.json()
    preference = response.json()
    assert (preference["guest"], preference["stay"], preference["is_active"]) == (guest_a.pk, stay_a.pk, True)
    assert preference["recorded_by"] == {"id": frontdesk_a.pk, "name": "Alice"}
    assert [p["id"] for p in client_a.get(PREFERENCES, {"guest": guest_a.pk}).json()["results"]] == [preference["id"]]

    assert client_a.delete(f"{PREFERENCES}{preference['id']}/").status_code == 204
    assert client_a.get(PREFERENCES, {"guest": guest_a.pk}).json()["count"] == 0
    removed = client_a.get(PREFERENCES, {"guest": guest_a.pk, "is_active": "false"}).json()["results"]
    assert [p["id"] for p in removed] == [preference["id"]]
    assert client_a.get(f"{PREFERENCES}{preference['id']}/").json()["is_active"] is False
    assert client_a.delete(f"{PREFERENCES}{preference['id']}/").status_code == 204  # idempotent


def test_a_preference_needs_a_known_category_and_a_value(client_a, guest_a):
    response = client_a.post(PREFERENCES, {"guest": guest_a.pk, "category": "mood", "value": " "}, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"category": "invalid_choice", "value": "blank"}


def test_a_preference_cannot_point_at_another_guests_stay(client_a, frontdesk_a, property_a, guest_a):
    other_stay = make_stay(frontdesk_a, make_guest(frontdesk_a, property_a), property_a)
    response = client_a.post(PREFERENCES, {"guest": guest_a.pk, "category": "bed", "value": "King",
                                           "stay": other_stay.pk}, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"stay": "invalid"}


def test_alerts_are_added_listed_and_cleared(client_a, guest_a):
    response = client_a.post(ALERTS, {"guest": guest_a.pk, "text": "Peanut allergy", "severity": "critical",
                                      "category": "allergy"}, format="json")
    assert response.status_code == 201, response.json()
    alert = response.json()
    assert (alert["severity"], alert["is_active"]) == ("critical", True)
    listed = client_a.get(ALERTS, {"guest": guest_a.pk, "severity": "critical"}).json()["results"]
    assert [a["id"] for a in listed] == [alert["id"]]
    assert client_a.delete(f"{ALERTS}{alert['id']}/").status_code == 204
    assert client_a.get(ALERTS, {"guest": guest_a.pk}).json()["count"] == 0


def test_an_alert_needs_text(client_a, guest_a):
    response = client_a.post(ALERTS, {"guest": guest_a.pk, "severity": "loud"}, format="json")
    assert error_codes(response) == {"text": "required", "severity": "invalid_choice"}


def test_consents_keep_their_history_newest_first(client_a, guest_a):
    first = client_a.post(CONSENTS, {"guest": guest_a.pk, "channel": "email", "granted": True,
                                     "source": "registration card"}, format="json")
    assert first.status_code == 201, first.json()
    second = client_a.post(CONSENTS, {"guest": guest_a.pk, "channel": "email", "granted": False}, format="json")
    assert second.json()["source"] == "API"
    history = client_a.get(CONSENTS, {"guest": guest_a.pk}).json()["results"]
    assert [(c["id"], c["granted"]) for c in history] == [(second.json()["id"], False), (first.json()["id"], True)]
    card = client_a.get(f"/api/v1/guests/{guest_a.pk}/card/").json()
    assert card["consents"]["email"] is False


def test_a_consent_needs_a_known_channel(client_a, guest_a):
    response = client_a.post(CONSENTS, {"guest": guest_a.pk, "channel": "fax", "granted": True}, format="json")
    assert error_codes(response) == {"channel": "invalid_choice"}


def test_logging_a_call_says_who_contacted_the_guest_last(client_a, frontdesk_a, service_a, guest_a):
    interaction_log(actor=service_a, kind="email", summary="Sent the offer", guest=guest_a,
                    occurred_at=timezone.now() - dt.timedelta(days=4))
    response = client_a.post(TIMELINE, {"guest": guest_a.pk, "kind": "call", "summary": "Follow-up on the offer",
                                        "body": "Will confirm next week."}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["entry"]["kind"] == "call"
    assert body["entry"]["actor"] == {"id": frontdesk_a.pk, "name": "Alice"}
    assert body["last_contact_before"]["actor_name"] == "Sam"
    assert body["last_contact_before"]["days_ago"] == 4

    again = client_a.post(TIMELINE, {"guest": guest_a.pk, "kind": "note", "summary": "Prefers WeChat"}, format="json")
    assert again.json()["last_contact_before"]["actor_name"] == "Alice"


def test_the_first_contact_has_no_previous_one(client_a, company_a):
    response = client_a.post(TIMELINE, {"company": company_a.pk, "kind": "visit", "summary": "Site visit"},
                             format="json")
    assert response.status_code == 201
    assert response.json()["last_contact_before"] is None
    assert response.json()["entry"]["company"] == company_a.pk


def test_the_timeline_lists_a_guests_entries_newest_first(client_a, frontdesk_a, guest_a, stay_a):
    client_a.post(TIMELINE, {"guest": guest_a.pk, "kind": "message", "summary": "WeChat hello"}, format="json")
    entries = client_a.get(TIMELINE, {"guest": guest_a.pk}).json()["results"]
    assert entries[0]["summary"] == "WeChat hello"
    assert {e["kind"] for e in entries} == {"message", "stay", "profile"}
    assert Activity.objects.filter(guest=guest_a).count() == len(entries)


def test_timeline_entries_only_accept_contact_kinds_and_need_a_subject(client_a, guest_a):
    response = client_a.post(TIMELINE, {"guest": guest_a.pk, "kind": "stay", "summary": "x"}, format="json")
    assert error_codes(response) == {"kind": "invalid_choice"}
    response = client_a.post(TIMELINE, {"kind": "call", "summary": "x"}, format="json")
    assert error_codes(response) == {"guest": "required"}
    response = client_a.get(TIMELINE)
    assert error_codes(response) == {"non_field_errors": "guest_or_company"}


def test_the_timeline_service_refuses_kinds_that_have_their_own_services(frontdesk_a, guest_a):
    with pytest.raises(ValidationError):
        interaction_log(actor=frontdesk_a, kind="consent", summary="x", guest=guest_a)
