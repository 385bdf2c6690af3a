"""Lost & found: log an item, match it to the guest of that room and date, tell them, return or dispose."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.cases.choices import LOST_ITEM_OPEN, EventKind, LostItemStatus
from concierge.cases.models import LostItem
from concierge.cases.notifications import send_guest_email
from concierge.cases.services.common import actor_or_none, case_event, field_error
from concierge.core.choices import ActivityKind
from concierge.core.i18n import LocalizedText
from concierge.core.services import activity_log
from concierge.stays.choices import StayStatus
from concierge.stays.models import Stay

logger = logging.getLogger(__name__)

LOST_ITEM_FIELDS = ("found_on", "room_number", "found_place", "category", "description", "storage_location", "case")


def lost_item_candidate_stays(item: LostItem) -> QuerySet:
    """Stays in that room covering the day it was found; the guest who left that day comes first."""
    if not item.room_number:
        return Stay.objects.none()
    return (
        Stay.objects.filter(property_id=item.property_id, room_number__iexact=item.room_number.strip(),
                            arrival__lte=item.found_on, departure__gte=item.found_on)
        .exclude(status__in=[StayStatus.CANCELLED, StayStatus.NO_SHOW])
        .annotate(left_that_day=SqlCase(When(departure=item.found_on, then=Value(0)), default=Value(1),
                                      output_field=IntegerField()))
        .select_related("guest", "property")
        .order_by("left_that_day", "-arrival", "-id")
    )


def _log(item: LostItem, *, actor: Any, kind: str, text: LocalizedText, event: str) -> None:
    if item.guest_id:
        activity_log(actor=actor, kind=kind, guest=item.guest, property=item.property, summary=text,
                     data={"lost_item_id": item.pk, "event": event})
    if item.case_id:
        case_event(item.case, kind=EventKind.NOTE, actor=actor, text=text, data={"lost_item_id": item.pk})


@transaction.atomic
def lost_item_create(*, actor: Any, property: Any, auto_match: bool = True, **values: Any) -> LostItem:  # noqa: A002
    """Log a found item; when it was found in a room, match it to the guest who stayed there that day."""
    unknown = set(values) - set(LOST_ITEM_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    item = LostItem(property=property, found_by=actor_or_none(actor), **values)
    if item.case_id and item.case.property_id != property.pk:
        raise field_error("case", _("That case is at another property."), "case_property")
    item.full_clean(exclude=["property", "stay", "guest", "case", "found_by"])
    if item.found_on > timezone.localdate() + dt.timedelta(days=1):
        raise field_error("found_on", _("The date cannot be in the future."), "future")
    item.save()
    if auto_match:
        best = lost_item_candidate_stays(item).filter(guest__isnull=False).first()
        if best is not None:
            item = lost_item_match(actor=actor, item=item, stay=best)
    return item


@transaction.atomic
def lost_item_match(*, actor: Any, item: LostItem, stay: Stay) -> LostItem:
    """Link the item to a stay (and so its guest) at the item's property."""
    item = LostItem.objects.select_for_update(of=("self",)).select_related("property", "case").get(pk=item.pk)
    if stay.property_id != item.property_id:
        raise field_error("stay", _("That stay is at another property."), "stay_property")
    if item.status not in LOST_ITEM_OPEN:
        raise ValidationError(_("The item was already returned or disposed of."), code="item_closed")
    item.stay = stay
    item.guest = stay.guest
    item.status = LostItemStatus.MATCHED
    item.save(update_fields=["stay", "guest", "status"])
    _log(item, actor=actor, kind=ActivityKind.NOTE, event="lost_item_matched", text=LocalizedText(
        gettext_noop("Lost item found in room %(room)s on %(date)s: %(item)s"),
        {"room": item.room_number or "—", "date": item.found_on.isoformat(), "item": item.description}))
    return item


