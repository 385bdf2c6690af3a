"""Service-centre API: the same services as the web, validation and workflow errors with stable codes."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from concierge.cases.models import Case
from concierge.cases.tests.factories import make_article, make_case, make_stay, root_cause

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(service_a):
    client = APIClient()
    client.force_authenticate(service_a)
    return client


def test_open_work_and_resolve_a_case(api, guest_a, service_a, property_a):
    stay = make_stay(service_a, guest_a, property_a, arrival=dt.date(2026, 3, 1), status="in_house")
    response = api.post("/api/v1/cases/", {"subject": "Shower leaking", "stay": stay.pk, "department": "engineering",
                                           "priority": "high"}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["guest"]["id"] == guest_a.pk and data["property"]["code"] == "SHA" and data["status"] == "new"
    assert data["first_response_due_at"] and data["events"][0]["kind"] == "created"
    pk = data["id"]
    assert api.post(f"/api/v1/cases/{pk}/respond/", {"note": "Plumber sent."}).json()["status"] == "in_progress"
    response = api.post(f"/api/v1/cases/{pk}/resolve/", {
        "resolution": "Seal replaced.", "root_cause": root_cause("broken-facility").pk, "guest_told_via": "phone"})
    assert response.status_code == 200, response.content
    loop = response.json()["loop"]
    assert loop["guest"] == "done" and loop["next_stay_alert"] == "done"


def test_illegal_transitions_answer_400_with_the_code(api, service_a, property_a):
    case = make_case(service_a, property_a)
    response = api.post(f"/api/v1/cases/{case.pk}/transition/", {"status": "closed"})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["code"], error["attr"]) == ("illegal_transition", "status")
    assert "cannot go from “New” to “Closed”" in error["detail"]
    response = api.post(f"/api/v1/cases/{case.pk}/transition/", {"status": "resolved"})
    assert response.json()["errors"][0]["code"] == "resolve_needs_resolution"
    response = api.post(f"/api/v1/cases/{case.pk}/resolve/", {"resolution": "x"})
    assert {(e["attr"], e["code"]) for e in response.json()["errors"]} == {("root_cause", "required")}


def test_assigning_someone_of_another_hotel_is_refused(api, service_a, property_a, frontdesk_b):
    case = make_case(service_a, property_a)
    response = api.post(f"/api/v1/cases/{case.pk}/assign/", {"owner": frontdesk_b.pk})
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "wrong_property"


def test_the_list_filters_like_the_web_list(api, service_a, property_a):
    make_case(service_a, property_a, subject="Noise", priority="urgent")
    make_case(service_a, property_a, subject="Towels", case_type="request")
    assert api.get("/api/v1/cases/", {"priority": "urgent"}).json()["count"] == 1
    assert api.get("/api/v1/cases/", {"case_type": "request"}).json()["results"][0]["subject"] == "Towels"
    assert api.get("/api/v1/cases/", {"state": "open"}).json()["count"] == 2


def test_patch_changes_priority_and_due_times(api, service_a, property_a):
    case = make_case(service_a, property_a)
    response = api.patch(f"/api/v1/cases/{case.pk}/", {"priority": "urgent"}, format="json")
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).first_response_due_at < case.first_response_due_at


def test_knowledge_base_search_and_article(api, service_a, property_a):
    article = make_article(service_a, property=property_a, zh=("空调噪音处理", "客房空调噪音很大时，先请工程部检查。"),
                           en=("Noisy air conditioning", "Ask engineering to check the unit first."))
    hits = api.get("/api/v1/kb/search/", {"q": "空调噪音"}).json()
    assert [(h["id"], h["language"]) for h in hits] == [(article.pk, "zh-hans")]
    assert api.get("/api/v1/kb/search/", {"q": "engineering", "language": "en"}).json()[0]["language"] == "en"
    detail = api.get(f"/api/v1/kb/articles/{article.pk}/").json()
    assert {t["language"] for t in detail["translations"]} == {"zh-hans", "en"}


def test_lost_items_and_metrics(api, service_a, property_a, guest_a):
    make_stay(service_a, guest_a, property_a, arrival=dt.date(2026, 3, 1), nights=2, room="1203")
    response = api.post("/api/v1/lost-items/", {"found_on": "2026-03-03", "room_number": "1203",
                                                "description": "Kindle", "storage_location": "HK office"})
    assert response.status_code == 201 and response.json()["guest"]["id"] == guest_a.pk
    make_case(service_a, property_a)
    metrics = api.get("/api/v1/service-metrics/", {"group_by": "department"}).json()
    assert metrics["rows"][0]["cases"] == 1 and metrics["loop"]["complaints"] == 0


def test_the_schema_documents_the_service_endpoints_without_warnings(tmp_path, api, capfd):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    for path in ("/api/v1/screen-pop/", "/api/v1/cases/", "/api/v1/cases/{id}/transition/",
                 "/api/v1/kb/search/", "/api/v1/lost-items/", "/api/v1/service-metrics/"):
        assert path in schema["paths"], path
    capfd.readouterr()
    call_command("spectacular", "--validate", "--file", str(tmp_path / "schema.yaml"))
    output = "".join(capfd.readouterr())
    assert "concierge/cases/" not in output, output  # warnings name the file of the view they are about
