"""Scorecard numbers against a hand-computed fixture (November 2026)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from concierge.core.choices import ActivityKind
from concierge.core.models import Activity
from concierge.pipeline.models import Opportunity
from concierge.pipeline.selectors import scorecards
from concierge.pipeline.services import opportunity_lose, opportunity_win, sales_target_set
from concierge.pipeline.tests.factories import make_opportunity, make_stay
from concierge.sales.models import AccountOwnership

NOV = dt.date(2026, 11, 1)


def _aware(y: int, m: int, d: int, h: int = 12) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def fixture(db, stages, property_a, rep_a, rep_a2, company_a):
    from concierge.guests.models import Company

    # Eastern Air: Rita owned it since 2025, handed over to Ray on 15 Nov (Rita's period ends 14 Nov).
    AccountOwnership.objects.create(company=company_a, owner=rep_a, valid_from=dt.date(2025, 1, 1),
                                    valid_to=dt.date(2026, 11, 14))
    AccountOwnership.objects.create(company=company_a, owner=rep_a2, valid_from=dt.date(2026, 11, 15))
    # A brand-new account for Ray in November, and one for Rita in October (not new in November).
    new_co = Company.objects.create(name_en="New Co")
    AccountOwnership.objects.create(company=new_co, owner=rep_a2, valid_from=dt.date(2026, 11, 3))
    old_co = Company.objects.create(name_en="Old Co")
    AccountOwnership.objects.create(company=old_co, owner=rep_a, valid_from=dt.date(2026, 10, 20))

    # Stays of Eastern Air: before the handover → Rita; after → Ray.
    make_stay(company=company_a, property=property_a, departure=dt.date(2026, 11, 5), nights=3, room="3000",
              fnb="200")
    make_stay(company=company_a, property=property_a, departure=dt.date(2026, 11, 14), nights=2, room="1000",
              other="50")
    make_stay(company=company_a, property=property_a, departure=dt.date(2026, 11, 15), nights=1, room="700")
    make_stay(company=new_co, property=property_a, departure=dt.date(2026, 11, 20), nights=4, room="2000")
    # Not counted: cancelled, departure in October or December, old_co stay in October.
    make_stay(company=company_a, property=property_a, departure=dt.date(2026, 11, 6), nights=5, room="9999",
              status="cancelled")
    make_stay(company=company_a, property=property_a, departure=dt.date(2026, 10, 31), nights=1, room="111")
    make_stay(company=company_a, property=property_a, departure=dt.date(2026, 12, 1), nights=1, room="222")
    make_stay(company=old_co, property=property_a, departure=dt.date(2026, 10, 25), nights=1, room="333")

    # Visits: Rita two in November, one in October; Ray one call (not a visit).
    for when, actor, kind in [(_aware(2026, 11, 2), rep_a, ActivityKind.VISIT), (_aware(2026, 11, 30, 23), rep_a,
                              ActivityKind.VISIT), (_aware(2026, 10, 31, 23), rep_a, ActivityKind.VISIT),
                              (_aware(2026, 11, 10), rep_a2, ActivityKind.CALL)]:
        Activity.objects.create(kind=kind, actor=actor, company=company_a, summary="x", occurred_at=when)

    # Opportunities: Rita opens 5,000 and 3,000 in November; Ray 2,000 in October (not pipeline added in Nov).
    o1 = make_opportunity(owner=rep_a, company=company_a, value=5000)
    o2 = make_opportunity(owner=rep_a, company=company_a, value=3000)
    o3 = make_opportunity(owner=rep_a2, company=company_a, value=2000)
    Opportunity.objects.filter(pk__in=[o1.pk, o2.pk]).update(created_at=_aware(2026, 11, 4))
    Opportunity.objects.filter(pk=o3.pk).update(created_at=_aware(2026, 10, 4))
    # o2 handed over to Ray (owner changes, origin stays Rita); Ray wins it in November; o1 lost; o3 won in Oct.
    Opportunity.objects.filter(pk=o2.pk).update(owner=rep_a2)
    opportunity_win(actor=rep_a2, opportunity=o2, version=None, on=dt.date(2026, 11, 25))
    opportunity_lose(actor=rep_a, opportunity=o1, version=None, lost_reason="price", on=dt.date(2026, 11, 26))
    opportunity_win(actor=rep_a2, opportunity=o3, version=None, on=dt.date(2026, 10, 30))

    sales_target_set(actor=None, user=rep_a, month=dt.date(2026, 11, 17), revenue=Decimal("8500"), visits=4,
                     room_nights=10)
    return {"rita": rep_a, "ray": rep_a2}


def _card(cards, rep):
    return next(c for c in cards if c.rep.pk == rep.pk)


def test_revenue_before_the_handover_stays_with_the_old_owner(fixture):
    cards = scorecards(reps=[fixture["rita"], fixture["ray"]], month=NOV)
    rita, ray = _card(cards, fixture["rita"]), _card(cards, fixture["ray"])
    assert rita.actual["revenue"] == Decimal("4250.00")  # 3000 + 200 + 1000 + 50
    assert rita.actual["room_nights"] == 5
    assert ray.actual["revenue"] == Decimal("2700.00")  # 700 (after handover) + 2000 (new account)
    assert ray.actual["room_nights"] == 5


def test_the_other_figures_follow_the_written_rules(fixture):
    cards = scorecards(reps=[fixture["rita"], fixture["ray"]], month=NOV)
    rita, ray = _card(cards, fixture["rita"]), _card(cards, fixture["ray"])
    assert (rita.actual["new_accounts"], ray.actual["new_accounts"]) == (0, 1)
    assert (rita.actual["visits"], ray.actual["visits"]) == (2, 0)
    assert rita.actual["pipeline_added"] == Decimal("8000.00")
    assert ray.actual["pipeline_added"] == Decimal("0")
    assert rita.actual["won_value"] == Decimal("0")
    assert ray.actual["won_value"] == Decimal("3000.00")
    assert rita.actual["contracts_signed"] == 0 and ray.actual["contracts_signed"] == 0


def test_attainment_compares_with_the_target_of_the_month(fixture):
    cards = scorecards(reps=[fixture["rita"], fixture["ray"]], month=NOV)
    rita, ray = _card(cards, fixture["rita"]), _card(cards, fixture["ray"])
    assert rita.target["revenue"] == Decimal("8500.00")
    assert rita.attainment["revenue"] == Decimal("50.0")
    assert rita.attainment["visits"] == Decimal("50.0")
    assert rita.attainment["room_nights"] == Decimal("50.0")
    assert rita.attainment["new_accounts"] is None  # target 0: no attainment
    assert ray.target is None and ray.attainment["revenue"] is None


def test_a_shared_handover_day_is_credited_once(fixture, property_a, company_a):
    # Ownership rows touching on the same day (old valid_to == new valid_from) must not double count.
    AccountOwnership.objects.filter(company=company_a, valid_to__isnull=False).update(valid_to=dt.date(2026, 11, 15))
    cards = scorecards(reps=[fixture["rita"], fixture["ray"]], month=NOV)
    total = sum(c.actual["revenue"] for c in cards)
    assert total == Decimal("6950.00")
    assert _card(cards, fixture["ray"]).actual["revenue"] == Decimal("2700.00")


def test_scorecards_run_a_fixed_number_of_queries(fixture, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        scorecards(reps=[fixture["rita"], fixture["ray"]], month=NOV)
