"""The results selector against hand-counted answers: response rate, NPS, CSAT per question/department/month/
property, before/after a change; scoped to the user's properties; a fixed number of queries."""
from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time

from concierge.surveys import selectors, services
from concierge.surveys.tests.factories import answers, invite, make_guest, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_survey(manager, frontdesk_a, property_a, property_b, monkeypatch):
    """A group-wide survey. Property A: 4 responses in March (NPS 10, 9, 7, 3; cleanliness 2, 3, 4, 5),
    1 in May (NPS 10, cleanliness 5), 1 invitation unanswered. Property B: 1 response in April (NPS 0)."""
    from concierge.surveys.services import answering

    monkeypatch.setattr(answering, "_case_create_function", lambda: None)
    survey, q = make_survey(manager, property=None)
    rows = [
        ("2026-03-05", property_a, dict(nps=10, overall=5, clean=2, wrong="脏")),
        ("2026-03-10", property_a, dict(nps=9, overall=4, clean=3)),
        ("2026-03-20", property_a, dict(nps=7, overall=3, clean=4)),
        ("2026-03-25", property_a, dict(nps=3, overall=2, clean=5, reason="leisure")),
        ("2026-05-02", property_a, dict(nps=10, overall=5, clean=5)),
        ("2026-04-15", property_b, dict(nps=0, overall=1, clean=1, wrong="差")),
    ]
    for i, (day, prop, values) in enumerate(rows):
        guest = make_guest(frontdesk_a, prop, email=f"g{i}@example.cn")
        with freeze_time(f"{day} 09:00:00+08:00"):
            invitation = invite(manager, survey, guest, property=prop)
            services.invitations_send(invitation_ids=[invitation.pk])
        with freeze_time(f"{day} 20:00:00+08:00"):
            services.response_submit(invitation=invitation, answers=answers(q, **values))
    unanswered = make_guest(frontdesk_a, property_a, email="quiet@example.cn")
    with freeze_time("2026-03-28 09:00:00+08:00"):
        services.invitations_send(invitation_ids=[invite(manager, survey, unanswered, property=property_a).pk])
    return survey, q


def results(survey, user, **extra):
    return selectors.survey_results(survey=survey, user=user, date_from=dt.date(2026, 1, 1),
                                    date_to=dt.date(2026, 6, 30), **extra)


def test_headline_figures(group_survey, manager):
    survey, q = group_survey
    r = results(survey, manager)

    assert (r.invited, r.responses) == (7, 6)
    assert (r.response_rate.k, r.response_rate.n) == (6, 7)
    # NPS answers 10, 9, 7, 3, 10, 0: promoters 3, passives 1, detractors 2 -> 100 * (3 - 2) / 6
    assert (r.nps.promoters, r.nps.passives, r.nps.detractors) == (3, 1, 2)
    assert r.nps.score == pytest.approx(16.667, abs=0.001)
    # CSAT over overall (5,4,3,2,5,1) and cleanliness (2,3,4,5,5,1): 4s and 5s = 3 + 3 of 12
    assert (r.csat.k, r.csat.n) == (6, 12)


def test_per_question_and_department(group_survey, manager):
    survey, q = group_survey
    by_question = {x.question.pk: x for x in results(survey, manager).questions}

    clean = by_question[q["clean"].pk]
    assert clean.histogram == [(1, 1), (2, 1), (3, 1), (4, 1), (5, 2)]
    assert clean.mean == pytest.approx(20 / 6)
    assert (clean.csat.k, clean.csat.n) == (3, 6)
    reason = dict((c.label_en, n) for c, n in by_question[q["reason"].pk].choices)
    assert reason == {"Business": 5, "Leisure": 1}
    departments = results(survey, manager).departments
    assert [(d.department, d.n, d.csat.k) for d in departments] == [("housekeeping", 6, 3)]


def test_trends_by_month_and_property(group_survey, manager, property_a, property_b):
    survey, _q = group_survey
    r = results(survey, manager)

    months = {m.month: m for m in r.months}
    assert list(months) == [dt.date(2026, m, 1) for m in range(1, 7)]
    assert months[dt.date(2026, 3, 1)].nps.score == pytest.approx(25.0)  # 10, 9, 7, 3
    assert months[dt.date(2026, 4, 1)].nps.score == -100.0
    assert months[dt.date(2026, 1, 1)].nps.n == 0
    props = {p.property.code: p for p in r.properties}
    assert (props["SHA"].invited, props["SHA"].responses) == (6, 5)
    assert props["HGH"].nps.score == -100.0


def test_before_and_after_a_change(group_survey, manager):
    survey, _q = group_survey

    r = results(survey, manager, pivot=dt.date(2026, 3, 15), window_days=45)

    row = r.before_after.rows[0]
    assert row.department == "housekeeping"
    assert (row.before.k, row.before.n) == (0, 2)   # 2, 3 before 15 March
    assert (row.after.k, row.after.n) == (2, 3)     # 4, 5 in March, 1 on 15 April at B (within 45 days)
    assert row.change == pytest.approx(66.667, abs=0.001)


def test_a_property_user_sees_only_their_property(group_survey, frontdesk_b, frontdesk_a):
    survey, _q = group_survey

    only_b = results(survey, frontdesk_b)
    only_a = results(survey, frontdesk_a)

    assert (only_b.responses, only_b.invited, only_b.nps.n) == (1, 1, 1)
    assert (only_a.responses, only_a.invited) == (5, 6)
    assert [p.property.code for p in only_b.properties] == ["HGH"]


def test_the_results_take_a_fixed_number_of_queries(group_survey, manager, django_assert_num_queries):
    # questions + options, the (property, month, question, score) cube, options chosen, texts written, responses
    # and invitations (totals, per property), properties, markers, before/after: 10 small grouped queries.
    survey, _q = group_survey

    with django_assert_num_queries(10):
        results(survey, manager, pivot=dt.date(2026, 3, 15))


def test_the_database_nps_equals_the_arithmetic(group_survey, manager):
    from concierge.surveys.models import Answer
    from concierge.surveys.stats import nps_from_scores

    survey, q = group_survey
    scores = list(Answer.objects.filter(question=q["nps"]).values_list("score", flat=True))

    assert results(survey, manager).nps == nps_from_scores(scores)


def test_a_property_survey_is_invisible_to_other_properties(quality_a, property_a, frontdesk_b, frontdesk_a):
    survey, _q = make_survey(quality_a, property=property_a)

    assert not selectors.surveys_for(frontdesk_b).filter(pk=survey.pk).exists()
    assert selectors.surveys_for(frontdesk_a).filter(pk=survey.pk).exists()
