"""Answering: required questions, follow-ups only when their condition holds (enforced by the server), options
of the question only, scores on the scale; answers stored with the response's survey and property, counted by
the property's local day."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from freezegun import freeze_time

from concierge.surveys import services
from concierge.surveys.models import Answer, Response
from concierge.surveys.tests.factories import answers, invite, link, post_data

pytestmark = pytest.mark.django_db


def test_a_missing_required_answer_is_shown_on_the_form(client: Client, survey_a, questions_a, guest_zh, quality_a):
    invitation = invite(quality_a, survey_a, guest_zh)
    data = post_data(questions_a)
    del data[f"q{questions_a['nps'].pk}"]

    response = client.post(link(invitation), data)

    assert response.status_code == 400
    with translation.override("zh-hans"):  # the message in the guest's language, whatever the catalogue says
        assert gettext("This field is required.") in response.content.decode()
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered_at is None  # the link is not used up by a rejected submission


def test_the_follow_up_is_required_when_the_score_is_low(client: Client, survey_a, questions_a, guest_zh, quality_a):
    invitation = invite(quality_a, survey_a, guest_zh)

    response = client.post(link(invitation), post_data(questions_a, clean=2))

    assert response.status_code == 400
    assert not Response.objects.exists()


def test_the_follow_up_is_kept_when_the_score_is_low(survey_a, questions_a, guest_zh, quality_a):
    invitation = invite(quality_a, survey_a, guest_zh)

    saved = services.response_submit(invitation=invitation,
                                     answers=answers(questions_a, clean=1, wrong="浴室有头发"))

    assert saved.answers.get(question=questions_a["wrong"]).text == "浴室有头发"


def test_a_follow_up_answer_sent_anyway_is_dropped_when_the_score_is_fine(survey_a, questions_a, guest_zh, quality_a):
    invitation = invite(quality_a, survey_a, guest_zh)

    saved = services.response_submit(invitation=invitation,
                                     answers=answers(questions_a, clean=5, wrong="injected text"))

    assert not saved.answers.filter(question=questions_a["wrong"]).exists()
    assert not Answer.objects.filter(text="injected text").exists()


def test_scores_outside_the_scale_are_refused(survey_a, questions_a, guest_zh, quality_a):
    invitation = invite(quality_a, survey_a, guest_zh)

    with pytest.raises(ValidationError) as exc:
        services.response_submit(invitation=invitation, answers=answers(questions_a, overall=6))

    assert f"q{questions_a['overall'].pk}" in exc.value.message_dict


def test_an_option_of_another_question_is_refused(survey_a, questions_a, guest_zh, quality_a):
    invitation = invite(quality_a, survey_a, guest_zh)
    values = answers(questions_a)
    values[questions_a["reason"].pk] = questions_a["extras"].choices.first().pk

    with pytest.raises(ValidationError):
        services.response_submit(invitation=invitation, answers=values)


def test_answers_are_stored_with_survey_property_and_counted_on_the_local_day(survey_a, questions_a, guest_zh,
                                                                             quality_a, property_a):
    from concierge.surveys.models import SurveyStat

    invitation = invite(quality_a, survey_a, guest_zh)
    with freeze_time("2026-03-31 17:30:00+00:00"):  # already 1 April in Shanghai
        saved = services.response_submit(invitation=invitation, answers=answers(questions_a, extras=("Breakfast",
                                                                                                     "Gym")))

    rows = list(saved.answers.all())
    assert {a.survey_id for a in rows} == {survey_a.pk}
    assert {a.property_id for a in rows} == {property_a.pk}
    chosen = saved.answers.get(question=questions_a["extras"]).choices.values_list("label_en", flat=True)
    assert sorted(chosen) == ["Breakfast", "Gym"]
    assert set(SurveyStat.objects.values_list("day", flat=True)) == {dt.date(2026, 4, 1)}
    assert SurveyStat.objects.get(metric="r").n == 1
    assert SurveyStat.objects.get(metric="a", question_key=questions_a["nps"].pk).value == 9


def test_the_preview_checks_answers_without_saving(client: Client, survey_a, questions_a, quality_a):
    client.force_login(quality_a)

    page = client.get(f"/surveys/{survey_a.pk}/preview/?lang=en")
    checked = client.post(f"/surveys/{survey_a.pk}/preview/?lang=en", post_data(questions_a, clean=1))

    assert page.status_code == 200 and "Preview" in page.content.decode()
    assert "What went wrong?" in page.content.decode()
    assert "This field is required." in checked.content.decode()  # the follow-up became required
    assert not Response.objects.exists()
