"""The customer-value refresh: RFM quintiles, Pareto shares and profit on hand-made data; idempotence; the task."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from concierge.analytics import selectors, services
from concierge.analytics.models import CustomerValue, ValueRefresh, ValueSummary
from concierge.analytics.tasks import refresh_customer_value as refresh_task
from concierge.analytics.tests.conftest import EXPECTED_CELLS
from concierge.analytics.tests.factories import make_guest, make_stay

pytestmark = pytest.mark.django_db


def _cells(property=None):  # noqa: A002
    rows = CustomerValue.objects.filter(property=property) if property else CustomerValue.objects.filter(
        property__isnull=True)
    return dict(rows.values_list("guest_id", "rfm_cell"))


def test_rfm_quintiles_match_the_hand_computed_scores(ten_guests, property_a):
    services.refresh_customer_value()
    cells = _cells(property_a)
    assert cells == {ten_guests[i].pk: EXPECTED_CELLS[i] for i in range(1, 11)}
    assert _cells() == cells  # one property only: the group scope has the same guests and scores
    row = CustomerValue.objects.get(guest=ten_guests[4], property=property_a)
    assert (row.r_score, row.f_score, row.m_score) == (4, 2, 5)
    assert row.stays == 4 and row.room_nights == 4 and row.recency_days == 40
    assert row.first_stay_on == row.last_stay_on - dt.timedelta(days=3)


def test_guests_tied_on_a_value_share_the_lower_score(property_a):
    for i in range(10):
        make_stay(make_guest(f"同{i}"), property_a, days_ago=5 + i, room=100 * (i + 1))
    services.refresh_customer_value()
    assert set(CustomerValue.objects.filter(property=property_a).values_list("f_score", flat=True)) == {1}
    assert sorted(CustomerValue.objects.filter(property=property_a).values_list("m_score", flat=True)) == [
        1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_value_rank_and_cumulative_share_follow_revenue(ten_guests, property_a):
    services.refresh_customer_value()
    ranked = list(CustomerValue.objects.filter(property=property_a).order_by("value_rank")
                  .values_list("guest_id", "total_revenue", "cumulative_share"))
    assert [r[0] for r in ranked[:3]] == [ten_guests[6].pk, ten_guests[4].pk, ten_guests[8].pk]
    assert ranked[0][1] == Decimal("10000.00")
    assert ranked[0][2] == Decimal("0.181818")  # 10,000 of 55,000
    assert ranked[1][2] == Decimal("0.345455")  # 19,000 of 55,000
    assert ranked[-1][2] == Decimal("1.000000")


def test_pareto_table_gives_the_share_of_the_top_fifth(ten_guests, property_a):
    services.refresh_customer_value()
    scope = selectors.Scope(property_a.code, "A", property_a)
    result = selectors.pareto(scope)
    assert result.customers == 10 and result.revenue == Decimal("55000.00")
    assert result.top20_share == pytest.approx(34.55, abs=0.01)
    assert [d.customers for d in result.deciles] == [1] * 10
    assert result.deciles[0].revenue == Decimal("10000.00")
    assert result.deciles[-1].cumulative_share == pytest.approx(100.0)
    assert result.curve[0] == (0.0, 0.0) and result.curve[-1] == (100.0, 100.0)


def test_only_productive_stays_of_live_guests_count(property_a, property_b):
    kept = make_guest("留")
    make_stay(kept, property_a, days_ago=3, room=500)
    make_stay(kept, property_a, days_ago=2, room=9999, status="cancelled")
    make_stay(make_guest("取"), property_a, days_ago=3, room=800, status="no_show")
    merged = make_guest("并", merged_into=kept)
    make_stay(merged, property_a, days_ago=3, room=700)
    services.refresh_customer_value()
    rows = CustomerValue.objects.filter(property__isnull=True)
    assert list(rows.values_list("guest_id", "total_revenue")) == [(kept.pk, Decimal("500.00"))]


def test_profit_uses_the_configured_cost_ratios_per_property(manager, property_a, property_b):
    services.cost_ratios_save(actor=manager, room=Decimal("0.25"), fnb=Decimal("0.65"), other=Decimal("0.5"))
    services.cost_ratios_save(actor=manager, property=property_a, room=Decimal("0.4"), fnb=None, other=None)
    guest = make_guest("利")
    make_stay(guest, property_a, days_ago=5, room=1000, fnb=100, other=10)
    make_stay(guest, property_b, days_ago=4, room=1000, fnb=100, other=10)
    services.refresh_customer_value()
    profit = dict(CustomerValue.objects.filter(guest=guest).values_list("property_id", "profit"))
    assert profit[property_a.pk] == Decimal("640.00")  # 1000·0.6 + 100·0.35 + 10·0.5
    assert profit[property_b.pk] == Decimal("790.00")  # 1000·0.75 + 35 + 5 (group default)
    assert profit[None] == Decimal("1430.00")
    row = CustomerValue.objects.get(guest=guest, property__isnull=True)
    assert (row.room_revenue, row.other_revenue, row.total_revenue) == (
        Decimal("2000.00"), Decimal("220.00"), Decimal("2220.00"))


def test_default_ratios_apply_when_none_are_saved(property_a):
    make_stay(make_guest("默"), property_a, days_ago=5, room=1000, fnb=100, other=10)
    services.refresh_customer_value()
    assert CustomerValue.objects.get(property=property_a).profit == Decimal("790.00")


@pytest.mark.parametrize("values, field", [
    ({"room": Decimal("1.5"), "fnb": Decimal("0.5"), "other": Decimal("0.5")}, "room"),
    ({"room": Decimal("0.2"), "fnb": Decimal("-0.1"), "other": Decimal("0.5")}, "fnb"),
    ({"room": Decimal("0.2"), "fnb": Decimal("0.5"), "other": None}, "other"),
])
def test_cost_ratios_outside_0_to_1_or_missing_on_the_group_are_refused(manager, values, field):
    with pytest.raises(ValidationError) as info:
        services.cost_ratios_save(actor=manager, **values)
    assert field in info.value.message_dict


def test_refresh_is_idempotent_and_records_its_run(ten_guests, property_a):
    first = services.refresh_customer_value()
    snapshot = list(CustomerValue.objects.order_by("property_id", "value_rank").values(
        "guest_id", "property_id", "rfm_cell", "value_rank", "profit", "cumulative_share"))
    second = services.refresh_customer_value()
    assert first["rows"] == second["rows"] == 20 and first["group_rows"] == 10
    assert snapshot == list(CustomerValue.objects.order_by("property_id", "value_rank").values(
        "guest_id", "property_id", "rfm_cell", "value_rank", "profit", "cumulative_share"))
    assert ValueRefresh.objects.count() == 2 and second["seconds"] >= 0


def test_refreshing_one_property_leaves_other_scopes_alone(ten_guests, property_a, property_b):
    make_stay(make_guest("乙"), property_b, days_ago=1, room=100)
    services.refresh_customer_value()
    make_stay(make_guest("新"), property_b, days_ago=1, room=100)
    result = services.refresh_customer_value(property=property_b)
    assert result == {**result, "property_rows": 2, "group_rows": 0}
    assert CustomerValue.objects.filter(property=property_a).count() == 10
    assert CustomerValue.objects.filter(property__isnull=True).count() == 11
    scope_b = selectors.Scope(property_b.code, "B", property_b)
    scope_group = selectors.Scope("group", "G")
    assert selectors.freshness(scope_b) > selectors.freshness(scope_group)


def test_the_task_refreshes_every_scope(ten_guests, property_a):
    result = refresh_task.apply().get()
    assert result["group_rows"] == 10 and result["property_rows"] == 10
    assert CustomerValue.objects.count() == 20


def test_rolling_sums_cover_the_365_days_up_to_the_refresh(property_a, property_b):
    guest = make_guest("滚动")
    make_stay(guest, property_a, days_ago=0, nights=2, room="1000.10", fnb="20.05", other="0.01")
    make_stay(guest, property_b, days_ago=365, nights=1, room="300")  # first day of the window: in
    make_stay(guest, property_a, days_ago=366, nights=4, room="5000")  # one day before it: out
    make_stay(guest, property_a, days_ago=10, nights=9, room="999", status="cancelled")  # not productive

    services.refresh_customer_value()

    group = CustomerValue.objects.get(guest=guest, property__isnull=True)
    assert (group.stays_rolling, group.room_nights_rolling, group.revenue_rolling) == (2, 3, Decimal("1320.16"))
    assert (group.stays, group.total_revenue, group.room_revenue) == (3, Decimal("6320.16"), Decimal("6300.10"))
    at_a = CustomerValue.objects.get(guest=guest, property=property_a)
    assert (at_a.stays_rolling, at_a.room_nights_rolling, at_a.revenue_rolling) == (1, 2, Decimal("1020.16"))
    assert at_a.other_revenue == Decimal("20.06") and at_a.total_revenue == Decimal("6020.16")


def test_a_full_rebuild_keeps_the_tables_indexes_and_constraints(ten_guests, property_a):
    from django.db import connection

    services.refresh_customer_value()
    services.refresh_customer_value()  # swapped in twice on PostgreSQL: names survive each swap

    indexes = {name for name, *_ in connection.introspection.get_constraints(
        connection.cursor(), CustomerValue._meta.db_table).items()}
    assert {"customer_value_guest_property", "customer_value_guest_group", "customer_value_rank",
            "customer_value_rfm", "customer_value_revenue_rolling"} <= indexes
    assert CustomerValue.objects.filter(property__isnull=True).count() == 10


def test_refresh_stores_each_scopes_screen_figures_equal_to_a_live_computation(ten_guests, property_a, property_b):
    services.refresh_customer_value()
    summaries = {s.property_id: s for s in ValueSummary.objects.all()}
    assert set(summaries) == {None, property_a.pk, property_b.pk}
    assert summaries[property_b.pk].customers == 0 and summaries[property_b.pk].rfm_cells == []
    for scope in (selectors.Scope("group", "G"), selectors.Scope(property_a.code, "A", property_a)):
        stored, stored_grid = selectors.pareto(scope), selectors.rfm_grid(scope)
        live = selectors._pareto_from(selectors.pareto_figures(selectors.scope_values(scope)))
        live_grid = selectors.rfm_cell_rows(selectors.scope_values(scope))
        assert stored == live and stored.customers == 10 and stored.top20_share == pytest.approx(34.55, abs=0.01)
        assert [[c.r, c.f, c.customers, str(c.avg_monetary), str(c.revenue)] for c in stored_grid] == live_grid
        assert sum(c.customers for c in stored_grid) == 10


def test_screens_read_the_summary_not_the_rows(ten_guests, property_a, django_assert_max_num_queries):
    services.refresh_customer_value()
    scope = selectors.Scope(property_a.code, "A", property_a)
    CustomerValue.objects.filter(property=property_a).update(total_revenue=0)  # rows changed behind the summary
    assert selectors.pareto(scope).revenue == Decimal("55000.00")  # figures as of the refresh
    with django_assert_max_num_queries(2) as captured:  # the summary, then the page of rows: no COUNT(*)
        rows = selectors.value_ranking(scope)
        assert rows.count() == 10
        page = list(rows[:25])
    assert len(page) == 10 and not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)


def test_before_any_refresh_the_figures_are_computed_live(ten_guests, property_a):
    services.refresh_customer_value()
    ValueSummary.objects.all().delete()  # e.g. right after upgrading, before the first nightly refresh
    scope = selectors.Scope(property_a.code, "A", property_a)
    assert selectors.pareto(scope).customers == 10 and selectors.value_ranking(scope).count() == 10
    assert sum(c.customers for c in selectors.rfm_grid(scope)) == 10


def test_refreshing_one_property_rewrites_only_its_summary(ten_guests, property_a, property_b):
    services.refresh_customer_value()
    group_before = ValueSummary.objects.get(property__isnull=True).refreshed_at
    make_stay(make_guest("新"), property_b, days_ago=3, room=700)
    services.refresh_customer_value(property=property_b)
    assert ValueSummary.objects.get(property=property_b).customers == 1
    assert ValueSummary.objects.get(property__isnull=True).refreshed_at == group_before
    assert ValueSummary.objects.count() == 3
