"""Plain-row builders for dashboard tests: guests linked to a property and productive stays on given dates."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from concierge.guests.models import Company, Guest, GuestProperty
from concierge.stays.models import Stay


def make_guest(property: Any, *, name: str = "王", owner: Any = None) -> Guest:  # noqa: A002
    guest = Guest.objects.create(family_name=name, given_name="客", owner=owner)
    GuestProperty.objects.create(guest=guest, property=property)
    return guest


def make_company(property: Any, *, name: str = "华东贸易", owner: Any = None) -> Company:  # noqa: A002
    company = Company.objects.create(name_zh=name, name_en=name, owner=owner)
    company.properties.add(property)
    return company


def make_stay(guest: Guest | None, property: Any, arrival: dt.date, *, revenue: str | int = 1000,  # noqa: A002
              nights: int = 1, status: str = "checked_out", **values: Any) -> Stay:
    return Stay.objects.create(
        guest=guest, property=property, arrival=arrival, departure=arrival + dt.timedelta(days=nights),
        room_nights=nights, room_revenue=Decimal(revenue), status=status, **values,
    )
