"""Small builders for pipeline tests."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from concierge.pipeline.models import Opportunity
from concierge.pipeline.services import opportunity_create


def make_opportunity(*, owner: Any, company: Any, value: str | int = "1000", stage: Any = None,
                     property: Any = None, expected_close: dt.date | None = None,  # noqa: A002
                     probability: int | None = None, title: str = "Annual room deal") -> Opportunity:
    return opportunity_create(actor=owner, title=title, company=company, owner=owner, value=Decimal(str(value)),
                              stage=stage, property=property, expected_close=expected_close, probability=probability)


def make_stay(*, company: Any, property: Any, departure: dt.date, nights: int = 1,  # noqa: A002
              room: str = "0", fnb: str = "0", other: str = "0", status: str = "checked_out") -> Any:
    from concierge.stays.models import Stay

    return Stay.objects.create(company=company, property=property, arrival=departure - dt.timedelta(days=nights),
                               departure=departure, room_nights=nights, room_revenue=Decimal(room),
                               fnb_revenue=Decimal(fnb), other_revenue=Decimal(other), status=status)
