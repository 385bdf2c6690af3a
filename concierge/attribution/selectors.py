"""Reads of the attribution module: ROI per campaign (aggregate subqueries), lead imports, freshness."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from concierge.attribution.models import AttributionSettings, CampaignLead, ContractAttribution, LeadImport, \
    StayAttribution
from concierge.campaigns.models import REACHED_KINDS, RESPONSE_KINDS, Campaign, CampaignTouch

_MONEY = DecimalField(max_digits=18, decimal_places=2)


def _count(qs: QuerySet, expression: Any) -> Coalesce:
    """A correlated per-campaign aggregate: one subquery per figure, so joins never multiply rows."""
    sub = qs.filter(campaign=OuterRef("pk")).order_by().values("campaign").annotate(v=expression).values("v")[:1]
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def _money(qs: QuerySet, expression: Any) -> Coalesce:
    sub = qs.filter(campaign=OuterRef("pk")).order_by().values("campaign").annotate(v=expression).values("v")[:1]
    return Coalesce(Subquery(sub, output_field=_MONEY), Value(Decimal("0")), output_field=_MONEY)


def campaigns_with_roi(user: Any) -> QuerySet:
    """Campaigns the user may see, each annotated with its figures (reached, responded, new customers, stays, room
    nights, revenue, contracts). ROI and cost per new customer are derived per row by `roi_figures`."""
    touches = CampaignTouch.objects.all()
    guest_touch = touches.filter(guest__isnull=False)
    company_only = touches.filter(guest__isnull=True)
    stays = StayAttribution.objects.all()
    return (
        Campaign.objects.visible_to(user)
        .annotate(
            reached=_count(guest_touch.filter(kind__in=REACHED_KINDS), Count("guest", distinct=True))
            + _count(company_only.filter(kind__in=REACHED_KINDS), Count("company", distinct=True)),
            responded=_count(guest_touch.filter(kind__in=RESPONSE_KINDS), Count("guest", distinct=True))
            + _count(company_only.filter(kind__in=RESPONSE_KINDS), Count("company", distinct=True)),
            lead_cards=_count(CampaignLead.objects.all(), Count("id")),
            stays=_count(stays, Count("id")),
            new_customers=_count(stays.filter(is_first_stay=True), Count("guest", distinct=True)),
            room_nights=_count(stays, Sum("room_nights")),
            revenue=_money(stays, Sum("revenue")),
            contracts=_count(ContractAttribution.objects.all(), Count("id")),
        )
    )


def roi_figures(campaign: Any) -> dict[str, Any]:
    """ROI = (revenue − cost) / cost and cost per new customer, from an annotated campaign (None when undefined)."""
    cost = Decimal(campaign.cost or 0)
    revenue = Decimal(campaign.revenue or 0)
    roi = ((revenue - cost) / cost).quantize(Decimal("0.0001")) if cost else None
    per_new = (cost / campaign.new_customers).quantize(Decimal("0.01")) if campaign.new_customers else None
    return {"roi": roi, "roi_percent": (roi * 100).quantize(Decimal("0.1")) if roi is not None else None,
            "cost_per_new_customer": per_new}


def campaign_with_roi(user: Any, pk: int) -> Any:
    """One visible campaign with its figures; raises Campaign.DoesNotExist."""
    campaign = campaigns_with_roi(user).get(pk=pk)
    campaign.figures = roi_figures(campaign)
    return campaign


def lead_imports_for(user: Any, campaign: Campaign) -> QuerySet:
    return LeadImport.objects.visible_to(user).filter(campaign=campaign).select_related("created_by")


def leads_for(user: Any, lead_import: LeadImport) -> QuerySet:
    return CampaignLead.objects.visible_to(user).filter(lead_import=lead_import).select_related("guest")


def freshness() -> AttributionSettings:
    return AttributionSettings.load()
