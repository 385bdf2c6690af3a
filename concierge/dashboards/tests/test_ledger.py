"""The customer-flow ledger's definitions on edge cases (real rows, SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models.expressions import RawSQL

from concierge.dashboards.ledger import add_months, customer_flow, flow_guest_ids_sql
from concierge.dashboards.services import flow_sequence_rebuild
from concierge.dashboards.tests.factories import make_company, make_guest, make_stay
from concierge.guests.models import Guest

D = dt.date
AS_OF = D(2027, 6, 1)
SOURCE = {"value": "live"}


@pytest.fixture(autouse=True, params=["live", "sequence"])
def source(request):
    """Every case twice: the live window over the stays, and the materialised sequence (rebuilt per call)."""
    SOURCE["value"] = request.param
    yield request.param
    SOURCE["value"] = "live"


def _source() -> str:
    if SOURCE["value"] == "sequence":
        flow_sequence_rebuild()
    return SOURCE["value"]


def flow(**kwargs):
    kwargs.setdefault("lost_after_months", 12)
    kwargs.setdefault("as_of", AS_OF)
    return customer_flow(source=_source(), **kwargs)


def counts(ledger) -> tuple[int, int, int, int]:
    t = ledger.total
    return t.new.customers, t.retained.customers, t.won_back.customers, t.lost.customers


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2024, 12, 15), 1) == D(2025, 1, 15)
    assert add_months(D(2024, 3, 31), -13) == D(2023, 2, 28)


def test_a_first_stay_on_31_december_is_new_in_that_year_and_not_in_the_next(property_a):
    guest = make_guest(property_a)
    make_stay(guest, property_a, D(2024, 12, 31), revenue=800)
    make_stay(guest, property_a, D(2025, 3, 1), revenue=500)

    y2024 = flow(year=2024)
    assert counts(y2024) == (1, 0, 0, 0)
    assert y2024.total.new.revenue == Decimal("800.00")
    y2025 = flow(year=2025)
    assert counts(y2025) == (0, 1, 0, 0)
    assert y2025.total.retained.revenue == Decimal("500.00")
    assert counts(flow(year=2024, month=12)) == (1, 0, 0, 0)


def test_a_guest_back_after_more_than_n_months_is_won_back_and_was_lost_once(property_a):
    guest = make_guest(property_a)
    make_stay(guest, property_a, D(2021, 2, 1), revenue=300)  # more than 12 months before L: not at stake
    make_stay(guest, property_a, D(2022, 1, 5), revenue=500)
    make_stay(guest, property_a, D(2022, 3, 10), revenue=700)
    make_stay(guest, property_a, D(2024, 5, 1), revenue=900)

    assert counts(flow(year=2022)) == (0, 1, 0, 0)
    lost_2023 = flow(year=2023)
    assert counts(lost_2023) == (0, 0, 0, 1)
    assert lost_2023.total.lost.revenue == Decimal("1200.00")  # 12 months up to and including 10 March 2022
    won = flow(year=2024)
    assert counts(won) == (0, 0, 1, 0)
    assert won.total.won_back.revenue == Decimal("900.00")
    assert counts(flow(year=2023, month=3)) == (0, 0, 0, 1)
    assert counts(flow(year=2023, month=4)) == (0, 0, 0, 0)
    # After the 2024 stay the guest lapses again on 1 May 2025: a second, separate loss.
    assert counts(flow(year=2025)) == (0, 0, 0, 1)


def test_a_guest_who_never_stayed_before_the_window_but_long_ago_is_won_back_not_new(property_a):
    guest = make_guest(property_a)
    make_stay(guest, property_a, D(2015, 6, 1))
    make_stay(guest, property_a, D(2024, 6, 1))
    assert counts(flow(year=2024)) == (0, 0, 1, 0)


def test_exactly_n_months_is_still_retained(property_a):
    guest = make_guest(property_a)
    make_stay(guest, property_a, D(2023, 1, 31))
    make_stay(guest, property_a, D(2023, 2, 28))
    assert counts(flow(year=2023, month=2, lost_after_months=1)) == (0, 1, 0, 0)
    assert counts(flow(year=2023, month=3, lost_after_months=1)) == (0, 0, 0, 1)  # lapses 28 March


def test_a_lapse_after_today_is_not_counted_yet(property_a):
    guest = make_guest(property_a)
    make_stay(guest, property_a, D(2026, 8, 1))
    assert counts(flow(year=2027, as_of=D(2027, 6, 1))) == (0, 0, 0, 0)
    assert counts(flow(year=2027, as_of=D(2027, 9, 1))) == (0, 0, 0, 1)


def test_month_granularity_classifies_each_month_on_its_own(property_a):
    guest = make_guest(property_a)
    make_stay(guest, property_a, D(2024, 1, 15), revenue=100)
    make_stay(guest, property_a, D(2024, 1, 20), revenue=100)
    make_stay(guest, property_a, D(2024, 2, 10), revenue=250)
    jan = flow(year=2024, month=1)
    assert counts(jan) == (1, 0, 0, 0) and jan.total.new.revenue == Decimal("200.00")
    feb = flow(year=2024, month=2)
    assert counts(feb) == (0, 1, 0, 0) and feb.total.retained.revenue == Decimal("250.00")
    year = flow(year=2024)
    assert counts(year) == (1, 0, 0, 0) and year.total.new.revenue == Decimal("450.00")


def test_cancelled_stays_and_merged_guests_do_not_count(property_a):
    guest = make_guest(property_a)
    make_stay(guest, property_a, D(2023, 5, 1), status="cancelled")
    make_stay(guest, property_a, D(2024, 5, 1))
    survivor = make_guest(property_a)
    merged = make_guest(property_a)
    Guest.objects.filter(pk=merged.pk).update(merged_into=survivor)
    make_stay(merged, property_a, D(2024, 5, 1))
    assert counts(flow(year=2024)) == (1, 0, 0, 0)


def test_breakdown_by_property_counts_the_customer_once_and_splits_revenue(property_a, property_b):
    guest = make_guest(property_a)
    make_stay(guest, property_b, D(2024, 2, 1), revenue=400)
    make_stay(guest, property_a, D(2024, 3, 1), revenue=600)
    ledger = flow(year=2024, group_by="property")
    rows = {row.key: row for row in ledger.rows}
    assert rows[property_b.pk].new.customers == 1 and rows[property_b.pk].new.revenue == Decimal("400.00")
    assert rows[property_a.pk].new.customers == 0 and rows[property_a.pk].new.revenue == Decimal("600.00")
    assert ledger.total.new.customers == 1


def test_a_property_scope_classifies_within_that_property(property_a, property_b):
    guest = make_guest(property_a)
    make_stay(guest, property_a, D(2023, 6, 1))
    make_stay(guest, property_b, D(2024, 2, 1))
    assert counts(flow(year=2024)) == (0, 1, 0, 0)
    assert counts(flow(year=2024, property=property_b)) == (1, 0, 0, 0)
    # At A the guest lapses on 1 June 2024 although they keep staying at B.
    assert counts(flow(year=2024, property=property_a)) == (0, 0, 0, 1)
    assert counts(flow(year=2024, property=property_a, as_of=D(2024, 5, 1))) == (0, 0, 0, 0)


def test_breakdown_by_account_manager_uses_the_company_owner_for_company_stays(property_a, manager, frontdesk_a):
    guest = make_guest(property_a, owner=frontdesk_a)
    company = make_company(property_a, owner=manager)
    make_stay(guest, property_a, D(2024, 2, 1), revenue=400, company=company)
    make_stay(guest, property_a, D(2024, 3, 1), revenue=100)
    lone = make_guest(property_a)
    make_stay(lone, property_a, D(2024, 4, 1), revenue=50)
    ledger = flow(year=2024, group_by="manager")
    rows = {row.key: row for row in ledger.rows}
    assert rows[manager.pk].new.customers == 1 and rows[manager.pk].new.revenue == Decimal("400.00")
    assert rows[frontdesk_a.pk].new.customers == 0 and rows[frontdesk_a.pk].new.revenue == Decimal("100.00")
    assert rows[None].new.customers == 1 and rows[None].label == "Unassigned"


def test_breakdown_by_segment(property_a):
    make_stay(make_guest(property_a), property_a, D(2024, 2, 1), market_segment="corporate")
    make_stay(make_guest(property_a), property_a, D(2024, 2, 1), market_segment="leisure")
    make_stay(make_guest(property_a), property_a, D(2024, 2, 2), market_segment="leisure")
    rows = {row.key: row for row in flow(year=2024, group_by="segment").rows}
    assert rows["leisure"].new.customers == 2 and rows["corporate"].new.customers == 1


def test_a_user_at_one_property_sees_only_that_propertys_stays(property_a, property_b, frontdesk_b):
    make_stay(make_guest(property_a), property_a, D(2024, 2, 1))
    make_stay(make_guest(property_b), property_b, D(2024, 2, 1))
    assert counts(flow(year=2024, user=frontdesk_b)) == (1, 0, 0, 0)


def test_drill_down_lists_the_guests_of_a_class(property_a, manager):
    new = make_guest(property_a)
    make_stay(new, property_a, D(2024, 2, 1))
    old = make_guest(property_a)
    make_stay(old, property_a, D(2022, 2, 1))
    sql, params = flow_guest_ids_sql(year=2024, month=None, property=None, user=manager, flow="new",
                                     lost_after_months=12, as_of=AS_OF, source=_source())
    assert list(Guest.objects.filter(id__in=RawSQL(sql, params)).values_list("id", flat=True)) == [new.pk]
    sql, params = flow_guest_ids_sql(year=2023, month=None, property=None, user=manager, flow="lost",
                                     lost_after_months=12, as_of=AS_OF, group_by="property", key=property_a.pk,
                                     source=_source())
    assert list(Guest.objects.filter(id__in=RawSQL(sql, params)).values_list("id", flat=True)) == [old.pk]


@pytest.mark.parametrize("bad", [{"month": 13}, {"group_by": "colour"}])
def test_it_rejects_bad_arguments(db, bad):
    with pytest.raises(ValueError):
        flow(year=2024, **bad)
