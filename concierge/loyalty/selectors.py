"""Reads for loyalty: balances (always a SUM in the database), statements with a running balance, tier progress."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from concierge.guests.models import Guest
from concierge.loyalty.models import Membership, PointTransaction, Programme, Reward, Tier

WINDOW_MONTHS = 12


def membership_balance(membership: Membership | int) -> int:
    """The member's points: the sum of their ledger rows (one indexed aggregate)."""
    membership_id = membership if isinstance(membership, int) else membership.pk
    total = PointTransaction.objects.filter(membership_id=membership_id).aggregate(
        total=Coalesce(Sum("points"), 0))["total"]
    return int(total)


def balance_subquery(ref: str = "pk") -> Coalesce:
    """`Membership.objects.annotate(balance=balance_subquery())`: the balance per row, in the database."""
    sums = (PointTransaction.objects.filter(membership_id=OuterRef(ref)).order_by()
            .values("membership_id").annotate(total=Sum("points")).values("total"))
    return Coalesce(Subquery(sums, output_field=IntegerField()), Value(0))


def members_for(user: Any) -> QuerySet:
    """Memberships whose guest `user` may see, with tier and balance (paginate the result)."""
    visible_guests = Guest.objects.visible_to(user).values("pk")
    return (Membership.objects.filter(guest__in=visible_guests)
            .select_related("guest", "tier").annotate(balance=balance_subquery()))


def membership_for(user: Any, pk: int) -> Membership:
    """A visible membership (raises Membership.DoesNotExist)."""
    return members_for(user).get(pk=pk)


def statement(membership: Membership) -> QuerySet:
    """The member's ledger, newest first, each row with the balance after it (a window SUM in the database)."""
    return (
        PointTransaction.objects.filter(membership=membership)
        # Related rows are fetched for the page only; a join here would be computed for every row of the window.
        .prefetch_related("reward", "created_by", "stay__property")
        .annotate(running_balance=Window(Sum("points"), order_by=["created_at", "id"]))
        .order_by("-created_at", "-id")
    )


def qualifying_totals(membership: Membership, as_of: dt.date | None = None) -> tuple[int, int]:
    """Qualifying points and nights over the rolling window ending `as_of` (the rule `evaluate_tiers` applies)."""
    as_of = as_of or timezone.localdate()
    agg = PointTransaction.objects.filter(
        membership=membership, occurred_on__gt=as_of - relativedelta(months=WINDOW_MONTHS), occurred_on__lte=as_of,
    ).aggregate(points=Coalesce(Sum("qualifying_points"), 0), nights=Coalesce(Sum("nights"), 0))
    return int(agg["points"]), int(agg["nights"])


@dataclass
class TierProgress:
    points: int
    nights: int
    next_tier: Tier | None
    points_needed: int
    nights_needed: int
    percent: int


def tier_progress(membership: Membership, as_of: dt.date | None = None) -> TierProgress:
    """How far the member is toward the next tier (the better of the points and the nights route)."""
    points, nights = qualifying_totals(membership, as_of)
    next_tier = (Tier.objects.filter(programme_id=membership.programme_id, order__gt=membership.tier.order)
                 .order_by("order").first())
    if next_tier is None:
        return TierProgress(points, nights, None, 0, 0, 100)
    ratios = []
    if next_tier.min_points:
        ratios.append(points / next_tier.min_points)
    if next_tier.min_nights:
        ratios.append(nights / next_tier.min_nights)
    percent = int(min(max(ratios or [1.0]), 1.0) * 100)
    return TierProgress(
        points, nights, next_tier,
        max(next_tier.min_points - points, 0) if next_tier.min_points else 0,
        max(next_tier.min_nights - nights, 0) if next_tier.min_nights else 0,
        percent,
    )


def rewards_for(programme: Programme | None, *, active_only: bool = True) -> QuerySet:
    qs = Reward.objects.filter(programme=programme) if programme else Reward.objects.none()
    return qs.filter(is_active=True) if active_only else qs


def default_programme() -> Programme | None:
    """The programme of the (first) hotel group: most installations run one group."""
    return Programme.objects.select_related("group").order_by("pk").first()


def card_insights(guest: Guest, user: Any) -> list[dict[str, Any]]:
    """Guest-card provider: tier, points balance and top tier benefits (two indexed queries)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    membership = Membership.objects.select_related("tier").filter(guest=guest).first()
    if membership is None:
        return []
    url = reverse("loyalty:member_detail", args=[membership.pk])
    balance = membership_balance(membership)
    benefits = membership.tier.benefit_lines[:3]
    rows: list[dict[str, Any]] = [
        {"label": _("Loyalty tier"), "value": f"{membership.tier.name} · {membership.number}", "url": url,
         "icon": "bi-award", "testid": "loyalty-tier"},
        {"label": _("Points balance"), "value": f"{balance:,}", "url": url, "icon": "bi-coin",
         "testid": "loyalty-balance"},
    ]
    if benefits:
        rows.append({"label": _("Tier benefits"), "value": "; ".join(benefits), "icon": "bi-gift",
                     "testid": "loyalty-benefits"})
    return rows
