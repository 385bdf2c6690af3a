"""Reads of the Contracts module: scoped lists, a contract with its rates and history, production vs commitment."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from concierge.contracts.models import Contract
from concierge.stays.choices import StayStatus


def contracts_for(user: Any) -> QuerySet[Contract]:
    """Contracts `user` may see, with what list pages show."""
    return Contract.objects.visible_to(user).select_related("company", "owner")


def contract_for(user: Any, pk: int) -> Contract:
    """One visible contract (raises Contract.DoesNotExist otherwise)."""
    return contracts_for(user).get(pk=pk)


def contracts_filter(qs: QuerySet[Contract], *, status: str = "", kind: str = "", owner: Any = None,
                     expiring_within: int | None = None, company: Any = None, q: str = "",
                     today: dt.date | None = None) -> QuerySet[Contract]:
    """The list filters shared by the web list and the API."""
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if owner is not None:
        qs = qs.filter(owner=owner)
    if company is not None:
        qs = qs.filter(company=company)
    if expiring_within is not None:
        today = today or timezone.localdate()
        qs = qs.filter(status__in=("signed", "active"), end_date__gte=today,
                       end_date__lte=today + dt.timedelta(days=expiring_within))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(company__name_zh__icontains=q)
                       | Q(company__name_en__icontains=q))
    return qs


@dataclass(frozen=True)
class Production:
    """Stays billed to the contract's company (and its subsidiaries) at its properties within its validity."""

    stays: int
    room_nights: int
    room_revenue: Decimal
    commitment: int | None
    expected_by_today: int | None
    percent: int | None  # production as a share of the commitment (may exceed 100)
    expected_percent: int | None  # where the pace line sits on the bar
    elapsed_days: int
    total_days: int

    @property
    def on_pace(self) -> bool | None:
        if self.expected_by_today is None:
            return None
        return self.room_nights >= self.expected_by_today


def contract_production(contract: Contract, *, today: dt.date | None = None) -> Production:
    """Room nights and room revenue of checked-out stays whose arrival falls within the validity, billed to the
    company, a subsidiary or a subsidiary's subsidiary, at one of the contract's properties — one aggregate query.

    Pace: the commitment spread evenly over the validity; `expected_by_today` is the share of it due by today.
    """
    from concierge.guests.models import Company
    from concierge.stays.models import Stay

    today = today or timezone.localdate()
    family = Company.objects.filter(
        Q(pk=contract.company_id) | Q(parent_id=contract.company_id) | Q(parent__parent_id=contract.company_id)
    ).values("pk")  # a subquery, so the stays side can use its company index
    totals = Stay.objects.filter(
        company_id__in=family,
        status=StayStatus.CHECKED_OUT,
        property__contracts=contract,
        arrival__gte=contract.start_date,
        arrival__lte=contract.end_date,
    ).aggregate(
        stays=Count("pk"),
        room_nights=Coalesce(Sum("room_nights"), 0),
        room_revenue=Coalesce(Sum("room_revenue"), Decimal("0")),
    )
    total_days = (contract.end_date - contract.start_date).days + 1
    elapsed = min(max((today - contract.start_date).days + 1, 0), total_days)
    commitment = contract.room_night_commitment
    expected = percent = expected_percent = None
    if commitment:
        expected = round(commitment * elapsed / total_days)
        percent = round(100 * totals["room_nights"] / commitment)
        expected_percent = round(100 * elapsed / total_days)
    return Production(stays=totals["stays"], room_nights=totals["room_nights"], room_revenue=totals["room_revenue"],
                      commitment=commitment, expected_by_today=expected, percent=percent,
                      expected_percent=expected_percent, elapsed_days=elapsed, total_days=total_days)


def contract_history(contract: Contract) -> QuerySet:
    return contract.events.select_related("by").order_by("-at", "-id")


def contract_rates(contract: Contract) -> QuerySet:
    return contract.rates.select_related("property").order_by("property__code", "room_type", "season_start")
