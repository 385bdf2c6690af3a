"""Rows for campaign tests: email templates with Chinese text, a segment of everyone, a scheduled A/B campaign."""
from __future__ import annotations

from typing import Any

from django.utils import timezone

from concierge.campaigns.models import Campaign
from concierge.campaigns.services import VariantInput, campaign_create
from concierge.messaging.models import MessageTemplate
from concierge.segments.models import Segment

# Everyone who is not "lost" (so unsuitable guests are in the audience and must be suppressed at send time).
EVERYONE = {"op": "and", "items": [{"field": "status", "operator": "not_in", "value": ["lost"]}]}


def make_email_template(code: str, label: str) -> MessageTemplate:
    return MessageTemplate.objects.create(
        code=code, channel="email", purpose="marketing", name=f"Spring {label}",
        subject_zh=f"{{{{ property.name }}}}：{{{{ guest.name }}}}，春季特惠（{label}）",
        subject_en=f"{{{{ property.name }}}}: spring offer for {{{{ guest.name }}}} ({label})",
        body_zh="尊敬的{{ guest.name }}：\n\n春季入住享八折，优惠码 {{ offer_code }}。\n\n立即预订：{{ offer_url }}\n\n"
                "退订：{{ unsubscribe_url }}",
        body_en="Dear {{ guest.name }},\n\n20% off this spring, code {{ offer_code }}.\n\nBook now: {{ offer_url }}\n\n"
                "Unsubscribe: {{ unsubscribe_url }}",
    )


def make_segment(actor: Any, definition: dict | None = None) -> Segment:
    return Segment.objects.create(name="Everyone", definition=definition or EVERYONE, created_by=actor)


def make_campaign(actor: Any, property_: Any, templates: Any, *, shares: tuple[int, ...] = (100,),
                  scheduled: bool = True, **extra: Any) -> Campaign:
    variants = [VariantInput(label=label, template=template, share_percent=share)
                for label, template, share in zip("ABC", templates, shares, strict=False)]
    values = {"name": "Spring offer 春季特惠", "kind": "message", "channel": "email", "property": property_,
              "segment": make_segment(actor), "cost": 1000, "currency": "CNY", "offer_code": "SPRING20",
              "offer_url": "https://hotel.example.cn/book?code=SPRING20&lang=zh",
              "scheduled_at": timezone.now() if scheduled else None, **extra}
    return campaign_create(actor=actor, variants=variants, **values)
