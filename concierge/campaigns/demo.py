"""Demo campaigns for `manage.py seed_campaigns` (idempotent: each campaign is created once, found by name)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import override_settings
from django.utils import timezone

from concierge.campaigns import services
from concierge.campaigns.models import Campaign
from concierge.messaging.models import Message, MessageTemplate
from concierge.segments.models import Segment

TEMPLATES = {
    "demo-spring-a": ("春季特惠 A / Spring offer A",
                      "{{ property.name }}：{{ guest.name }}，春季入住享八折", "{{ property.name }}: 20% off your spring stay",
                      "尊敬的{{ guest.name }}：\n\n春季入住享八折，优惠码 {{ offer_code }}。\n\n立即预订：{{ offer_url }}\n\n"
                      "退订：{{ unsubscribe_url }}",
                      "Dear {{ guest.name }},\n\n20% off your spring stay with code {{ offer_code }}.\n\n"
                      "Book now: {{ offer_url }}\n\nUnsubscribe: {{ unsubscribe_url }}"),
    "demo-spring-b": ("春季特惠 B / Spring offer B",
                      "{{ guest.name }}，您的春日专属礼遇", "{{ guest.name }}, a spring treat just for you",
                      "{{ guest.name }}您好：\n\n春日专属：连住两晚赠送双人早餐，优惠码 {{ offer_code }}。\n\n"
                      "查看详情：{{ offer_url }}\n\n退订：{{ unsubscribe_url }}",
                      "Hello {{ guest.name }},\n\nStay two nights this spring and breakfast for two is on us "
                      "(code {{ offer_code }}).\n\nDetails: {{ offer_url }}\n\nUnsubscribe: {{ unsubscribe_url }}"),
    "demo-newsletter": ("会员通讯 / Member newsletter",
                        "{{ property.name }} 会员通讯", "{{ property.name }} member newsletter",
                        "尊敬的{{ guest.name }}：\n\n本季新品与活动请见：{{ offer_url }}\n\n退订：{{ unsubscribe_url }}",
                        "Dear {{ guest.name }},\n\nThis season's news and events: {{ offer_url }}\n\n"
                        "Unsubscribe: {{ unsubscribe_url }}"),
}


def _template(code: str) -> MessageTemplate:
    name, subject_zh, subject_en, body_zh, body_en = TEMPLATES[code]
    template = MessageTemplate.objects.filter(code=code, channel="email").first()
    if template is None:
        template = MessageTemplate.objects.create(code=code, channel="email", purpose="marketing", name=name,
                                                  subject_zh=subject_zh, subject_en=subject_en, body_zh=body_zh,
                                                  body_en=body_en)
    return template


def _segment(actor: Any, name: str, month: int) -> Segment:
    segment = Segment.objects.filter(name=name).first()
    if segment is None:
        segment = Segment.objects.create(name=name, created_by=actor, definition={
            "op": "and", "items": [{"field": "birthday_month", "operator": "in", "value": [month]}]})
    return segment


def _send_demo(campaign: Campaign, *, sent_days_ago: int) -> None:
    """Start the campaign and deliver it to Django's in-memory mailbox as if it went out `sent_days_ago` days ago
    at 10:00 (outside quiet hours), then record a deterministic share of opens and clicks."""
    services.campaign_start(campaign_id=campaign.pk)
    from concierge.messaging.services import send_queued

    morning = (timezone.localtime() - dt.timedelta(days=sent_days_ago)).replace(hour=10, minute=0, second=0)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        send_queued(source="campaign", source_id=campaign.pk, now=morning, rate_per_second=0, limit=100000)
    sent = Message.objects.filter(source="campaign", source_id=campaign.pk, status="sent")
    sent.update(sent_at=morning)
    for message in sent.order_by("pk").only("pk", "guest_id"):
        hour = dt.timedelta(hours=1 + message.pk % 30)
        if message.pk % 3 != 0:  # two thirds open
            services.touch_open(message_id=message.pk, now=morning + hour)
        if message.pk % 5 == 0 and campaign.offer_url:
            services.touch_click(message_id=message.pk, url=campaign.offer_url, now=morning + hour)
    services.campaign_finish(campaign_id=campaign.pk)


def campaigns_seed() -> list[str]:
    """Two sent demo email campaigns (one an A/B test) and one scheduled for next week. Returns what was created."""
    from concierge.accounts.models import User
    from concierge.properties.models import Property

    actor = (User.objects.filter(role="marketing").order_by("pk").first()
             or User.objects.filter(is_superuser=True).order_by("pk").first())
    if actor is None:
        return []
    prop = Property.objects.order_by("pk").first()
    created: list[str] = []
    march = _segment(actor, "演示：三月生日 / Demo: March birthdays", 3)
    april = _segment(actor, "演示：四月生日 / Demo: April birthdays", 4)
    spring_a, spring_b = _template("demo-spring-a"), _template("demo-spring-b")
    newsletter = _template("demo-newsletter")
    plans = [
        ("春季特惠 A/B 测试 / Spring offer A/B", march, [("A", spring_a, 50), ("B", spring_b, 50)], 12, None),
        ("会员通讯 / Member newsletter", april, [("A", newsletter, 100)], 5, None),
        ("五一假期 / May Day holiday", march, [("A", spring_a, 100)], None, 7),
    ]
    for name, segment, variants, sent_days_ago, in_days in plans:
        if Campaign.objects.filter(name=name).exists():
            continue
        scheduled_at = timezone.now() + dt.timedelta(days=in_days) if in_days else timezone.now()
        campaign = services.campaign_create(
            actor=actor, name=name, kind="message", channel="email", property=prop, segment=segment,
            cost=3000 if in_days is None else 2000, currency="CNY", offer_code="SPRING20",
            offer_url="https://hotel.example.cn/offers/spring", scheduled_at=scheduled_at,
            variants=[services.VariantInput(label=label, template=template, share_percent=share)
                      for label, template, share in variants])
        if sent_days_ago is not None:
            _send_demo(campaign, sent_days_ago=sent_days_ago)
        created.append(name)
    return created
