"""Staff pages: building (with htmx partials), permissions and scoping, sending, results, responses, CSV, markers."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from concierge.core.models import AuditEvent
from concierge.guests.models import Preference
from concierge.surveys import services
from concierge.surveys.models import Invitation, Question, Survey, SurveyMarker
from concierge.surveys.services import answering
from concierge.surveys.tests.factories import answers, checked_out_stay, invite

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def as_quality(client: Client, quality_a) -> Client:
    client.force_login(quality_a)
    return client


@pytest.fixture
def answered(monkeypatch, survey_a, questions_a, guest_zh, quality_a, frontdesk_a, property_a):
    monkeypatch.setattr(answering, "_case_create_function", lambda: None)
    stay = checked_out_stay(frontdesk_a, guest_zh, property_a, dt.date.today() - dt.timedelta(days=3))
    invitation = invite(quality_a, survey_a, guest_zh, stay=stay)
    services.invitations_send(invitation_ids=[invitation.pk])
    return services.response_submit(invitation=invitation,
                                    answers=answers(questions_a, clean=2, wrong="毛巾不干净", comments="喜欢荞麦枕"))


def test_a_quality_manager_creates_a_survey(as_quality, property_a):
    response = as_quality.post("/surveys/new/", {
        "name": "Breakfast 2026", "kind": "periodic", "status": "draft", "property": property_a.pk,
        "title_zh": "早餐调查", "title_en": "Breakfast survey", "link_valid_days": 10, "low_score_5": 2,
        "low_score_10": 4})

    survey = Survey.objects.get(name="Breakfast 2026")
    assert response.status_code == 302 and response["Location"] == f"/surveys/{survey.pk}/"
    assert (survey.kind, survey.property, survey.title_zh) == ("periodic", property_a, "早餐调查")


def test_a_survey_cannot_be_activated_without_questions(as_quality, property_a, quality_a):
    survey = services.survey_create(actor=quality_a, name="Empty", property=property_a, title_zh="空",
                                    title_en="Empty")

    as_quality.post(f"/surveys/{survey.pk}/status/", {"status": "active"})

    survey.refresh_from_db()
    assert survey.status == "draft"


def test_adding_a_choice_question_with_htmx_returns_the_builder(as_quality, survey_a):
    response = as_quality.post(f"/surveys/{survey_a.pk}/questions/new/", {
        "kind": "single", "text_zh": "您是如何预订的？", "text_en": "How did you book?", "required": "on",
        "depends_operator": "lte",
        "choices-TOTAL_FORMS": "3", "choices-INITIAL_FORMS": "0",
        "choices-0-label_zh": "官网", "choices-0-label_en": "Our website",
        "choices-1-label_zh": "旅行社", "choices-1-label_en": "Travel agency", "choices-1-is_negative": "",
        "choices-2-label_zh": "", "choices-2-label_en": "",
    }, **HTMX)

    assert response.status_code == 200 and response["HX-Retarget"] == "#builder"
    question = Question.objects.get(text_en="How did you book?")
    assert [c.label_en for c in question.choices.all()] == ["Our website", "Travel agency"]
    assert "您是如何预订的？" in response.content.decode()


def test_a_follow_up_must_hang_on_a_rating(as_quality, survey_a, questions_a):
    response = as_quality.post(f"/surveys/{survey_a.pk}/questions/new/", {
        "kind": "text", "text_zh": "为什么？", "text_en": "Why?", "depends_on": questions_a["comments"].pk,
        "depends_operator": "lte", "depends_value": "2", "choices-TOTAL_FORMS": "0", "choices-INITIAL_FORMS": "0",
    }, **HTMX)

    assert response.status_code == 200 and "HX-Retarget" not in response
    assert not Question.objects.filter(text_en="Why?").exists()


def test_removing_an_answered_question_retires_it(as_quality, answered, questions_a):
    as_quality.post(f"/surveys/questions/{questions_a['comments'].pk}/remove/", **HTMX)

    question = Question.objects.get(pk=questions_a["comments"].pk)
    assert question.is_active is False


def test_a_question_with_follow_ups_cannot_be_removed(as_quality, questions_a):
    as_quality.post(f"/surveys/questions/{questions_a['clean'].pk}/remove/")

    assert Question.objects.filter(pk=questions_a["clean"].pk).exists()


def test_moving_a_follow_up_above_its_question_is_refused(as_quality, questions_a):
    as_quality.post(f"/surveys/questions/{questions_a['wrong'].pk}/move/up/")

    assert Question.objects.get(pk=questions_a["wrong"].pk).position > questions_a["clean"].position


def test_front_desk_reads_but_cannot_build(client: Client, frontdesk_a, survey_a):
    client.force_login(frontdesk_a)

    assert client.get(f"/surveys/{survey_a.pk}/").status_code == 200
    assert client.get(f"/surveys/{survey_a.pk}/results/").status_code == 200
    assert client.get(f"/surveys/{survey_a.pk}/edit/").status_code == 403
    assert client.get(f"/surveys/{survey_a.pk}/send/").status_code == 403
    assert client.post(f"/surveys/{survey_a.pk}/questions/new/", {}).status_code == 403


def test_another_property_sees_nothing(client: Client, frontdesk_b, survey_a, answered):
    client.force_login(frontdesk_b)

    for url in (f"/surveys/{survey_a.pk}/", f"/surveys/{survey_a.pk}/results/", f"/surveys/{survey_a.pk}/responses/",
                f"/surveys/responses/{answered.pk}/"):
        assert client.get(url).status_code == 404, url
    assert f'href="/surveys/{survey_a.pk}/"' not in client.get("/surveys/").content.decode()


def test_the_list_shows_counts(as_quality, answered, survey_a):
    html = as_quality.get("/surveys/").content.decode()

    assert survey_a.name in html and "100%" in html


def test_sending_to_one_guest(as_quality, survey_a, guest_zh):
    response = as_quality.post(f"/surveys/{survey_a.pk}/send/guest/", {"guest": guest_zh.pk})

    assert response.status_code == 302
    assert Invitation.objects.filter(guest=guest_zh, source="manual").exists()


def test_sending_to_an_audience_counts_first(as_quality, survey_a, guest_zh, property_a):
    preview = as_quality.get(f"/surveys/{survey_a.pk}/send/audience/",
                             {"property": property_a.pk, "cooldown_days": 90}, **HTMX)
    sent = as_quality.post(f"/surveys/{survey_a.pk}/send/", {"property": property_a.pk, "cooldown_days": 90})

    assert "1 can be invited" in preview.content.decode().replace("\n", " ").replace("  ", " ")
    assert sent.status_code == 302
    assert Invitation.objects.filter(guest=guest_zh, source="periodic").count() == 1


def test_the_guest_lookup_finds_guests_and_their_consent(as_quality, survey_a, guest_zh):
    html = as_quality.get(f"/surveys/{survey_a.pk}/send/lookup/", {"q": "王芳"}, **HTMX).content.decode()

    assert "王芳" in html and f'value="{guest_zh.pk}"' in html


def test_the_results_page_has_the_charts(as_quality, answered, survey_a, quality_a):
    SurveyMarker.objects.create(label="Housekeeping training", date=dt.date.today() - dt.timedelta(days=10),
                                department="housekeeping", created_by=quality_a)

    html = as_quality.get(f"/surveys/{survey_a.pk}/results/").content.decode()

    assert 'id="before-after-chart"' in html and "Housekeeping training" in html
    assert 'id="trend-chart"' in html and "survey-charts" in html
    assert "vendor/echarts/echarts.min.js" in html and "https://" not in html


def test_responses_link_to_the_guest_and_save_preferences(as_quality, answered, survey_a, guest_zh):
    html = as_quality.get(f"/surveys/{survey_a.pk}/responses/").content.decode()
    answer = answered.answers.get(text="喜欢荞麦枕")

    saved = as_quality.post(f"/surveys/answers/{answer.pk}/preference/", {"category": "pillow",
                                                                          "value": "荞麦枕"}, **HTMX)

    assert f'href="/guests/{guest_zh.pk}/"' in html and "喜欢荞麦枕" in html
    assert saved.status_code == 200 and 'data-testid="preference-saved"' in saved.content.decode()
    assert Preference.objects.get(guest=guest_zh, source="survey").value == "荞麦枕"


def test_the_response_page(as_quality, answered):
    html = as_quality.get(f"/surveys/responses/{answered.pk}/").content.decode()

    assert "毛巾不干净" in html and "Alert on the guest" in html


def test_responses_export_is_audited(as_quality, answered, survey_a, quality_a):
    response = as_quality.get(f"/surveys/{survey_a.pk}/responses.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")

    assert response["Content-Type"].startswith("text/csv")
    assert "王芳" in body and "毛巾不干净" in body
    assert AuditEvent.objects.filter(actor=quality_a, action="export", field="survey_responses").exists()


def test_results_export_has_the_figures(as_quality, answered, survey_a):
    body = b"".join(as_quality.get(f"/surveys/{survey_a.pk}/results.csv").streaming_content).decode("utf-8-sig")

    assert "Response rate,1/1" in body
    assert "Department,Housekeeping,1" in body


def test_change_markers(as_quality, property_a):
    response = as_quality.post("/surveys/changes/", {"label": "New breakfast menu", "date": "2026-03-01",
                                                     "department": "fnb", "property": property_a.pk})

    assert response.status_code == 302
    assert SurveyMarker.objects.get().label == "New breakfast menu"


def test_the_sidebar_lists_surveys(as_quality):
    html = as_quality.get("/surveys/").content.decode()

    assert 'href="/surveys/"' in html and 'href="/surveys/changes/"' in html


def test_the_survey_list_takes_a_fixed_number_of_queries(as_quality, quality_a, property_a,
                                                         django_assert_num_queries):
    from concierge.surveys.tests.factories import make_survey

    for name in ("A", "B", "C"):
        make_survey(quality_a, property=property_a, name=name)
    as_quality.get("/surveys/")  # warm caches (session, content types)

    # session, user, the user's property ids (scoping), the page count, the property filter's choices (3), and one
    # query for the surveys with their counts as subqueries: the same however many surveys there are.
    with django_assert_num_queries(8):
        assert as_quality.get("/surveys/").status_code == 200


def test_change_markers_are_scoped_by_property(client: Client, frontdesk_b, quality_a, property_a):
    SurveyMarker.objects.create(label="SHA only", date=dt.date(2026, 3, 1), property=property_a)
    SurveyMarker.objects.create(label="Whole group", date=dt.date(2026, 3, 2))
    client.force_login(frontdesk_b)

    html = client.get("/surveys/changes/").content.decode()

    assert "Whole group" in html and "SHA only" not in html
