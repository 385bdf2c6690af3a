"""The daily counts behind the results page stay equal to a recount from the rows they count."""
from __future__ import annotations

import pytest
from freezegun import freeze_time

from concierge.surveys import services
from concierge.surveys.models import SurveyStat
from concierge.surveys.services.stats import survey_stats_rebuild
from concierge.surveys.tests.factories import answers, invite, make_guest, make_survey

pytestmark = pytest.mark.django_db


def snapshot(survey) -> list[tuple]:
    return sorted(SurveyStat.objects.filter(survey=survey).values_list(
        "metric", "day", "property_key", "question_key", "value", "n"))


def test_live_counts_equal_a_recount(monkeypatch, manager, frontdesk_a, property_a, property_b):
    from concierge.surveys.services import answering

    monkeypatch.setattr(answering, "_case_create_function", lambda: None)
    survey, q = make_survey(manager)
    plan = [  # (sent, answered, property, answers)
        ("2026-03-01 09:00+08:00", "2026-03-01 23:30+08:00", property_a, dict(nps=10, extras=("Gym", "Breakfast"),
                                                                             comments="好")),
        ("2026-03-01 23:50+08:00", "2026-03-02 00:10+08:00", property_a, dict(nps=3, clean=1, wrong="脏")),
        ("2026-03-05 10:00+08:00", None, property_a, None),
        ("2026-04-10 10:00+08:00", "2026-04-11 08:00+08:00", property_b, dict(nps=8, reason="leisure")),
        (None, "2026-04-12 08:00+08:00", None, dict(nps=9)),  # handed over without a mail, no property
    ]
    for i, (sent, answered, prop, values) in enumerate(plan):
        guest = make_guest(frontdesk_a, prop or property_a, email=f"s{i}@example.cn")
        with freeze_time(sent or "2026-04-12 07:00+08:00"):
            invitation = invite(manager, survey, guest, property=prop)
            if sent:
                services.invitations_send(invitation_ids=[invitation.pk])
        if answered:
            invitation.refresh_from_db()
            with freeze_time(answered):
                services.response_submit(invitation=invitation, answers=answers(q, **values))
    live = snapshot(survey)

    survey_stats_rebuild(survey=survey)

    assert snapshot(survey) == live
    metrics = {m for m, *_rest in live}
    assert metrics == {"a", "c", "t", "r", "s", "y"}
