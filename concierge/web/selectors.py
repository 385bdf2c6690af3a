"""Reads for the front-office dashboard: arrivals, in-house count, critical alerts, room nights by month."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from concierge.core.models import Activity
from concierge.guests.choices import AlertSeverity
from concierge.guests.models import Alert
from concierge.stays.choices import PRODUCTIVE_STATUSES, StayStatus
from concierge.stays.models import Stay


def arrivals_on(*, user: Any, day: dt.date) -> QuerySet:
    """Visible stays arriving on `day` (reserved or already checked in), with a flag for critical alerts."""
    critical = Alert.objects.filter(guest_id=OuterRef("guest_id"), is_active=True, severity=AlertSeverity.CRITICAL)
    return (
        Stay.objects.visible_to(user)
        .filter(arrival=day, status__in=[StayStatus.RESERVED, StayStatus.IN_HOUSE])
        .select_related("guest", "property", "company")
        .annotate(has_critical_alert=Exists(critical))
        .order_by("-has_critical_alert", "property__code", "guest__family_name_latin", "id")
    )


def critical_alerts_arriving(*, user: Any, day: dt.date) -> QuerySet:
    """Active critical alerts of guests who arrive at a visible property on `day`."""
    arriving = Stay.objects.visible_to(user).filter(
        arrival=day, status__in=[StayStatus.RESERVED, StayStatus.IN_HOUSE], guest_id=OuterRef("guest_id")
    )
    return (
        Alert.objects.filter(is_active=True, severity=AlertSeverity.CRITICAL)
        .filter(Exists(arriving))
        .select_related("guest")
        .order_by("guest_id", "-created_at")
    )


def in_house_count(*, user: Any) -> int:
    return Stay.objects.visible_to(user).filter(status=StayStatus.IN_HOUSE).count()


def departures_count(*, user: Any, day: dt.date) -> int:
    return Stay.objects.visible_to(user).filter(departure=day, status=StayStatus.IN_HOUSE).count()


def recent_activity(*, user: Any, limit: int = 8) -> list[Activity]:
    return list(
        Activity.objects.visible_to(user).select_related("actor", "guest", "company", "property")
        .order_by("-occurred_at", "-id")[:limit]
    )


def room_nights_by_month(*, user: Any, months: int = 12, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Room nights of productive stays per arrival month over the last `months` months (zeros filled in).

    Summed in the database (one GROUP BY query); Python only fills the months without stays.
    """
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    rows = (
        Stay.objects.visible_to(user)
        .filter(status__in=PRODUCTIVE_STATUSES, arrival__gte=first, arrival__lte=today)
        .annotate(month=TruncMonth("arrival"))
        .values("month")
        .annotate(nights=Sum("room_nights"))
        .order_by("month")
    )
    by_month = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        by_month[month.replace(day=1)] = row["nights"] or 0
    result = []
    cursor = first
    for _ in range(months):
        result.append({"month": cursor.strftime("%Y-%m"), "nights": by_month.get(cursor, 0)})
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    return result
