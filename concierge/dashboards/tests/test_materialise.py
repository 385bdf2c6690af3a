"""The scheduled refresh: set-based rebuild of the materialised tables, idempotent, and NPS from survey answers."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from concierge.dashboards.choices import AccountKind
from concierge.dashboards.ledger import customer_flow
from concierge.dashboards.models import FlowSummary, NpsMonthly, PeriodStats, RefreshLog, TopAccount
from concierge.dashboards.selectors import materialised_flow, nps_score, overview
from concierge.dashboards.services import dashboards_refresh
from concierge.dashboards.tasks import refresh_dashboards
from concierge.dashboards.tests.factories import make_company, make_guest, make_stay
from concierge.surveys.models import Answer, Response
from concierge.surveys.tests.factories import invite, make_survey
from concierge.surveys.tests.factories import make_guest as make_survey_guest

D = dt.date
AS_OF = D(2025, 12, 31)


def _data(property_a, property_b):
    big = make_guest(property_a, name="大")
    company = make_company(property_a)
    make_stay(big, property_a, D(2024, 3, 1), revenue=1000, nights=2)
    make_stay(big, property_a, D(2025, 2, 1), revenue=3000, nights=3, company=company)
    small = make_guest(property_b, name="小")
    make_stay(small, property_b, D(2025, 2, 10), revenue=500, nights=1)
    lapsed = make_guest(property_a, name="旧")
    make_stay(lapsed, property_a, D(2024, 1, 15), revenue=700)
    return big, small, lapsed, company


def test_refresh_materialises_period_figures_per_property_and_group(property_a, property_b):
    _data(property_a, property_b)
    dashboards_refresh(years=[2025], as_of=AS_OF)
    group = PeriodStats.objects.get(year=2025, month__isnull=True, property__isnull=True)
    assert (group.stays, group.room_nights, group.revenue, group.active_customers) == (2, 4, Decimal("3500"), 2)
    feb_a = PeriodStats.objects.get(year=2025, month=2, property=property_a)
    assert (feb_a.stays, feb_a.revenue) == (1, Decimal("3000"))
    assert RefreshLog.objects.get().refreshed_at is not None


def test_refresh_is_idempotent(property_a, property_b):
    _data(property_a, property_b)
    dashboards_refresh(years=[2025], as_of=AS_OF)
    counts = (PeriodStats.objects.count(), FlowSummary.objects.count(), TopAccount.objects.count())
    dashboards_refresh(years=[2025], as_of=AS_OF)
    assert (PeriodStats.objects.count(), FlowSummary.objects.count(), TopAccount.objects.count()) == counts
    assert counts[1] > 0


def test_materialised_flow_matches_the_live_ledger(property_a, property_b):
    _data(property_a, property_b)
    dashboards_refresh(years=[2025], as_of=AS_OF)
    for kwargs in ({"month": None, "property": None}, {"month": 2, "property": None},
                   {"month": None, "property": property_a}):
        for group_by in (None, "property", "segment", "manager"):
            stored = materialised_flow(year=2025, lost_after_months=12, group_by=group_by, **kwargs)
            live = customer_flow(year=2025, lost_after_months=12, group_by=group_by, as_of=AS_OF, source="live",
                                 **kwargs)
            assert stored is not None and stored.source == "materialised"
            assert stored.total == live.total
            assert {r.key: r.cells for r in stored.rows} == {r.key: r.cells for r in live.rows}


def test_top_accounts_rank_companies_and_guests(property_a, property_b):
    big, small, _lapsed, company = _data(property_a, property_b)
    dashboards_refresh(years=[2025], as_of=AS_OF)
    group = TopAccount.objects.filter(year=2025, property__isnull=True)
    assert list(group.filter(kind=AccountKind.GUEST).values_list("guest_id", "rank")) == [(big.pk, 1), (small.pk, 2)]
    assert list(group.filter(kind=AccountKind.COMPANY).values_list("company_id", "revenue")) == [
        (company.pk, Decimal("3000.00"))]
    assert TopAccount.objects.filter(year=2025, property=property_b, kind=AccountKind.GUEST).get().guest == small


def test_nps_is_promoters_minus_detractors():
    assert nps_score(0, 0, 0) is None
    assert nps_score(5, 3, 2) == 30.0
    assert nps_score(0, 0, 4) == -100.0


def test_the_refresh_counts_nps_answers_by_month(property_a, manager, frontdesk_a):
    survey, q = make_survey(manager)
    year = timezone.localdate().year
    at = timezone.make_aware(dt.datetime(year, 1, 10, 12, 0))
    for n, score in enumerate((10, 9, 8, 3)):
        guest = make_survey_guest(frontdesk_a, property_a, email=f"g{n}@example.cn")
        response = Response.objects.create(invitation=invite(manager, survey, guest), survey=survey, guest=guest,
                                           property=property_a, language="en", submitted_at=at)
        Answer.objects.create(response=response, question=q["nps"], survey=survey, property=property_a,
                              submitted_at=at, score=score)
    refresh_dashboards()
    row = NpsMonthly.objects.get(year=year, month=1, property=property_a)
    assert (row.promoters, row.passives, row.detractors) == (2, 1, 1)
    ov = overview(year=year, property=None)
    assert ov.nps == 25.0 and ov.nps_answers == 4 and ov.has_nps