@transaction.atomic
def lost_item_notify(*, actor: Any, item: LostItem, via: str = "email") -> LostItem:
    """Tell the matched guest: by email in their language (sent after commit) or note a phone call."""
    item = LostItem.objects.select_for_update(of=("self",)).select_related("property", "guest", "case").get(pk=item.pk)
    if item.guest_id is None:
        raise ValidationError(_("Match the item to a guest first."), code="no_guest")
    if item.status not in LOST_ITEM_OPEN:
        raise ValidationError(_("The item was already returned or disposed of."), code="item_closed")
    if via == "email" and not item.guest.email:
        raise field_error("via", _("The guest has no email address: call them instead."), "no_email")
    item.status = LostItemStatus.NOTIFIED
    item.notified_at = timezone.now()
    item.save(update_fields=["status", "notified_at"])
    if via == "email":
        _log(item, actor=actor, kind=ActivityKind.EMAIL, event="lost_item_notified", text=LocalizedText(
            gettext_noop("Guest emailed about a lost item: %(item)s"), {"item": item.description}))
        transaction.on_commit(lambda: _send_found_email(item.pk))
    else:
        _log(item, actor=actor, kind=ActivityKind.CALL, event="lost_item_notified", text=LocalizedText(
            gettext_noop("Guest called about a lost item: %(item)s"), {"item": item.description}))
    return item


def _send_found_email(item_id: int) -> None:
    item = LostItem.objects.select_related("property", "guest").get(pk=item_id)
    try:
        send_guest_email(guest=item.guest, property_=item.property, name="lost_item_found", context={"item": item})
    except Exception as exc:  # noqa: BLE001 - recorded; staff can call the guest instead
        logger.warning("lost item %s: email to the guest failed: %s", item.pk, exc)
        LostItem.objects.filter(pk=item.pk).update(status=LostItemStatus.MATCHED, notified_at=None)


@transaction.atomic
def lost_item_return(*, actor: Any, item: LostItem, returned_on: dt.date, returned_to: str) -> LostItem:
    """The item went back to its owner (handed over, couriered…)."""
    item = LostItem.objects.select_for_update(of=("self",)).select_related("property", "guest", "case").get(pk=item.pk)
    if item.status not in LOST_ITEM_OPEN:
        raise ValidationError(_("The item was already returned or disposed of."), code="item_closed")
    if not (returned_to or "").strip():
        raise field_error("returned_to", _("Say to whom or how it was returned."), "required")
    if returned_on < item.found_on:
        raise field_error("returned_on", _("It cannot be returned before it was found."), "date_order")
    item.status = LostItemStatus.RETURNED
    item.returned_on, item.returned_to = returned_on, returned_to.strip()
    item.save(update_fields=["status", "returned_on", "returned_to"])
    _log(item, actor=actor, kind=ActivityKind.NOTE, event="lost_item_returned", text=LocalizedText(
        gettext_noop("Lost item returned: %(item)s (%(how)s)"), {"item": item.description, "how": item.returned_to}))
    return item


@transaction.atomic
def lost_item_dispose(*, actor: Any, item: LostItem, disposed_on: dt.date, note: str = "") -> LostItem:
    """Nobody claimed it: donated, destroyed or handed to the police, as the house rules say."""
    item = LostItem.objects.select_for_update(of=("self",)).select_related("property", "guest", "case").get(pk=item.pk)
    if item.status not in LOST_ITEM_OPEN:
        raise ValidationError(_("The item was already returned or disposed of."), code="item_closed")
    if disposed_on < item.found_on:
        raise field_error("disposed_on", _("It cannot be disposed of before it was found."), "date_order")
    item.status = LostItemStatus.DISPOSED
    item.disposed_on, item.disposal_note = disposed_on, (note or "").strip()
    item.save(update_fields=["status", "disposed_on", "disposal_note"])
    _log(item, actor=actor, kind=ActivityKind.NOTE, event="lost_item_disposed", text=LocalizedText(
        gettext_noop("Unclaimed lost item disposed of: %(item)s"), {"item": item.description}))
    return item
