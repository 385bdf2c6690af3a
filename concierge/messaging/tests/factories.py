"""Rows for messaging tests: templates per channel and guests with consent."""
from __future__ import annotations

from typing import Any

from django.utils import timezone

from concierge.guests.models import ConsentRecord, Guest
from concierge.guests.services import guest_create
from concierge.messaging.models import ChannelAddress, MessageTemplate

ZH_SUBJECT = "{{ property.name }}：{{ guest.name }}，春季特惠"
ZH_BODY = "尊敬的{{ guest.name }}：\n\n{{ property.name }}诚邀您春季入住，享受八折优惠。\n\n退订：{{ unsubscribe_url }}"
EN_SUBJECT = "{{ property.name }}: spring offer for {{ guest.name }}"
EN_BODY = "Dear {{ guest.name }},\n\nStay with us this spring at 20% off.\n\nUnsubscribe: {{ unsubscribe_url }}"


def make_template(channel: str = "email", *, code: str = "spring-offer", purpose: str = "marketing",
                  **extra: Any) -> MessageTemplate:
    values = {"name": "Spring offer", "subject_zh": ZH_SUBJECT, "subject_en": EN_SUBJECT, "body_zh": ZH_BODY,
              "body_en": EN_BODY, "provider_template_id": "SMS_1234" if channel != "email" else "", **extra}
    return MessageTemplate.objects.create(code=code, channel=channel, purpose=purpose, **values)


def grant(guest: Guest, channel: str, granted: bool = True, *, source: str = "front desk form") -> ConsentRecord:
    return ConsentRecord.objects.create(guest=guest, channel=channel, granted=granted, source=source,
                                        recorded_at=timezone.now())


def make_guest(actor: Any, property: Any, *, language: str = "zh-hans",  # noqa: A002
               channels: tuple[str, ...] = ("email",), **extra: Any) -> Guest:
    values = {"family_name": "王", "given_name": "芳", "family_name_latin": "WANG", "given_name_latin": "Fang",
              "email": f"guest{Guest.objects.count() + 1}@example.cn", "phone": "+8613800138000",
              "language": language, **extra}
    guest = guest_create(actor=actor, property=property, **values)
    for channel in channels:
        grant(guest, channel)
    if "wechat" in channels:
        ChannelAddress.objects.create(guest=guest, channel="wechat", address=f"oOPENID{guest.pk}")
    return guest
