"""Demo contracts on top of `seed_demo`: ~30 corporate and travel-agency contracts in every status, with rates.

Deterministic (a seeded random generator, dates relative to today) and idempotent: demo contracts carry numbers
"DEMO-0001"…; a number that exists is skipped.
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from concierge.contracts import services
from concierge.contracts.models import Contract

ROOM_TYPES = ["豪华大床房 Deluxe King", "豪华双床房 Deluxe Twin", "行政房 Executive"]
# (status, how many, start offset in months from today, validity in months)
PLAN = [
    ("draft", 4, 1, 12), ("sent", 4, 1, 12), ("signed", 4, 2, 12),
    ("active", 7, -6, 12), ("active", 3, -11, 12),  # the last three expire within ~30–45 days
    ("expired", 4, -14, 12), ("terminated", 2, -5, 12), ("cancelled", 2, 1, 12),
]
PATHS = {"draft": [], "sent": ["send"], "signed": ["send", "sign"], "active": ["send", "sign", "activate"],
         "expired": ["send", "sign", "activate", "expire"], "terminated": ["send", "sign", "activate", "terminate"],
         "cancelled": ["send", "cancel"]}


def contracts_seed(*, seed: int = 2024) -> dict[str, int]:
    """Create the demo contracts that do not exist yet. Returns counts by status of the contracts created."""
    from concierge.accounts.models import User
    from concierge.guests.models import Company

    rng = random.Random(seed)
    today = timezone.localdate()
    companies = list(Company.objects.filter(status="active").prefetch_related("properties").order_by("pk")[:30])
    if not companies:
        return {}
    fallback_owner = User.objects.filter(role="sales_rep", is_active=True).order_by("pk").first()
    existing = set(Contract.objects.filter(number__startswith="DEMO-").values_list("number", flat=True))
    created: dict[str, int] = {}
    index = 0
    for status, count, start_offset, months in PLAN:
        for _n in range(count):
            index += 1
            company = companies[(index - 1) % len(companies)]
            number = f"DEMO-{index:04d}"
            choices = [rng.random() for _i in range(4)]  # drawn even when skipped, so reruns stay deterministic
            if number in existing:
                continue
            start = (today + relativedelta(months=start_offset)).replace(day=1)
            end = start + relativedelta(months=months) - dt.timedelta(days=1)
            if status == "active" and start_offset == -11:
                end = today + dt.timedelta(days=25 + index)  # expiring soon
            with transaction.atomic():
                _create(number=number, company=company, status=status, start=start, end=end, choices=choices,
                        owner=company.owner or fallback_owner, today=today)
            created[status] = created.get(status, 0) + 1
    return created


def _create(*, number: str, company: Any, status: str, start: dt.date, end: dt.date, choices: list[float],
            owner: Any, today: dt.date) -> Contract:
    from concierge.properties.models import Property

    props = list(company.properties.all())[:2] or list(Property.objects.order_by("pk")[:1])
    agency = company.channel == "travel_agency" or choices[0] < 0.3
    middle = start + (end - start) / 2
    base = 450 + int(choices[1] * 400)
    rates = []
    for prop in props:
        for k, room in enumerate(ROOM_TYPES):
            low = Decimal(base + 120 * k)
            rates.append(services.RateInput(property_id=prop.pk, room_type=room, season_name="淡季 Low",
                                            season_start=start, season_end=middle, rate=low,
                                            breakfast_included=k > 0))
            rates.append(services.RateInput(property_id=prop.pk, room_type=room, season_name="旺季 High",
                                            season_start=middle + dt.timedelta(days=1), season_end=end,
                                            rate=(low * Decimal("1.2")).quantize(Decimal("1")),
                                            breakfast_included=k > 0))
    contract = services.contract_create(
        actor=owner, company=company, number=number, start_date=start, end_date=end, properties=props, rates=rates,
        title=("旅行社合作合同 " if agency else "协议公司价格协议 ") + str(start.year), owner=owner,
        kind="travel_agency" if agency else "corporate",
        commission_percent=Decimal("10") if agency else Decimal("0"),
        allotment_per_night=5 + int(choices[2] * 10) if agency else None,
        room_night_commitment=100 + int(choices[3] * 20) * 50,
        payment_terms="credit_30" if choices[2] < 0.7 else "prepaid",
    )
    for action in PATHS[status]:
        contract = services.contract_action(
            actor=owner, contract=contract, action=action, reason="客户业务调整 Business change",
            signed_on=min(today, start - dt.timedelta(days=10)),
            effective_on=today if action == "terminate" else None,
        )
    return contract
