"""Fitting a scope writes scores and churn risk with reasons; the nightly task fits every scope."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concierge.cases.services import case_create
from concierge.clv.choices import ChurnReason, reason_text
from concierge.clv.models import ChurnRisk, ClvFit, GuestClv
from concierge.clv.services import fit_all_scopes, fit_scope
from concierge.clv.tasks import fit_clv_models
from concierge.core.models import Activity
from concierge.guests.models import Company, Tag


def _score(guest, property=None):  # noqa: A002
    return GuestClv.objects.get(guest=guest, property=property)


def _codes(guest, property=None):  # noqa: A002
    return [r["code"] for r in _score(guest, property).churn_reasons]


def test_a_fit_scores_every_guest_of_the_scope(people, property_a, today):
    fit = fit_scope(property=property_a, calibration_end=today)
    assert fit.error == "" and fit.r > 0 and fit.p > 0
    assert fit.customers == len(people)
    assert GuestClv.objects.filter(property=property_a, fit=fit).count() == len(people)
    regular = _score(people["regular0"], property_a)
    assert 0.5 < regular.p_alive <= 1 and regular.expected_stays > 5 and regular.clv > 0
    assert regular.churn_risk == ChurnRisk.LOW
    assert sum(fit.summary["p_alive_hist"]) == len(people) and len(fit.summary["clv_deciles"]) == 10


def test_a_lapsed_valuable_guest_is_at_high_risk_with_a_long_gap(people, property_a, today):
    fit_scope(property=property_a, calibration_end=today)
    vip = _score(people["vip"], property_a)
    assert vip.p_alive < 0.25 and vip.churn_risk == ChurnRisk.HIGH
    gap = vip.churn_reasons[0]
    last_stay = max(people["vip"].stays.values_list("arrival", flat=True))
    assert gap["code"] == ChurnReason.LONG_GAP and gap["gap_days"] == (today - last_stay).days
    assert gap["usual_days"] == 14
    assert str(gap["gap_days"]) in reason_text(gap)["detail"]


def test_a_lapsed_small_spender_is_not_on_the_list(people, property_a, today):
    fit_scope(property=property_a, calibration_end=today)
    small = _score(people["small"], property_a)
    assert small.p_alive < 0.5 and small.churn_risk == ChurnRisk.LOW and small.churn_reasons == []


def test_the_previous_probability_is_kept_and_a_drop_is_a_reason(people, property_a, today):
    earlier = today - dt.timedelta(days=395)  # five days after the VIP's last stay: still alive
    fit_scope(property=property_a, calibration_end=earlier)
    before = _score(people["vip"], property_a).p_alive
    assert before > 0.8
    fit_scope(property=property_a, calibration_end=today)
    vip = _score(people["vip"], property_a)
    assert vip.previous_p_alive == pytest.approx(before)
    drop = next(r for r in vip.churn_reasons if r["code"] == ChurnReason.P_ALIVE_DROP)
    assert drop["before"] == pytest.approx(round(before, 2))


def test_an_open_complaint_is_a_reason(people, property_a, frontdesk_a, today):
    case_create(actor=frontdesk_a, property=property_a, subject="Noisy room", guest=people["vip"])
    fit_scope(property=property_a, calibration_end=today)
    assert ChurnReason.OPEN_COMPLAINT in _codes(people["vip"], property_a)
    assert ChurnReason.OPEN_COMPLAINT not in _codes(people["regular0"], property_a)


def test_a_low_survey_score_is_a_reason(people, property_a, frontdesk_a, today):
    from concierge.surveys.services import response_submit
    from concierge.surveys.tests.factories import answers, grant_email, invite, make_survey

    survey, questions = make_survey(frontdesk_a, property=property_a)
    vip = people["vip"]
    vip.email = "vip@example.cn"
    vip.save(update_fields=["email"])
    grant_email(vip)
    response = response_submit(invitation=invite(frontdesk_a, survey, vip),
                               answers=answers(questions, nps=1, overall=1, clean=1, wrong="dirty"), act=False)
    assert response.is_negative
    fit_scope(calibration_end=today)
    assert ChurnReason.LOW_SURVEY in _codes(vip)


def test_a_lost_contract_is_a_reason(people, property_a, today):
    company = Company.objects.create(name_zh="远大科技", name_en="Yuanda Tech", status="lost")
    vip = people["vip"]
    vip.company = company
    vip.save(update_fields=["company"])
    fit_scope(calibration_end=today)
    reason = next(r for r in _score(vip).churn_reasons if r["code"] == ChurnReason.LOST_CONTRACT)
    assert "Yuanda Tech" in reason_text(reason)["detail"]


def test_a_competitor_note_on_the_timeline_is_a_reason(people, property_a, today):
    Activity.objects.create(kind="call", guest=people["vip"], summary="客户说最近住在竞争对手酒店",
                            occurred_at=timezone.now() - dt.timedelta(days=3))
    fit_scope(property=property_a, calibration_end=today)
    assert ChurnReason.COMPETITOR in _codes(people["vip"], property_a)


def test_a_competitor_tag_is_a_reason(people, property_a, today):
    people["vip"].tags.add(Tag.objects.create(name="competitor"))
    fit_scope(property=property_a, calibration_end=today)
    assert ChurnReason.COMPETITOR in _codes(people["vip"], property_a)


def test_too_few_guests_record_a_failed_fit_and_keep_old_scores(people, property_a, property_b, today):
    fit = fit_scope(property=property_b, calibration_end=today)
    assert fit.pk and "too few customers" in fit.error and fit.r is None
    assert not GuestClv.objects.filter(property=property_b).exists()


def test_refitting_replaces_the_scores_of_the_scope_only(people, property_a, today):
    fit_scope(property=property_a, calibration_end=today)
    fit_scope(property=None, calibration_end=today)
    second = fit_scope(property=property_a, calibration_end=today)
    assert GuestClv.objects.filter(property=property_a).count() == len(people)
    assert set(GuestClv.objects.filter(property=property_a).values_list("fit", flat=True)) == {second.pk}
    assert GuestClv.objects.filter(property__isnull=True).count() == len(people)


def test_the_nightly_task_fits_the_group_and_every_property(people, property_a, property_b):
    result = fit_clv_models()
    assert result == {"fits": 3, "failed": 1}  # property B has no guests
    assert ClvFit.objects.filter(property__isnull=True, error="").exists()
    assert ClvFit.objects.filter(property=property_a, error="").exists()


def test_the_task_runs_through_celery(people, property_a, eager_celery):
    fit_clv_models.delay()
    assert ClvFit.objects.filter(property=property_a, error="").count() == 1


def test_fit_all_scopes_returns_one_fit_per_scope(people, property_a, property_b, today):
    assert [f.property_id for f in fit_all_scopes(calibration_end=today)] == [None, property_b.pk, property_a.pk]


def test_large_scopes_fit_on_a_sample_and_still_score_everyone(people, property_a, today, monkeypatch):
    from concierge.clv import services

    monkeypatch.setattr(services, "FIT_SAMPLE_SIZE", 20)
    fit = fit_scope(property=property_a, calibration_end=today)
    assert fit.error == "" and fit.customers == len(people)
    assert GuestClv.objects.filter(property=property_a).count() == len(people)


def test_an_optimiser_that_does_not_converge_records_the_error_and_keeps_old_scores(people, property_a, today,
                                                                                    monkeypatch):
    from concierge.clv import estimators

    first = fit_scope(property=property_a, calibration_end=today)
    monkeypatch.setattr(estimators, "MAX_ITERATIONS", 1)
    failed = fit_scope(property=property_a, calibration_end=today)
    assert failed.pk and "did not converge" in failed.error and failed.r is None
    assert set(GuestClv.objects.filter(property=property_a).values_list("fit", flat=True)) == {first.pk}


def test_reasons_with_backslashes_and_tabs_survive_the_write(people, property_a, today):
    company = Company.objects.create(name_zh="", name_en="Back\\slash\tCo", status="lost")
    vip = people["vip"]
    vip.company = company
    vip.save(update_fields=["company"])
    fit_scope(calibration_end=today)
    reason = next(r for r in _score(vip).churn_reasons if r["code"] == ChurnReason.LOST_CONTRACT)
    assert reason["company_en"] == "Back\\slash\tCo"


def test_a_large_scope_is_written_by_swap_in_keeping_the_other_scopes(people, property_a, today, monkeypatch):
    """From SWAP_IN_ROWS scores on, PostgreSQL rebuilds the table (other scopes copied, this scope COPYed, indexes
    built, renamed in); the rows must be exactly what the DELETE + COPY path writes (SQLite always takes that path)."""
    from django.db import connection

    from concierge.clv import services

    fit_scope(property=property_a, calibration_end=today)
    property_rows = sorted(GuestClv.objects.filter(property=property_a).values_list("guest_id", "p_alive", "clv"))
    monkeypatch.setattr(services, "SWAP_IN_ROWS", 0)

    first = fit_scope(calibration_end=today - dt.timedelta(days=60))
    second = fit_scope(calibration_end=today)

    assert sorted(GuestClv.objects.filter(property=property_a).values_list("guest_id", "p_alive", "clv")) \
        == property_rows
    group = GuestClv.objects.filter(property__isnull=True)
    assert group.count() == second.customers and set(group.values_list("fit_id", flat=True)) == {second.pk}
    assert first.customers and group.filter(previous_p_alive__isnull=False).count() == first.customers
    if connection.vendor == "postgresql":  # the swapped-in table kept its indexes and constraints under their names
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'clv_guestclv'")
            names = {row[0] for row in cursor.fetchall()}
        assert {"guest_clv_risk", "guest_clv_value", "guest_clv_guest_property", "guest_clv_guest_group"} <= names
