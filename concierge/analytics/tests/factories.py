"""Hand-made rows for the value tests: guests and stays written directly (no services), so figures are exact."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from concierge.accounts.models import User
from concierge.guests.models import Guest, GuestProperty
from concierge.stays.models import Stay


def make_guest(name: str, *, property: Any = None, **values: Any) -> Guest:  # noqa: A002
    guest = Guest.objects.create(family_name=name[:1], given_name=name[1:] or name, **values)
    if property is not None:
        GuestProperty.objects.get_or_create(guest=guest, property=property)
    return guest


def make_stay(guest: Guest | None, property: Any, *, days_ago: int | None = None,  # noqa: A002
              arrival: dt.date | None = None, nights: int = 1, room: str | int = 0, fnb: str | int = 0,
              other: str | int = 0, status: str = "checked_out", **values: Any) -> Stay:
    if arrival is None:
        arrival = timezone.localdate() - dt.timedelta(days=days_ago or 0)
    if guest is not None:
        GuestProperty.objects.get_or_create(guest=guest, property=property)
    return Stay.objects.create(
        guest=guest, property=property, arrival=arrival, departure=arrival + dt.timedelta(days=nights),
        room_nights=nights, room_revenue=Decimal(str(room)), fnb_revenue=Decimal(str(fnb)),
        other_revenue=Decimal(str(other)), status=status, **values)


def make_user(username: str, role: str, properties: list[Any] = ()) -> User:  # type: ignore[assignment]
    user = User.objects.create_user(username=username, password="test-password-123", role=role)
    user.properties.set(properties)
    return user
