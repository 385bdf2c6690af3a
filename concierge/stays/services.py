"""Writes for the stays ledger and the nightly statistics refresh."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, F, Max, OuterRef, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear, Rank
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.core.choices import ActivityKind
from concierge.core.i18n import LocalizedText
from concierge.core.services import activity_log
from concierge.guests.models import Guest, GuestProperty, SearchKey
from concierge.stays.choices import PRODUCTIVE_STATUSES, StayStatus
from concierge.stays.models import GuestPropertyStats, Product, Stay, StayItem

STAY_FIELDS = (
    "company", "arrival", "departure", "room_nights", "room_type", "room_number", "rate_code", "adr",
    "room_revenue", "fnb_revenue", "other_revenue", "currency", "channel", "market_segment", "status", "adults",
    "children", "external_ref", "source",
)
MONEY_FIELDS = ("adr", "room_revenue", "fnb_revenue", "other_revenue")


def _clean_stay(stay: Stay) -> None:
    for name in MONEY_FIELDS:
        value = getattr(stay, name)
        try:
            value = Decimal(str(value if value not in (None, "") else "0"))
        except InvalidOperation as exc:
            raise ValidationError({name: [_("Enter an amount.")]}) from exc
        if value < 0:
            raise ValidationError({name: [_("Amounts cannot be negative.")]})
        setattr(stay, name, value)
    if stay.arrival and stay.departure and stay.departure < stay.arrival:
        raise ValidationError({"departure": [_("Departure cannot be before arrival.")]})
    if not stay.room_nights and stay.arrival and stay.departure:
        stay.room_nights = max((stay.departure - stay.arrival).days, 1)
    if stay.room_revenue and not stay.adr and stay.room_nights:
        stay.adr = (stay.room_revenue / stay.room_nights).quantize(Decimal("0.01"))
    if stay.adr and not stay.room_revenue:
        stay.room_revenue = stay.adr * stay.room_nights
    stay.full_clean(exclude=["guest", "company", "property"])


def _date_int(day: dt.date | None) -> int:
    return day.year * 10000 + day.month * 100 + day.day if day else 0


def guest_last_stay_touch(*, guest: Guest, day: dt.date) -> None:
    """Keep the guest's denormalised last-stay date (and search recency) current after a stay."""
    if guest.last_stay_on and guest.last_stay_on >= day:
        return
    Guest.objects.filter(pk=guest.pk).update(last_stay_on=day)
    SearchKey.objects.filter(guest_id=guest.pk).update(rank_hint=_date_int(day))
    guest.last_stay_on = day


