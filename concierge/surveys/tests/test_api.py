"""REST API: list surveys (scoped), one survey with its questions, send to a guest, responses and aggregates."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from concierge.surveys import services
from concierge.surveys.models import Invitation
from concierge.surveys.services import answering
from concierge.surveys.tests.factories import answers, invite, make_guest

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def answered(monkeypatch, survey_a, questions_a, guest_zh, quality_a):
    monkeypatch.setattr(answering, "_case_create_function", lambda: None)
    invitation = invite(quality_a, survey_a, guest_zh)
    services.invitations_send(invitation_ids=[invitation.pk])
    return services.response_submit(invitation=invitation, answers=answers(questions_a, nps=6, comments="一般"))


def test_list_surveys_is_scoped(survey_a, frontdesk_a, frontdesk_b):
    mine = api(frontdesk_a).get("/api/v1/surveys/").json()
    theirs = api(frontdesk_b).get("/api/v1/surveys/").json()

    assert [s["id"] for s in mine["results"]] == [survey_a.pk]
    assert mine["results"][0]["property"]["code"] == "SHA"
    assert theirs["results"] == []


def test_a_survey_with_its_questions(survey_a, frontdesk_a, questions_a):
    body = api(frontdesk_a).get(f"/api/v1/surveys/{survey_a.pk}/").json()

    assert [q["kind"] for q in body["questions"]] == ["nps", "likert", "department", "text", "single", "multiple",
                                                      "text"]
    wrong = next(q for q in body["questions"] if q["text_en"] == "What went wrong?")
    assert (wrong["depends_on"], wrong["depends_operator"], wrong["depends_value"]) == (
        questions_a["clean"].pk, "lte", 2)


def test_send_to_a_guest(survey_a, quality_a, guest_zh):
    response = api(quality_a).post(f"/api/v1/surveys/{survey_a.pk}/send/", {"guest": guest_zh.pk}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending" and response.json()["language"] == "zh-hans"
    assert Invitation.objects.filter(guest=guest_zh).count() == 1


def test_send_refuses_without_consent_with_a_stable_code(survey_a, quality_a, frontdesk_a, property_a):
    guest = make_guest(frontdesk_a, property_a, consent=False)

    response = api(quality_a).post(f"/api/v1/surveys/{survey_a.pk}/send/", {"guest": guest.pk}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "code": "no_consent", "detail": "The guest has not agreed to receive email.", "attr": "guest"}


def test_front_desk_cannot_send(survey_a, frontdesk_a, guest_zh):
    response = api(frontdesk_a).post(f"/api/v1/surveys/{survey_a.pk}/send/", {"guest": guest_zh.pk}, format="json")

    assert response.status_code == 403


def test_a_guest_of_another_property_cannot_be_addressed(survey_a, quality_a, frontdesk_b, property_b):
    stranger = make_guest(frontdesk_b, property_b)

    response = api(quality_a).post(f"/api/v1/surveys/{survey_a.pk}/send/", {"guest": stranger.pk}, format="json")

    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "guest"


def test_responses(answered, survey_a, frontdesk_a, frontdesk_b, questions_a):
    body = api(frontdesk_a).get(f"/api/v1/surveys/{survey_a.pk}/responses/").json()

    assert body["count"] == 1
    row = body["results"][0]
    assert row["guest"]["display_name"] == "王芳" and row["is_negative"] is False
    assert {a["question"]: a["score"] for a in row["answers"]}[questions_a["nps"].pk] == 6
    assert api(frontdesk_b).get(f"/api/v1/surveys/{survey_a.pk}/responses/").status_code == 404


def test_results(answered, survey_a, frontdesk_a):
    body = api(frontdesk_a).get(f"/api/v1/surveys/{survey_a.pk}/results/").json()

    assert (body["invited"], body["responses"]) == (1, 1)
    assert body["response_rate"]["value"] == 100.0
    assert body["nps"] == {"value": -100.0, "low": -100.0, "high": body["nps"]["high"], "n": 1, "promoters": 0,
                           "passives": 0, "detractors": 1}
    assert body["departments"][0]["department"] == "housekeeping"
    assert len(body["months"]) == 12


def test_results_reject_a_bad_date(survey_a, frontdesk_a):
    response = api(frontdesk_a).get(f"/api/v1/surveys/{survey_a.pk}/results/", {"date_from": "March"})

    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "date_from"
