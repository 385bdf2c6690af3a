"""Acting on answers: the timeline, a case (service centre) or an alert and a mail to the account manager for a
low score, a preference saved from an answer in one click, and personal-data erasure."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core import mail

from concierge.core.models import Activity
from concierge.guests.models import Alert, Guest, Preference
from concierge.surveys import services
from concierge.surveys.choices import FollowUpAction
from concierge.surveys.models import Answer, Invitation, Response
from concierge.surveys.services import answering
from concierge.surveys.tests.factories import answers, checked_out_stay, invite

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_service_centre(monkeypatch):
    monkeypatch.setattr(answering, "_case_create_function", lambda: None)


@pytest.fixture
def service_centre(monkeypatch):
    """A stand-in for concierge.cases.services.case_create that records its calls."""
    calls = []

    def case_create(*, actor, property, subject, case_type="complaint", department="front_office",  # noqa: A002
                    channel="phone", description="", guest=None, company=None, stay=None, owner=None,
                    opened_at=None):
        calls.append(locals())
        return SimpleNamespace(pk=4242)

    monkeypatch.setattr(answering, "_case_create_function", lambda: case_create)
    return calls


@pytest.fixture
def stay_a(frontdesk_a, guest_zh, property_a):
    return checked_out_stay(frontdesk_a, guest_zh, property_a, dt.date(2026, 3, 2))


def test_each_response_lands_on_the_guests_timeline(no_service_centre, survey_a, questions_a, guest_zh, quality_a):
    invitation = invite(quality_a, survey_a, guest_zh)

    services.response_submit(invitation=invitation, answers=answers(questions_a, nps=9, comments="很好"))

    entry = Activity.objects.filter(guest=guest_zh, data__event="survey_response").get()
    assert entry.summary == "Survey answered: Post-stay (likely to recommend: 9/10)"
    assert "您有多大可能向朋友推荐我们？ — 9/10" in entry.body and "很好" in entry.body
    assert entry.actor is None


def test_a_low_score_opens_a_complaint_in_the_service_centre(service_centre, survey_a, questions_a, guest_zh,
                                                             quality_a, stay_a, property_a):
    invitation = invite(quality_a, survey_a, guest_zh, stay=stay_a)

    response = services.response_submit(invitation=invitation,
                                         answers=answers(questions_a, clean=1, wrong="地毯有污渍"))

    assert (response.is_negative, response.action, response.case_id) == (True, FollowUpAction.CASE, 4242)
    call = service_centre[0]
    assert (call["case_type"], call["channel"], call["department"]) == ("complaint", "survey", "housekeeping")
    assert (call["guest"], call["stay"], call["property"]) == (guest_zh, stay_a, property_a)
    assert "客房清洁 1/5" in call["subject"] and "Room cleanliness 1/5" in call["subject"]
    assert not Alert.objects.filter(guest=guest_zh).exists()


def test_without_a_service_centre_the_account_manager_is_alerted(no_service_centre, django_capture_on_commit_callbacks,
                                                                 eager_celery, survey_a, questions_a, guest_zh,
                                                                 quality_a, stay_a, manager):
    manager.email, manager.language = "bob@example.com", "en"
    manager.save()
    Guest.objects.filter(pk=guest_zh.pk).update(owner=manager)
    invitation = invite(quality_a, survey_a, guest_zh, stay=stay_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = services.response_submit(invitation=Invitation.objects.get(pk=invitation.pk),
                                             answers=answers(questions_a, nps=2, clean=5))

    assert response.action == FollowUpAction.ALERT
    alert = Alert.objects.get(guest=guest_zh)
    assert alert.category == "complaint" and "2/10" in alert.text and "2026-03-02" in alert.text
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]
    assert mail.outbox[0].subject == "Low survey score from 王芳"
    assert f"/surveys/responses/{response.pk}/" in mail.outbox[0].body
    response.refresh_from_db()
    assert response.owner_notified_at is not None
    assert services.account_manager_notify(response_id=response.pk) is False  # a redelivered task mails nobody


def test_a_negative_option_counts_as_a_low_score(no_service_centre, survey_a, questions_a, guest_zh, quality_a):
    invitation = invite(quality_a, survey_a, guest_zh)

    response = services.response_submit(invitation=invitation, answers=answers(questions_a,
                                                                                extras=("Room was noisy",)))

    assert response.is_negative
    assert "Room was noisy" in Alert.objects.get(guest=guest_zh).text


def test_a_failing_service_centre_does_not_lose_the_answers(monkeypatch, survey_a, questions_a, guest_zh, quality_a):
    def broken(**kwargs):
        raise RuntimeError("cases table missing")

    monkeypatch.setattr(answering, "_case_create_function", lambda: broken)
    invitation = invite(quality_a, survey_a, guest_zh)

    response = services.response_submit(invitation=invitation, answers=answers(questions_a, overall=1))

    assert Response.objects.filter(pk=response.pk).exists()
    assert response.action == FollowUpAction.ALERT


def test_a_good_response_opens_nothing(service_centre, survey_a, questions_a, guest_zh, quality_a):
    invitation = invite(quality_a, survey_a, guest_zh)

    response = services.response_submit(invitation=invitation, answers=answers(questions_a))

    assert not response.is_negative and response.action == "" and service_centre == []


def test_staff_save_a_preference_from_an_answer(no_service_centre, survey_a, questions_a, guest_zh, quality_a,
                                                frontdesk_a, stay_a):
    invitation = invite(quality_a, survey_a, guest_zh, stay=stay_a)
    response = services.response_submit(invitation=invitation,
                                         answers=answers(questions_a, comments="希望下次安排高楼层安静的房间"))
    answer = response.answers.get(question=questions_a["comments"])

    preference = services.answer_save_preference(actor=frontdesk_a, answer=answer, category="floor",
                                                 value="高楼层，安静")

    assert (preference.source, preference.stay, preference.guest) == ("survey", stay_a, guest_zh)
    assert Answer.objects.get(pk=answer.pk).preference == preference


def test_erasing_a_guest_keeps_scores_but_not_the_person(no_service_centre, survey_a, questions_a, guest_zh,
                                                         quality_a):
    invitation = invite(quality_a, survey_a, guest_zh)
    services.response_submit(invitation=invitation, answers=answers(questions_a, comments="私人信息"))

    services.surveys_anonymize_guest(guest=guest_zh)

    response = Response.objects.get()
    assert response.guest is None and Invitation.objects.get().email == ""
    assert not Answer.objects.exclude(text="").exists()
    assert Answer.objects.filter(score__isnull=False).count() == 3


def test_the_follow_up_after_a_complaint(survey_a, guest_zh, property_a):
    case = SimpleNamespace(pk=77, property=property_a, stay=None, company=None)

    invitation = services.survey_send_followup(guest=guest_zh, case=case)
    again = services.survey_send_followup(guest=guest_zh, case=case)

    assert invitation is not None and again == invitation
    assert (invitation.case_id, invitation.source) == (77, "followup")
    survey = invitation.survey
    assert survey.kind == "followup" and survey.status == "active"
    assert survey.questions.count() == 2 and survey.title_zh and survey.title_en


def test_no_follow_up_without_email_consent(frontdesk_a, property_a, db):
    from concierge.surveys.tests.factories import make_guest

    guest = make_guest(frontdesk_a, property_a, consent=False)

    assert services.survey_send_followup(guest=guest, case=None) is None
    assert Preference.objects.count() == 0
