"""Builders for lifetime-value tests: guests with stay histories, written as real rows."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from concierge.guests.models import Guest, GuestProperty
from concierge.stays.models import Stay


def guest_with_stays(property: Any, days: list[dt.date], *, amount: str = "500", name: str = "Guest",  # noqa: A002
                     status: str = "checked_out", **extra: Any) -> Guest:
    """A guest linked to `property` with one one-night stay arriving on each of `days`."""
    guest = Guest.objects.create(family_name_latin=name.upper(), given_name_latin="Test", **extra)
    GuestProperty.objects.get_or_create(guest=guest, property=property)
    add_stays(guest, property, days, amount=amount, status=status)
    return guest


def add_stays(guest: Guest, property: Any, days: list[dt.date], *, amount: str = "500",  # noqa: A002
              status: str = "checked_out") -> None:
    GuestProperty.objects.get_or_create(guest=guest, property=property)
    Stay.objects.bulk_create([
        Stay(guest=guest, property=property, arrival=day, departure=day + dt.timedelta(days=1), room_nights=1,
             room_revenue=Decimal(amount), status=status)
        for day in days
    ])


def every(start: dt.date, end: dt.date, step_days: int) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        days.append(day)
        day += dt.timedelta(days=step_days)
    return days


def population(property: Any, today: dt.date, *, regulars: int = 25) -> dict[str, Guest]:  # noqa: A002
    """`regulars` guests staying monthly until recently (500 a stay), one lapsed VIP (5,000 a stay, every two
    weeks, stopped 400 days ago) and one lapsed small spender (100 a stay, stopped 400 days ago)."""
    people: dict[str, Guest] = {}
    for index in range(regulars):
        offset = index % 7
        people[f"regular{index}"] = guest_with_stays(
            property, every(today - dt.timedelta(days=540 + offset), today - dt.timedelta(days=10), 30),
            name=f"regular{index}")
    people["vip"] = guest_with_stays(
        property, every(today - dt.timedelta(days=900), today - dt.timedelta(days=400), 14), amount="5000", name="vip")
    people["small"] = guest_with_stays(
        property, every(today - dt.timedelta(days=700), today - dt.timedelta(days=400), 60), amount="100",
        name="small")
    return people
