"""Celery wrappers for campaigns (bodies live in services). Every task is safe to run twice and concurrently."""
from __future__ import annotations

from celery import shared_task
from django.conf import settings

from concierge.campaigns import services


@shared_task(name="concierge.campaigns.tasks.dispatch", acks_late=True)
def dispatch() -> dict[str, int]:
    """Every minute: start due scheduled campaigns, resume stalled enqueues, mark finished campaigns sent."""
    result = services.campaigns_dispatch()
    if result["started"] or result["resumed"]:
        from concierge.campaigns.models import Campaign, CampaignStatus

        for pk in Campaign.objects.filter(status=CampaignStatus.SENDING).values_list("pk", flat=True):
            deliver.delay(pk)
    return result


@shared_task(name="concierge.campaigns.tasks.start_campaign", acks_late=True)
def start_campaign(campaign_id: int) -> bool:
    """"Send now": start one campaign at once (a no-op if the every-minute task already did)."""
    started = services.campaign_start(campaign_id=campaign_id)
    if started:
        for _ in range(max(1, getattr(settings, "CAMPAIGNS_DELIVERY_CHAINS", 1))):
            deliver.delay(campaign_id)
    return started


@shared_task(name="concierge.campaigns.tasks.deliver", acks_late=True)
def deliver(campaign_id: int) -> dict[str, int]:
    """Send a campaign's queued messages through the throttled outbox for a while, then hand over to a fresh task."""
    result = services.campaign_deliver(campaign_id=campaign_id)
    if result["more"]:
        deliver.delay(campaign_id)
    return result
