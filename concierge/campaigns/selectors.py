"""Reads of the Campaigns module: lists, progress counters, the campaign report and the report-panel registry."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncHour

from concierge.campaigns.models import Campaign, CampaignTouch, CampaignVariant, TouchKind
from concierge.campaigns.permissions import can_view_campaigns
from concierge.messaging.choices import MessageStatus, Reason
from concierge.messaging.models import Message

logger = logging.getLogger(__name__)

# Report panels contributed by other apps (attribution ROI, lead import, ...). Each provider gets the campaign and
# the viewing user and returns `(template_name, context)` to render on the campaign detail/report page, or None to
# show nothing. Providers register at import time from their AppConfig.ready(), e.g.
#     from concierge.campaigns.selectors import CAMPAIGN_REPORT_PANELS
#     CAMPAIGN_REPORT_PANELS.append(my_panel)
# The page renders each panel with `{% include panel_template with campaign=campaign panel=context %}`, so the
# template sees `campaign`, `panel` (the dict) and `request`/`user` from the page context.
CampaignReportPanel = Callable[[Any, Any], "tuple[str, dict] | None"]
CAMPAIGN_REPORT_PANELS: list[CampaignReportPanel] = []


def campaign_report_panels(*, campaign: Any, user: Any) -> list[tuple[str, dict]]:
    """Call every registered provider; skip those returning None."""
    panels: list[tuple[str, dict]] = []
    for provider in CAMPAIGN_REPORT_PANELS:
        try:
            result = provider(campaign, user)
        except Exception:  # noqa: BLE001 - one broken contributed panel must not take the campaign page down
            logger.exception("campaign report panel %r failed", provider)
            continue
        if result is not None:
            panels.append(result)
    return panels


# --- lists and report -------------------------------------------------------------------------------------------

SOURCE = "campaign"


def campaigns_for(user: Any) -> QuerySet:
    """Campaigns the user may open: their properties' and group-wide ones; none without a campaign role."""
    if not can_view_campaigns(user):
        return Campaign.objects.none()
    return Campaign.objects.visible_to(user).select_related("property", "segment", "owner")


def campaign_messages(campaign: Campaign) -> QuerySet:
    return Message.objects.filter(source=SOURCE, source_id=campaign.pk)


@dataclass
class Progress:
    """Where a send stands: counted in the database, one GROUP BY on the outbox and one on the touches."""

    audience: int = 0
    enqueued: int = 0
    queued: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    bounced: int = 0
    suppressed: int = 0
    suppressed_by_reason: list[tuple[str, str, int]] = field(default_factory=list)  # (code, label, n)

    @property
    def done_percent(self) -> int:
        if not self.enqueued:
            return 0
        return int(100 * (self.enqueued - self.queued - self.sending) / self.enqueued)


def campaign_progress(campaign: Campaign) -> Progress:
    progress = Progress(audience=campaign.audience_count)
    reasons: dict[str, int] = {}
    for status, reason, n in (campaign_messages(campaign).order_by().values_list("status", "reason")
                              .annotate(n=Count("pk"))):
        progress.enqueued += n
        if status in ("queued", "sending", "sent", "failed", "suppressed"):
            setattr(progress, status, getattr(progress, status) + n)
        if status == MessageStatus.SUPPRESSED:
            reasons[reason] = reasons.get(reason, 0) + n
    progress.suppressed_by_reason = [(code, str(Reason(code).label) if code in Reason.values else code, n)
                                     for code, n in sorted(reasons.items(), key=lambda kv: -kv[1])]
    progress.bounced = CampaignTouch.objects.filter(campaign=campaign, kind=TouchKind.BOUNCED).count()
    return progress


