"""The per-customer summary is computed in SQL with the paper's definitions."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from concierge.clv.selectors import customer_summary
from concierge.clv.tests.factories import add_stays, guest_with_stays

END = dt.date(2026, 6, 30)


def _row(summary, guest):
    index = int(np.flatnonzero(summary.guest_ids == guest.pk)[0])
    return {name: float(getattr(summary, name)[index]) for name in
            ("frequency", "recency", "age", "monetary", "total_value", "days_since_last")}


def test_stays_on_the_same_day_count_once_with_their_summed_value(property_a, property_b):
    guest = guest_with_stays(property_a, [dt.date(2026, 1, 1), dt.date(2026, 1, 15)], amount="100")
    add_stays(guest, property_b, [dt.date(2026, 1, 15), dt.date(2026, 2, 12)], amount="50")
    row = _row(customer_summary(calibration_end=END, time_unit="day"), guest)
    assert row["frequency"] == 2  # 15 Jan once, 12 Feb
    assert row["recency"] == 42
    assert row["age"] == (END - dt.date(2026, 1, 1)).days
    assert row["monetary"] == pytest.approx((150 + 50) / 2)
    assert row["total_value"] == pytest.approx(300)
    assert row["days_since_last"] == (END - dt.date(2026, 2, 12)).days


def test_weeks_divide_the_day_counts_by_seven(property_a):
    guest = guest_with_stays(property_a, [dt.date(2026, 1, 1), dt.date(2026, 1, 15)])
    row = _row(customer_summary(calibration_end=END, time_unit="week"), guest)
    assert row["recency"] == pytest.approx(2.0)
    assert row["age"] == pytest.approx((END - dt.date(2026, 1, 1)).days / 7)


def test_a_property_scope_counts_only_its_stays(property_a, property_b):
    guest = guest_with_stays(property_a, [dt.date(2026, 1, 1), dt.date(2026, 3, 1)])
    add_stays(guest, property_b, [dt.date(2026, 2, 1)])
    assert _row(customer_summary(property=property_a, calibration_end=END, time_unit="day"), guest)["frequency"] == 1
    assert _row(customer_summary(calibration_end=END, time_unit="day"), guest)["frequency"] == 2


def test_only_productive_stays_up_to_the_calibration_end_of_live_guests_count(property_a):
    guest = guest_with_stays(property_a, [dt.date(2026, 1, 1)])
    add_stays(guest, property_a, [dt.date(2026, 2, 1)], status="cancelled")
    add_stays(guest, property_a, [dt.date(2026, 3, 1)], status="no_show")
    add_stays(guest, property_a, [dt.date(2026, 8, 1)])  # after the calibration end
    survivor = guest_with_stays(property_a, [dt.date(2026, 1, 1)])
    tombstone = guest_with_stays(property_a, [dt.date(2026, 1, 5)])
    tombstone.merged_into = survivor
    tombstone.save(update_fields=["merged_into"])
    summary = customer_summary(calibration_end=END, time_unit="day")
    assert _row(summary, guest)["frequency"] == 0
    assert tombstone.pk not in summary.guest_ids.tolist()
    assert summary.customers == 2 and summary.repeat_customers == 0


def test_an_empty_scope_gives_empty_arrays(db):
    summary = customer_summary(calibration_end=END, time_unit="week")
    assert summary.customers == 0 and summary.frequency.shape == (0,)
