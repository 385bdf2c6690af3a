"""seed_surveys: the bilingual demo survey with a year of responses over the seed_demo guests and stays."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from concierge.core.models import Activity
from concierge.guests.models import Guest
from concierge.surveys.demo import DEMO_NAME, TRAINING_DAYS_AGO
from concierge.surveys.models import Invitation, Response, Survey, SurveyMarker, SurveyTrigger
from concierge.surveys.selectors import reachable_guests

pytestmark = pytest.mark.django_db


def test_it_needs_the_demo_hotels_first():
    with pytest.raises(CommandError):
        call_command("seed_surveys", stdout=io.StringIO())


def test_it_seeds_a_year_of_responses_once(monkeypatch):
    from concierge.surveys.services import answering

    monkeypatch.setattr(answering, "_case_create_function", lambda: None)
    call_command("seed_demo", guests=400, seed=7, stdout=io.StringIO())
    out = io.StringIO()

    call_command("seed_surveys", stdout=out)
    call_command("seed_surveys", stdout=out)

    survey = Survey.objects.get(name=DEMO_NAME)
    assert survey.status == "active" and survey.title_zh and survey.title_en
    assert all(q.text_zh and q.text_en for q in survey.questions.all())
    assert SurveyTrigger.objects.filter(survey=survey, is_active=True).count() == 3
    training = SurveyMarker.objects.get(department="housekeeping")
    assert training.date == timezone.localdate() - dt.timedelta(days=TRAINING_DAYS_AGO)
    responses = Response.objects.filter(survey=survey)
    assert responses.count() > 20
    assert "nothing to do" in out.getvalue()
    # Only guests whose email consent is in force were invited.
    invited = set(Invitation.objects.values_list("guest_id", flat=True))
    assert invited <= set(reachable_guests(Guest.objects.all()).values_list("pk", flat=True))
    # Every response is on its guest's timeline; history older than two weeks opened no case or alert.
    assert Activity.objects.filter(data__event="survey_response").count() == responses.count()
    old = responses.filter(submitted_at__lt=timezone.now() - dt.timedelta(days=15))
    assert not old.exclude(action="").exists()
