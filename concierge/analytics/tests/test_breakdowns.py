"""Region, province and industry breakdowns with growth vs the previous year, on hand-made stays."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from concierge.analytics import selectors
from concierge.analytics.tests.factories import make_guest, make_stay
from concierge.guests.models import Company, Industry

pytestmark = pytest.mark.django_db
Y = 2025


@pytest.fixture
def stays(property_a, property_b):
    anhui = make_guest("皖", province="安徽省", country="CN")
    jiangsu = make_guest("苏", province="江苏", country="CN")
    abroad = make_guest("美", province="", country="US")
    make_stay(anhui, property_a, arrival=dt.date(Y, 3, 1), nights=2, room=1000, fnb=200)
    make_stay(anhui, property_a, arrival=dt.date(Y, 6, 1), nights=1, room=500)
    make_stay(anhui, property_a, arrival=dt.date(Y - 1, 3, 1), nights=4, room=2000, fnb=400)
    make_stay(jiangsu, property_a, arrival=dt.date(Y, 1, 5), nights=3, room=900)
    make_stay(abroad, property_a, arrival=dt.date(Y - 1, 12, 31), nights=1, room=300)
    make_stay(abroad, property_b, arrival=dt.date(Y, 2, 1), nights=1, room=700)
    make_stay(jiangsu, property_a, arrival=dt.date(Y, 2, 1), nights=1, room=5000, status="cancelled")
    return {"anhui": anhui, "jiangsu": jiangsu, "abroad": abroad}


def _rows(result):
    return {r.key: r for r in result.rows}


def test_region_breakdown_sums_the_year_and_compares_with_the_one_before(stays, manager, property_a):
    scope = selectors.Scope(property_a.code, "A", property_a)
    result = selectors.breakdown(user=manager, scope=scope, dimension="region", year=Y)
    rows = _rows(result)
    east = rows["east"]
    assert (east.revenue, east.room_revenue, east.nights, east.stays, east.customers) == (
        Decimal("2600.00"), Decimal("2400.00"), 6, 3, 2)
    assert east.prev_revenue == Decimal("2400.00") and east.revenue_growth == pytest.approx(8.3)
    assert east.adr == Decimal("400.00") and east.nights_growth == pytest.approx(50.0)
    abroad = rows["international"]
    assert abroad.revenue == 0 and abroad.prev_revenue == Decimal("300.00") and abroad.revenue_growth == -100.0
    assert result.total.revenue == Decimal("2600.00") and result.total.prev_revenue == Decimal("2700.00")


def test_group_scope_adds_every_property_and_new_regions_have_no_growth(stays, manager):
    result = selectors.breakdown(user=manager, scope=selectors.Scope("group", "G"), dimension="region", year=Y)
    abroad = _rows(result)["international"]
    assert abroad.revenue == Decimal("700.00") and abroad.revenue_growth == pytest.approx(133.3)
    jiangsu_only = selectors.breakdown(user=manager, scope=selectors.Scope("group", "G"), dimension="province",
                                       year=Y)
    provinces = _rows(jiangsu_only)
    assert provinces["安徽"].revenue == Decimal("1700.00")  # "安徽省" folds into 安徽
    assert provinces["江苏"].prev_revenue == 0 and provinces["江苏"].revenue_growth is None


def test_industry_comes_from_the_stay_company_before_the_guest_company(property_a, manager):
    mining = Industry.objects.create(code="mining", name_zh="采矿", name_en="Mining")
    logistics = Industry.objects.create(code="logistics", name_zh="物流", name_en="Logistics")
    miner_co = Company.objects.create(name_zh="矿业", industry=mining)
    carrier = Company.objects.create(name_zh="物流公司", industry=logistics)
    guest = make_guest("工", company=carrier)
    make_stay(guest, property_a, arrival=dt.date(Y, 5, 1), room=800, company=miner_co)
    make_stay(guest, property_a, arrival=dt.date(Y, 6, 1), room=300)
    make_stay(make_guest("散"), property_a, arrival=dt.date(Y, 6, 1), room=100)
    make_stay(guest, property_a, arrival=dt.date(Y - 1, 6, 1), room=1000, company=miner_co)
    result = selectors.breakdown(user=manager, scope=selectors.Scope("group", "G"), dimension="industry", year=Y)
    rows = {r.label: r for r in result.rows}
    assert rows["Mining"].revenue == Decimal("800.00") and rows["Mining"].revenue_growth == -20.0
    assert rows["Logistics"].revenue == Decimal("300.00")
    assert rows["No industry"].revenue == Decimal("100.00")
    assert [r.label for r in result.rows][0] == "Mining"


def test_a_property_user_only_counts_stays_they_may_see(stays, property_a, sales_manager_a):
    scope = selectors.scope_for(sales_manager_a, property_a.code)
    result = selectors.breakdown(user=sales_manager_a, scope=scope, dimension="region", year=Y)
    assert "international" in _rows(result) and _rows(result)["international"].revenue == 0


def _as_tuples(result):
    rows = [(r.key, r.label, r.revenue, r.room_revenue, r.nights, r.stays, r.customers, r.adr, r.prev_revenue,
             r.prev_nights, r.revenue_growth, r.nights_growth) for r in [*result.rows, result.total]]
    return rows


@pytest.mark.parametrize("dimension", ["region", "province", "industry"])
@pytest.mark.parametrize("scope_key", ["group", "property"])
def test_stored_figures_equal_the_live_grouping(stays, manager, property_a, dimension, scope_key):
    from concierge.analytics.services import refresh_breakdowns

    industry = Industry.objects.create(code="mining", name_zh="采矿", name_en="Mining")
    company = Company.objects.create(name_zh="矿业", name_en="Mines Ltd", industry=industry)
    stays["anhui"].company = company
    stays["anhui"].save(update_fields=["company"])
    scope = selectors.Scope("group", "G") if scope_key == "group" else selectors.Scope("A", "A", property_a)
    live = selectors.breakdown(user=manager, scope=scope, dimension=dimension, year=Y)
    assert live.source == "live" and live.refreshed_at is None
    refresh_breakdowns()
    stored = selectors.breakdown(user=manager, scope=scope, dimension=dimension, year=Y)
    assert stored.source == "materialised" and stored.refreshed_at is not None
    assert _as_tuples(stored) == _as_tuples(live)


def test_a_year_outside_the_refreshed_range_is_grouped_live(stays, manager):
    from concierge.analytics.services import refresh_breakdowns

    result = refresh_breakdowns()
    old_year = result["first_year"]  # its previous year was not stored
    breakdown = selectors.breakdown(user=manager, scope=selectors.Scope("group", "G"), dimension="region",
                                    year=old_year)
    assert breakdown.source == "live"


def test_the_full_refresh_task_rebuilds_the_figures_and_a_new_stay_appears_after_it(stays, manager, property_a):
    from concierge.analytics.tasks import refresh_customer_value

    refresh_customer_value()
    scope = selectors.Scope("group", "G")
    before = selectors.breakdown(user=manager, scope=scope, dimension="region", year=Y).total.revenue
    make_stay(stays["jiangsu"], property_a, arrival=dt.date(Y, 8, 1), nights=1, room=100)
    assert selectors.breakdown(user=manager, scope=scope, dimension="region", year=Y).total.revenue == before
    refresh_customer_value()
    assert selectors.breakdown(user=manager, scope=scope, dimension="region", year=Y).total.revenue == \
        before + Decimal("100.00")
