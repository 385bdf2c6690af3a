"""The materialised customer-flow sequence (FlowStay) gives exactly the live ledger, on random histories."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from concierge.dashboards.ledger import customer_flow
from concierge.dashboards.models import FlowStay, RefreshLog
from concierge.dashboards.services import REFRESH_NAME, dashboards_refresh, flow_sequence_rebuild
from concierge.dashboards.tests.factories import make_company, make_guest, make_stay
from concierge.guests.models import Guest

D = dt.date


def _history(properties, owners, seed=7):
    rnd = random.Random(seed)
    companies = [make_company(properties[0], owner=owners[0]), make_company(properties[-1], owner=None)]
    guests = [make_guest(rnd.choice(properties), owner=rnd.choice([*owners, None])) for _ in range(25)]
    Guest.objects.filter(pk=guests[-1].pk).update(merged_into=guests[0])
    for guest in guests:
        day = D(2019, 1, 1) + dt.timedelta(days=rnd.randrange(0, 600))
        for _ in range(rnd.randrange(1, 9)):
            make_stay(guest, rnd.choice(properties), day, revenue=rnd.randrange(100, 5000),
                      status=rnd.choice(["checked_out", "checked_out", "in_house", "cancelled"]),
                      market_segment=rnd.choice(["leisure", "corporate", "group"]),
                      company=rnd.choice([None, None, *companies]))
            if rnd.random() < 0.3:  # same day again, or the last day of a month
                day = day if rnd.random() < 0.5 else D(day.year, day.month, 28) + dt.timedelta(days=3)
                day = day.replace(day=1) - dt.timedelta(days=1) if day.day < 4 else day
            else:
                day += dt.timedelta(days=rnd.choice([20, 90, 300, 365, 366, 400, 700, 1100]))


def _same(a, b):
    assert a.total == b.total
    assert {r.key: r.cells for r in a.rows} == {r.key: r.cells for r in b.rows}


def test_the_sequence_matches_the_live_ledger(property_a, property_b, manager, frontdesk_a, frontdesk_b):
    _history([property_a, property_b], [manager, frontdesk_a])
    flow_sequence_rebuild()
    assert FlowStay.objects.exists()
    seen = {"new": 0, "retained": 0, "won_back": 0, "lost": 0}
    for year in range(2019, 2026):
        for month in (None, 1, 3, 12):
            for n in (1, 7, 12, 13):
                for scope in ({"property": None}, {"property": property_a}, {"property": property_b},
                              {"property": None, "user": frontdesk_b}):
                    for group_by in (None, "property", "segment", "manager"):
                        kw = {"year": year, "month": month, "lost_after_months": n, "group_by": group_by,
                              "as_of": D(2024, 7, 15), **scope}
                        stored = customer_flow(source="sequence", **kw)
                        _same(stored, customer_flow(source="live", **kw))
                        for name in seen:
                            seen[name] += stored.total.cells[name].customers
    assert all(seen.values()), seen  # the history exercises every class


def test_the_ledger_reads_the_sequence_once_it_was_built(property_a):
    guest = make_guest(property_a)
    make_stay(guest, property_a, D(2024, 5, 1))
    assert customer_flow(year=2024, lost_after_months=12).source == "live"
    dashboards_refresh(years=[2024], as_of=D(2024, 12, 31))
    ledger = customer_flow(year=2024, lost_after_months=12)
    assert ledger.source == "materialised" and ledger.total.new.customers == 1
    assert ledger.refreshed_at == RefreshLog.objects.get(name=REFRESH_NAME).sequence_built_at


@pytest.mark.parametrize("seed", [1, 2])
def test_refresh_figures_match_the_live_ledger(property_a, property_b, manager, seed):
    _history([property_a, property_b], [manager], seed=seed)
    dashboards_refresh(years=[2021, 2022], as_of=D(2022, 9, 1))
    from concierge.dashboards.selectors import materialised_flow

    for year in (2021, 2022):
        for month in (None, 2, 11):
            for prop in (None, property_a, property_b):
                stored = materialised_flow(year=year, month=month, property=prop, group_by="manager",
                                           lost_after_months=12)
                live = customer_flow(year=year, month=month, property=prop, group_by="manager", lost_after_months=12,
                                     as_of=D(2022, 9, 1), source="live")
                _same(stored, live)
