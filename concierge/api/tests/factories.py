"""Test data made through the services (so search keys, property links and timeline entries exist)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from rest_framework.response import Response

from concierge.guests.models import Company, Guest
from concierge.guests.services import company_create, guest_create
from concierge.stays.models import Stay
from concierge.stays.services import stay_create


def make_guest(actor: Any, property: Any, **values: Any) -> Guest:  # noqa: A002
    values.setdefault("family_name", "李")
    values.setdefault("given_name", "娜")
    return guest_create(actor=actor, property=property, **values)


def make_company(actor: Any, properties: list[Any], **values: Any) -> Company:
    values.setdefault("name_zh", "阿里巴巴")
    values.setdefault("name_en", "Alibaba Group")
    return company_create(actor=actor, properties=properties, **values)


def make_stay(actor: Any, guest: Guest | None, property: Any, *, days_ago: int = 30, nights: int = 2,  # noqa: A002
              **values: Any) -> Stay:
    arrival = timezone.localdate() - dt.timedelta(days=days_ago)
    values.setdefault("status", "checked_out")
    return stay_create(actor=actor, guest=guest, property=property, arrival=arrival,
                       departure=arrival + dt.timedelta(days=nights), room_nights=nights, **values)


def error_codes(response: Response) -> dict[str | None, str]:
    """{attr: code} of a drf-standardized-errors response."""
    return {error["attr"]: error["code"] for error in response.json()["errors"]}
