"""Forecast sums, conversion rates and the stage-move rules."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from concierge.core.models import Activity
from concierge.pipeline.models import StageChange
from concierge.pipeline.selectors import conversion_rates, forecast
from concierge.pipeline.services import StaleVersion, opportunity_lose, opportunity_move, opportunity_win
from concierge.pipeline.tests.factories import make_opportunity


def test_forecast_weights_value_by_probability_per_month_owner_and_property(
        stages, property_a, rep_a, rep_a2, sales_manager_a, company_a):
    make_opportunity(owner=rep_a, company=company_a, value=1000, stage=stages["Proposal"], property=property_a,
                     expected_close=dt.date(2026, 12, 10))  # 50% → 500
    make_opportunity(owner=rep_a, company=company_a, value=2000, stage=stages["Lead"], property=property_a,
                     expected_close=dt.date(2026, 12, 31), probability=30)  # → 600
    make_opportunity(owner=rep_a2, company=company_a, value=4000, stage=stages["Negotiation"], property=property_a,
                     expected_close=dt.date(2027, 1, 2))  # 75% → 3000
    won = make_opportunity(owner=rep_a2, company=company_a, value=9000, property=property_a,
                           expected_close=dt.date(2026, 12, 5))
    opportunity_win(actor=rep_a2, opportunity=won, version=None)  # closed: not in the forecast
    make_opportunity(owner=rep_a2, company=company_a, value=7000, expected_close=dt.date(2027, 6, 1))  # outside

    result = forecast(user=sales_manager_a, start=dt.date(2026, 12, 1), months=3)
    assert [(r["month"], r["n"], r["weighted"]) for r in result.by_month] == [
        (dt.date(2026, 12, 1), 2, Decimal("1100.00")),
        (dt.date(2027, 1, 1), 1, Decimal("3000.00")),
        (dt.date(2027, 2, 1), 0, Decimal("0")),
    ]
    assert result.total_weighted == Decimal("4100.00") and result.total_value == Decimal("7000.00")
    by_owner = {r["owner_id"]: r["weighted"] for r in result.by_owner}
    assert by_owner == {rep_a.pk: Decimal("1100.00"), rep_a2.pk: Decimal("3000.00")}
    assert [(r["property_id"], r["weighted"]) for r in result.by_property] == [(property_a.pk, Decimal("4100.00"))]
    # A rep's forecast holds only their own deals.
    assert forecast(user=rep_a, start=dt.date(2026, 12, 1), months=3).total_weighted == Decimal("1100.00")


def test_conversion_rates_come_from_the_stage_history(stages, rep_a, company_a):
    # 4 leads: one stays, one reaches Qualified then is lost, one jumps to Proposal, one goes all the way to Won.
    opps = [make_opportunity(owner=rep_a, company=company_a) for _ in range(4)]
    opportunity_move(actor=rep_a, opportunity=opps[1], stage=stages["Qualified"], version=None)
    opportunity_lose(actor=rep_a, opportunity=opps[1], version=None, lost_reason="budget")
    opportunity_move(actor=rep_a, opportunity=opps[2], stage=stages["Proposal"], version=None)
    for name in ("Qualified", "Proposal", "Negotiation"):
        opportunity_move(actor=rep_a, opportunity=opps[3], stage=stages[name], version=None)
    opportunity_win(actor=rep_a, opportunity=opps[3], version=None)

    rows = {r["stage"].name_en: r for r in conversion_rates(user=rep_a)}
    assert [rows[n]["reached"] for n in ("Lead", "Qualified", "Proposal", "Negotiation", "Won")] == [4, 3, 2, 1, 1]
    assert rows["Lead"]["rate"] == Decimal("75.0")
    assert rows["Qualified"]["rate"] == Decimal("66.7")
    assert rows["Proposal"]["rate"] == Decimal("50.0")
    assert rows["Negotiation"]["rate"] == Decimal("100.0")
    assert rows["Won"]["rate"] is None and rows["Won"]["of_first"] == Decimal("25.0")
    assert "Lost" not in rows


def test_a_stale_version_is_refused_and_nothing_changes(stages, rep_a, company_a):
    opp = make_opportunity(owner=rep_a, company=company_a)
    seen = opp.version
    opportunity_move(actor=rep_a, opportunity=opp, stage=stages["Qualified"], version=seen)
    with pytest.raises(StaleVersion) as err:
        opportunity_move(actor=rep_a, opportunity=opp, stage=stages["Proposal"], version=seen)
    assert "Reload" in str(err.value.messages[0])
    opp.refresh_from_db()
    assert opp.stage == stages["Qualified"] and opp.version == seen + 1
    assert StageChange.objects.filter(opportunity=opp).count() == 2


def test_moving_writes_the_history_and_the_company_timeline(stages, rep_a, company_a):
    opp = make_opportunity(owner=rep_a, company=company_a)
    assert opp.probability == 10 and opp.origin_owner == rep_a
    opp = opportunity_move(actor=rep_a, opportunity=opp, stage=stages["Proposal"], version=opp.version)
    assert opp.probability == 50
    change = StageChange.objects.filter(opportunity=opp).latest("id")
    assert (change.from_stage, change.to_stage, change.changed_by) == (stages["Lead"], stages["Proposal"], rep_a)
    entries = Activity.objects.filter(company=company_a, data__opportunity_id=opp.pk)
    assert entries.count() == 2
    assert "Proposal" in entries.first().summary


def test_losing_needs_a_reason(stages, rep_a, company_a):
    opp = make_opportunity(owner=rep_a, company=company_a)
    with pytest.raises(ValidationError) as err:
        opportunity_lose(actor=rep_a, opportunity=opp, version=opp.version, lost_reason="")
    assert "lost_reason" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        opportunity_lose(actor=rep_a, opportunity=opp, version=opp.version, lost_reason="other")
    assert "lost_reason_text" in err.value.message_dict
    lost = opportunity_lose(actor=rep_a, opportunity=opp, version=opp.version, lost_reason="competitor",
                            lost_reason_text="Went to the hotel next door")
    assert (lost.status, lost.lost_reason, lost.probability) == ("lost", "competitor", 0)
    assert lost.closed_on is not None
