"""Loyalty fixtures: the default programme without bonus rules (tests add the rules they need), members, stays."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest


@pytest.fixture
def programme(hotel_group):
    from concierge.loyalty.demo import programme_seed

    programme = programme_seed(group=hotel_group)
    programme.bonus_rules.all().delete()
    return programme


@pytest.fixture
def tiers(programme):
    return {t.code: t for t in programme.tiers.all()}


@pytest.fixture
def member(programme, guest_a, frontdesk_a):
    from concierge.loyalty.services import membership_enrol

    return membership_enrol(actor=frontdesk_a, guest=guest_a, programme=programme)


@pytest.fixture
def checked_out_stay(django_capture_on_commit_callbacks, frontdesk_a, property_a):
    """Record a checked-out stay through the stays service and run the after-commit hooks (earning)."""

    def make(guest: Any, *, arrival: dt.date = dt.date(2026, 3, 1), nights: int = 2, room: str = "1000",
             fnb: str = "0", other: str = "0", prop: Any = None, status: str = "checked_out") -> Any:
        from concierge.stays.services import stay_create

        with django_capture_on_commit_callbacks(execute=True):
            return stay_create(actor=frontdesk_a, guest=guest, property=prop or property_a, arrival=arrival,
                               departure=arrival + dt.timedelta(days=nights), room_revenue=Decimal(room),
                               fnb_revenue=Decimal(fnb), other_revenue=Decimal(other), status=status)

    return make


def earn(member: Any, points: int, *, on: dt.date, nights: int = 0, qualifying: bool = True) -> Any:
    """A ledger earn row without a stay (for tier and expiry tests)."""
    from dateutil.relativedelta import relativedelta

    from concierge.loyalty.models import PointTransaction

    return PointTransaction.objects.create(
        membership=member, kind="earn", points=points, qualifying_points=points if qualifying else 0, nights=nights,
        occurred_on=on, expires_on=on + relativedelta(months=member.programme.expiry_months))
