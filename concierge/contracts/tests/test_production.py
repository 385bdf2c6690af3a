"""Production against commitment, against a hand-computed fixture."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from concierge.contracts.selectors import contract_production


def _stay(company, prop, arrival, nights, revenue, status="checked_out"):
    from concierge.stays.models import Stay

    a = dt.date(*arrival)
    return Stay.objects.create(company=company, property=prop, arrival=a, departure=a + dt.timedelta(days=nights),
                               room_nights=nights, room_revenue=Decimal(revenue), status=status)


def test_production_counts_company_and_subsidiary_stays_within_validity(make_contract, company, subsidiary,
                                                                       property_a, property_b,
                                                                       django_assert_num_queries):
    from concierge.guests.models import Company

    contract = make_contract(commitment=100)  # 2026-01-01 .. 2026-12-31, property A only
    stranger = Company.objects.create(name_en="Someone else")
    _stay(company, property_a, (2026, 2, 1), 3, "2100.00")         # counts: 3 nights
    _stay(subsidiary, property_a, (2026, 5, 10), 2, "1500.50")     # subsidiary: 2 nights
    _stay(company, property_a, (2026, 12, 31), 4, "2800.00")       # arrival on the last day counts: 4 nights
    _stay(company, property_a, (2025, 12, 30), 5, "9999.00")       # arrival before the validity
    _stay(company, property_a, (2027, 1, 1), 1, "700.00")          # after the validity
    _stay(company, property_b, (2026, 3, 1), 6, "4000.00")         # another property
    _stay(company, property_a, (2026, 3, 1), 7, "4900.00", status="reserved")  # not checked out
    _stay(company, property_a, (2026, 3, 1), 8, "5600.00", status="in_house")   # not checked out
    _stay(stranger, property_a, (2026, 3, 1), 9, "6300.00")        # another company
    with django_assert_num_queries(1):
        p = contract_production(contract, today=dt.date(2026, 7, 2))
    # 9 room nights, 2100 + 1500.50 + 2800 = 6400.50; day 183 of 365 → expected round(100*183/365) = 50
    assert (p.stays, p.room_nights, p.room_revenue) == (3, 9, Decimal("6400.50"))
    assert (p.commitment, p.elapsed_days, p.total_days, p.expected_by_today) == (100, 183, 365, 50)
    assert (p.percent, p.expected_percent, p.on_pace) == (9, 50, False)


def test_production_before_the_start_expects_nothing(make_contract):
    contract = make_contract(commitment=365)
    p = contract_production(contract, today=dt.date(2025, 6, 1))
    assert (p.room_nights, p.expected_by_today, p.elapsed_days) == (0, 0, 0)
    assert p.on_pace is True


def test_no_commitment_means_no_pace(make_contract):
    p = contract_production(make_contract(commitment=None), today=dt.date(2026, 6, 1))
    assert (p.percent, p.expected_by_today, p.on_pace) == (None, None, None)
