"""Property scoping through the API: Charlie at property B sees none of property A's data, on every endpoint."""
from __future__ import annotations

import datetime as dt

import pytest

from concierge.api.tests.factories import error_codes, make_guest
from concierge.guests.models import Alert, Preference
from concierge.guests.services import (
    alert_add,
    consent_set,
    contact_create,
    interaction_log,
    preference_add,
)
from concierge.stays.services import stay_create


@pytest.fixture
def data_a(frontdesk_a, guest_a, company_a, stay_a):
    """One of everything at property A."""
    return {
        "guest": guest_a,
        "company": company_a,
        "stay": stay_a,
        "contact": contact_create(actor=frontdesk_a, company=company_a, name="刘洋", phone="13911112222"),
        "preference": preference_add(actor=frontdesk_a, guest=guest_a, category="floor", value="High floor"),
        "alert": alert_add(actor=frontdesk_a, guest=guest_a, text="Peanut allergy", severity="critical"),
        "consent": consent_set(actor=frontdesk_a, guest=guest_a, channel="sms", granted=True, source="card"),
        "entry": interaction_log(actor=frontdesk_a, kind="call", summary="Welcome call", guest=guest_a,
                                 company=company_a),
    }


@pytest.mark.parametrize("url", [
    "/api/v1/guests/", "/api/v1/companies/", "/api/v1/contacts/", "/api/v1/stays/", "/api/v1/preferences/",
    "/api/v1/alerts/", "/api/v1/consents/",
])
def test_lists_are_empty_for_a_user_of_another_property(client_b, client_a, data_a, url):
    assert client_a.get(url).json()["count"] >= 1  # the data exists and property A sees it
    assert client_b.get(url).json()["count"] == 0
    assert client_b.get(url, {"guest": data_a["guest"].pk}).json()["count"] == 0


@pytest.mark.parametrize("url", [
    "/api/v1/guests/{guest}/", "/api/v1/guests/{guest}/card/", "/api/v1/companies/{company}/",
    "/api/v1/contacts/{contact}/", "/api/v1/stays/{stay}/", "/api/v1/preferences/{preference}/",
    "/api/v1/alerts/{alert}/", "/api/v1/timeline/?guest={guest}", "/api/v1/timeline/?company={company}",
])
def test_details_are_404_for_a_user_of_another_property(client_b, client_a, data_a, url):
    url = url.format(**{name: obj.pk for name, obj in data_a.items()})
    assert client_a.get(url).status_code == 200
    response = client_b.get(url)
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


@pytest.mark.parametrize("url", [
    "/api/v1/guests/{guest}/", "/api/v1/companies/{company}/", "/api/v1/contacts/{contact}/",
    "/api/v1/stays/{stay}/",
])
def test_updates_are_404_for_a_user_of_another_property(client_b, data_a, url):
    url = url.format(**{name: obj.pk for name, obj in data_a.items()})
    assert client_b.patch(url, {"notes": "x"}, format="json").status_code == 404


def test_removing_preferences_and_alerts_is_404_for_a_user_of_another_property(client_b, data_a):
    assert client_b.delete(f"/api/v1/preferences/{data_a['preference'].pk}/").status_code == 404
    assert client_b.delete(f"/api/v1/alerts/{data_a['alert'].pk}/").status_code == 404
    assert Preference.objects.get().is_active and Alert.objects.get().is_active


def test_search_and_lookup_find_nothing_for_a_user_of_another_property(client_b, data_a):
    assert client_b.get("/api/v1/search/", {"q": "张伟"}).json() == []
    assert client_b.get("/api/v1/search/", {"q": "阿里巴巴"}).json() == []
    assert client_b.get("/api/v1/guests/", {"search": "zhang wei"}).json()["count"] == 0
    assert client_b.get("/api/v1/guests/lookup/", {"phone": "13800138000"}).json() == []
    assert client_b.get("/api/v1/guests/lookup/", {"id_number": "11010519491231002x"}).json() == []


@pytest.mark.parametrize(("url", "payload", "field"), [
    ("/api/v1/preferences/", {"guest": "{guest}", "category": "floor", "value": "Low"}, "guest"),
    ("/api/v1/alerts/", {"guest": "{guest}", "text": "Note"}, "guest"),
    ("/api/v1/consents/", {"guest": "{guest}", "channel": "email", "granted": True}, "guest"),
    ("/api/v1/timeline/", {"guest": "{guest}", "kind": "call", "summary": "Hi"}, "guest"),
    ("/api/v1/timeline/", {"company": "{company}", "kind": "visit", "summary": "Hi"}, "company"),
    ("/api/v1/contacts/", {"company": "{company}", "name": "Someone"}, "company"),
    ("/api/v1/stays/", {"guest": "{guest}", "property": "{property_b}", "arrival": "2026-01-01",
                        "departure": "2026-01-02"}, "guest"),
    ("/api/v1/stays/", {"guest": None, "property": "{property_a}", "arrival": "2026-01-01",
                        "departure": "2026-01-02"}, "property"),
    ("/api/v1/guests/", {"full_name": "王小明", "property": "{property_a}"}, "property"),
    ("/api/v1/companies/", {"name_en": "Acme", "properties": ["{property_a}"]}, "properties"),
])
def test_creates_referring_to_another_propertys_data_are_a_400_naming_the_field(
    client_b, data_a, property_a, property_b, url, payload, field
):
    ids = {**{name: obj.pk for name, obj in data_a.items()}, "property_a": property_a.pk, "property_b": property_b.pk}

    def fill(value: object) -> object:
        if isinstance(value, str) and value.startswith("{"):
            return ids[value.strip("{}")]
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    response = client_b.post(url, {key: fill(value) for key, value in payload.items()}, format="json")
    assert response.status_code == 400
    assert field in {attr.split(".")[0] for attr in error_codes(response)}


def test_a_user_of_property_b_does_see_property_b_guests(client_b, frontdesk_b, property_b, data_a):
    guest_b = make_guest(frontdesk_b, property_b, phone="13800138000")
    assert [row["id"] for row in client_b.get("/api/v1/guests/").json()["results"]] == [guest_b.pk]
    assert [row["id"] for row in client_b.get("/api/v1/guests/lookup/", {"phone": "13800138000"}).json()] == [
        guest_b.pk]


def test_a_property_b_user_may_read_a_guest_linked_to_both_properties(client_b, frontdesk_b, property_b, data_a):
    guest = data_a["guest"]
    stay_create(actor=frontdesk_b, guest=guest, property=property_b, arrival=dt.date(2025, 1, 1),
                departure=dt.date(2025, 1, 2), status="checked_out")
    assert client_b.get(f"/api/v1/guests/{guest.pk}/").status_code == 200
    # ...but not the stays, nor the timeline entries, recorded at property A.
    assert client_b.get("/api/v1/stays/", {"guest": guest.pk}).json()["count"] == 1
    summaries = [e["summary"] for e in client_b.get("/api/v1/timeline/", {"guest": guest.pk}).json()["results"]]
    assert not any("1208" in s for s in summaries)
