"""Reads for messaging: consent in force, the monthly count, rules per property, the outbox and templates."""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from concierge.guests.models import ConsentRecord, Guest, GuestProperty
from concierge.messaging.choices import MessageStatus, Purpose
from concierge.messaging.models import ChannelAddress, Message, MessageTemplate, SuppressionRule

# Used when a property has no SuppressionRule row (and for messages without a property).
DEFAULT_RULE = SuppressionRule(quiet_start=dt.time(21, 0), quiet_end=dt.time(8, 0), monthly_cap=4)


def consent_in_force(*, guest_id: int, channel: str) -> bool | None:
    """The newest consent decision for the channel (None: never asked). One indexed look-up."""
    record = (ConsentRecord.objects.filter(guest_id=guest_id, channel=channel)
              .order_by("-recorded_at", "-id").values_list("granted", "source").first())
    return None if record is None else record[0]


def last_consent(*, guest_id: int, channel: str) -> ConsentRecord | None:
    return ConsentRecord.objects.filter(guest_id=guest_id, channel=channel).order_by("-recorded_at", "-id").first()


def rule_for(property_id: int | None) -> SuppressionRule:
    if property_id is None:
        return DEFAULT_RULE
    return SuppressionRule.objects.filter(property_id=property_id).first() or DEFAULT_RULE


def property_timezone(property_: Any) -> ZoneInfo:
    from django.conf import settings

    return ZoneInfo(getattr(property_, "timezone", "") or settings.TIME_ZONE)


def marketing_sent_since(*, guest_id: int, since: dt.datetime, exclude_pk: int | None = None) -> int:
    """Marketing messages sent to the guest (on any channel, from any property) since `since`."""
    qs = Message.objects.filter(guest_id=guest_id, purpose=Purpose.MARKETING, status=MessageStatus.SENT,
                                sent_at__gte=since)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.count()


def home_property_id(guest: Guest) -> int | None:
    """The property a message to the guest is sent for when the caller names none: the most recent link."""
    return (GuestProperty.objects.filter(guest=guest).order_by("-first_seen", "-id")
            .values_list("property_id", flat=True).first())


def channel_address(*, guest: Guest, channel: str) -> str:
    """Where to send: the profile's email or phone, or the stored WeChat openid."""
    if channel == "email":
        return guest.email or ""
    if channel == "sms":
        return (guest.phone or "").replace(" ", "")
    return (ChannelAddress.objects.filter(guest=guest, channel=channel).values_list("address", flat=True).first()
            or "")


def active_template(*, code: str, channel: str) -> MessageTemplate | None:
    return MessageTemplate.objects.filter(code=code, channel=channel, is_active=True).first()


def outbox_for(user: Any) -> QuerySet[Message]:
    return (Message.objects.visible_to(user).select_related("guest", "template", "property")
            .order_by("-created_at", "-id"))


def templates_all() -> QuerySet[MessageTemplate]:
    return MessageTemplate.objects.select_related("updated_by").order_by("code", "channel")