@dataclass
class VariantReport:
    """One line of the A/B report."""

    label: str
    template: str
    share_percent: int
    recipients: int = 0
    sent: int = 0
    suppressed: int = 0
    failed: int = 0
    queued: int = 0
    bounced: int = 0
    opens: int = 0
    clicks: int = 0
    unsubscribes: int = 0
    suppressed_by_reason: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def _rate(n: int, d: int) -> float:
        return round(100.0 * n / d, 1) if d else 0.0

    @property
    def open_rate(self) -> float:
        return self._rate(self.opens, self.sent)

    @property
    def click_rate(self) -> float:
        return self._rate(self.clicks, self.sent)

    @property
    def click_to_open_rate(self) -> float:
        return self._rate(self.clicks, self.opens)

    @property
    def unsubscribe_rate(self) -> float:
        return self._rate(self.unsubscribes, self.sent)

    @property
    def bounce_rate(self) -> float:
        return self._rate(self.bounced, self.sent + self.bounced)


def campaign_report(campaign: Campaign) -> list[VariantReport]:
    """Per variant: recipients, sent, suppressed (by reason), failed, bounced, unique opens/clicks, unsubscribes.

    Outbox rows are told apart by template (each variant has its own), touches by variant. Unique opens and clicks
    are distinct messages with at least one open / click (the dedupe key already stores one open per message).
    """
    variants = list(CampaignVariant.objects.filter(campaign=campaign).select_related("template").order_by("label"))
    rows = {v.pk: VariantReport(label=v.label, template=v.template.name, share_percent=v.share_percent)
            for v in variants}
    by_template = {v.template_id: rows[v.pk] for v in variants}
    for template_id, status, reason, n in (campaign_messages(campaign).order_by()
                                           .values_list("template_id", "status", "reason").annotate(n=Count("pk"))):
        row = by_template.get(template_id)
        if row is None:
            continue
        row.recipients += n
        if status == MessageStatus.SENT:
            row.sent += n
        elif status == MessageStatus.SUPPRESSED:
            row.suppressed += n
            row.suppressed_by_reason[reason] = row.suppressed_by_reason.get(reason, 0) + n
        elif status == MessageStatus.FAILED:
            row.failed += n
        else:
            row.queued += n
    attr = {TouchKind.OPENED: "opens", TouchKind.CLICKED: "clicks", TouchKind.UNSUBSCRIBED: "unsubscribes",
            TouchKind.BOUNCED: "bounced"}
    for variant_id, kind, n in (CampaignTouch.objects.filter(campaign=campaign, kind__in=list(attr)).order_by()
                                .values_list("variant_id", "kind").annotate(n=Count("message", distinct=True))):
        if variant_id in rows:
            setattr(rows[variant_id], attr[kind], n)
    return [rows[v.pk] for v in variants]


def campaign_activity_over_time(campaign: Campaign) -> dict[str, Any]:
    """Opens and clicks per hour (the property's time zone, else the server's) for the line chart."""
    from concierge.messaging.selectors import property_timezone

    tz = property_timezone(campaign.property)
    counts: dict[tuple[dt.datetime, str], int] = {}
    for hour, kind, n in (CampaignTouch.objects.filter(campaign=campaign,
                                                       kind__in=[TouchKind.OPENED, TouchKind.CLICKED]).order_by()
                          .annotate(hour=TruncHour("occurred_at", tzinfo=tz)).values_list("hour", "kind")
                          .annotate(n=Count("pk"))):
        counts[(hour, kind)] = n
    hours = sorted({h for h, _k in counts})
    return {"labels": [h.astimezone(tz).strftime("%m-%d %H:00") for h in hours],
            "opens": [counts.get((h, TouchKind.OPENED), 0) for h in hours],
            "clicks": [counts.get((h, TouchKind.CLICKED), 0) for h in hours]}


def sample_audience_member(campaign: Campaign, user: Any) -> Any:
    """A guest to preview the content with: the first member of the snapshot, else of the live segment."""
    from concierge.guests.models import Guest
    from concierge.segments.selectors import segment_members

    if campaign.snapshot_id:
        guest = (Guest.objects.visible_to(user).filter(
            pk__in=campaign.snapshot.members.values("guest_id")).order_by("pk").first())
        if guest is not None:
            return guest
    if campaign.segment_id:
        try:
            return segment_members(campaign.segment, user).order_by("pk").first()
        except Exception:  # noqa: BLE001 - a segment whose definition no longer validates has no sample
            return None
    return None