@transaction.atomic
def stay_create(
    *, actor: Any, guest: Guest | None, property: Any, items: Iterable[str | dict[str, Any]] = (),  # noqa: A002
    log: bool = True, **values: Any,
) -> Stay:
    """Record a stay (reservation, in-house or history) and link the guest to the property."""
    unknown = set(values) - set(STAY_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    values.setdefault("room_nights", 0)  # 0 = derive from the dates in _clean_stay
    stay = Stay(guest=guest, property=property, **values)
    if not stay.currency:
        stay.currency = property.currency
    _clean_stay(stay)
    stay.save()
    stay_items_set(stay=stay, items=items)
    if guest is not None:
        GuestProperty.objects.get_or_create(guest=guest, property=property)
        if stay.status in PRODUCTIVE_STATUSES:
            guest_last_stay_touch(guest=guest, day=stay.arrival)
        if log:
            activity_log(
                actor=actor, kind=ActivityKind.STAY, guest=guest, company=stay.company, property=property,
                summary=LocalizedText(gettext_noop("Stay %(arrival)s–%(departure)s, room %(room)s (%(status)s)"), {
                    "arrival": stay.arrival.isoformat(), "departure": stay.departure.isoformat(),
                    "room": stay.room_number or "—", "status": StayStatus(stay.status).label}),
                data={"stay_id": stay.pk},
                occurred_at=timezone.make_aware(dt.datetime.combine(stay.arrival, dt.time(14, 0))),
            )
    if stay.company_id:
        stay.company.properties.add(property)
    return stay


def stay_items_set(*, stay: Stay, items: Iterable[str | dict[str, Any]], replace: bool = False) -> None:
    """Attach products/packages by code (created on first use) or {"code", "quantity", "amount"}.

    With `replace`, packages not listed are removed from the stay.
    """
    wanted: dict[str, dict[str, Any]] = {}
    for item in items:
        spec = {"code": item} if isinstance(item, str) else dict(item)
        code = (spec.get("code") or "").strip()
        if code:
            wanted[code] = spec
    if replace:
        StayItem.objects.filter(stay=stay).exclude(product__code__in=wanted).delete()
    if not wanted:
        return
    existing = {p.code: p for p in Product.objects.filter(code__in=wanted)}
    for code in wanted.keys() - existing.keys():
        existing[code] = Product.objects.create(code=code[:60], name_zh=wanted[code].get("name", code),
                                                name_en=wanted[code].get("name", code))
    StayItem.objects.bulk_create(
        [StayItem(stay=stay, product=existing[c], quantity=s.get("quantity", 1), amount=s.get("amount", 0))
         for c, s in wanted.items()],
        ignore_conflicts=True,
    )


@transaction.atomic
def stay_update(*, actor: Any, stay: Stay, **values: Any) -> Stay:
    unknown = set(values) - set(STAY_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    locked = Stay.objects.select_for_update().get(pk=stay.pk)
    old_status = locked.status
    for name, value in values.items():
        setattr(locked, name, value)
    _clean_stay(locked)
    locked.save()
    if locked.company_id:
        locked.company.properties.add(locked.property)
    if locked.guest_id and locked.status in PRODUCTIVE_STATUSES:
        guest_last_stay_touch(guest=locked.guest, day=locked.arrival)
    if locked.guest_id and old_status != locked.status:
        activity_log(actor=actor, kind=ActivityKind.STAY, guest=locked.guest, property=locked.property,
                     summary=LocalizedText(gettext_noop("Stay %(arrival)s: %(old)s → %(new)s"), {
                         "arrival": locked.arrival.isoformat(), "old": StayStatus(old_status).label,
                         "new": StayStatus(locked.status).label}),
                     data={"stay_id": locked.pk})
    return locked


def guest_statistics_refresh(*, batch_size: int = 5000) -> int:
    """Recompute per-guest, per-property figures and ranks in the database; returns rows written.

    Idempotent: the table is rebuilt in one transaction, so a second run gives the same rows.
    """
    money = DecimalField(max_digits=16, decimal_places=2)
    zero = Value(Decimal("0"), output_field=money)
    total = Coalesce(Sum(F("room_revenue") + F("fnb_revenue") + F("other_revenue"), output_field=money), zero)
    rows = (
        Stay.objects.filter(status__in=PRODUCTIVE_STATUSES, guest__isnull=False)
        .values("guest_id", "property_id")
        .annotate(
            n_stays=Count("id"),
            nights=Coalesce(Sum("room_nights"), 0),
            room=Coalesce(Sum("room_revenue"), zero),
            other=Coalesce(Sum(F("fnb_revenue") + F("other_revenue"), output_field=money), zero),
            total=total,
            last=Max("arrival"),
        )
        .annotate(rank=Window(Rank(), partition_by=[F("property_id")], order_by=total.desc()))
        .order_by()
    )
    now = timezone.now()
    written = 0
    with transaction.atomic():
        GuestPropertyStats.objects.all().delete()
        batch: list[GuestPropertyStats] = []
        for row in rows.iterator(chunk_size=batch_size):
            batch.append(GuestPropertyStats(
                guest_id=row["guest_id"], property_id=row["property_id"], stays=row["n_stays"],
                room_nights=row["nights"], room_revenue=row["room"], other_revenue=row["other"],
                total_revenue=row["total"], last_stay_on=row["last"], revenue_rank=row["rank"], refreshed_at=now,
            ))
            if len(batch) >= batch_size:
                GuestPropertyStats.objects.bulk_create(batch)
                written += len(batch)
                batch = []
        GuestPropertyStats.objects.bulk_create(batch)
        written += len(batch)
        last_stay = (
            Stay.objects.filter(guest_id=OuterRef("pk"), status__in=PRODUCTIVE_STATUSES)
            .order_by().values("guest_id").annotate(m=Max("arrival")).values("m")
        )
        Guest.objects.update(last_stay_on=Subquery(last_stay))
        recency = (
            Guest.objects.filter(pk=OuterRef("guest_id"), last_stay_on__isnull=False)
            .annotate(v=ExtractYear("last_stay_on") * 10000 + ExtractMonth("last_stay_on") * 100
                      + ExtractDay("last_stay_on"))
            .values("v")
        )
        SearchKey.objects.filter(guest__isnull=False).update(rank_hint=Coalesce(Subquery(recency), 0))
    return written
