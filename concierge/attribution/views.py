"""Attribution pages: Campaign ROI (table, chart, CSV), a campaign's ROI and lead imports, settings.

Campaigns are fetched with `get_visible_or_404` (property scoping); every page checks `permissions`.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.attribution import selectors, services
from concierge.attribution.choices import LeadOutcome
from concierge.attribution.forms import AttributionSettingsForm, LeadUploadForm
from concierge.attribution.models import LeadImport
from concierge.attribution.permissions import (
    can_change_attribution_settings,
    can_import_leads,
    can_view_attribution,
)
from concierge.campaigns.models import Campaign
from concierge.web.helpers import apply_service_errors, csv_download, get_visible_or_404, paginate, \
    render_page_or_partial

PAGE_SIZE = 25


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _csv_rows(campaigns: Any) -> Any:
    yield [_("Campaign"), _("Kind"), _("Cost"), _("Currency"), _("Reached"), _("Responded"), _("Leads"),
           _("New customers"), _("Stays"), _("Room nights"), _("Revenue"), _("ROI"), _("Cost per new customer"),
           _("Contracts")]
    for c in campaigns.iterator(chunk_size=500):
        f = selectors.roi_figures(c)
        yield [c.name, c.get_kind_display(), c.cost, c.currency, c.reached, c.responded, c.lead_cards, c.new_customers,
               c.stays, c.room_nights, Decimal(c.revenue).quantize(Decimal("0.01")), f["roi"],
               f["cost_per_new_customer"], c.contracts]


@login_required
@require_GET
def roi_list(request: HttpRequest) -> HttpResponse:
    _require(can_view_attribution(request.user))
    campaigns = selectors.campaigns_with_roi(request.user).order_by(
        F("starts_on").desc(nulls_last=True), "-created_at", "-id")
    if request.GET.get("format") == "csv":
        return csv_download(request, name="campaign_roi", filename="campaign-roi.csv", rows=_csv_rows(campaigns))
    page = paginate(request, campaigns, per_page=PAGE_SIZE)
    for campaign in page:
        campaign.figures = selectors.roi_figures(campaign)
    chart = {"names": [c.name for c in page], "cost": [float(c.cost) for c in page],
             "revenue": [float(c.revenue) for c in page]}
    context = {"page": page, "chart": chart, "freshness": selectors.freshness(),
               "can_refresh": can_import_leads(request.user),
               "can_settings": can_change_attribution_settings(request.user)}
    return render_page_or_partial(request, "attribution/roi_list.html", "attribution/partials/roi_table.html", context)


@login_required
@require_POST
def refresh_now(request: HttpRequest) -> HttpResponse:
    _require(can_import_leads(request.user))
    services.attribution_refresh_request()
    messages.success(request, _("Attribution refresh queued; figures update in a moment."))
    return redirect(request.POST.get("next") or "attribution:roi_list")


@login_required
@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest) -> HttpResponse:
    _require(can_change_attribution_settings(request.user))
    conf = selectors.freshness()
    form = AttributionSettingsForm(request.POST or None, instance=conf)
    if request.method == "POST" and form.is_valid():
        try:
            services.attribution_settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Attribution settings saved; attribution is being refreshed."))
            return redirect("attribution:roi_list")
    return render(request, "attribution/settings.html", {"form": form, "freshness": conf},
                  status=400 if form.errors else 200)


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_visible_or_404(Campaign, request.user, pk)


def roi_panel(campaign: Campaign, user: Any) -> tuple[str, dict[str, Any]] | None:
    """Campaign page panel (CAMPAIGN_REPORT_PANELS): the campaign's ROI figures."""
    if not can_view_attribution(user):
        return None
    annotated = selectors.campaign_with_roi(user, campaign.pk)
    return "attribution/partials/roi_panel.html", {"c": annotated, "freshness": selectors.freshness()}


def leads_panel(
    campaign: Campaign, user: Any, *, form: LeadUploadForm | None = None,
) -> tuple[str, dict[str, Any]] | None:
    """Campaign page panel (offline campaigns): upload business cards, progress and history of lead imports."""
    if not (campaign.is_offline and can_view_attribution(user)):
        return None
    imports = selectors.lead_imports_for(user, campaign)[:10]
    return "attribution/partials/leads_panel.html", {"campaign": campaign, "imports": imports,
                                                      "form": form or LeadUploadForm(),
                                                      "can_import": can_import_leads(user)}


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's ROI and lead panels on their own page (the campaigns app shows them on its page too)."""
    _require(can_view_attribution(request.user))
    campaign = _campaign(request, pk)
    panels = [p for p in (roi_panel(campaign, request.user), leads_panel(campaign, request.user)) if p]
    return render(request, "attribution/campaign_detail.html", {"campaign": campaign, "panels": panels})


@login_required
@require_POST
def lead_upload(request: HttpRequest, pk: int) -> HttpResponse:
    _require(can_import_leads(request.user))
    campaign = _campaign(request, pk)
    form = LeadUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            lead_import = services.lead_import_upload(actor=request.user, campaign=campaign,
                                                      upload=form.cleaned_data["file"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if not getattr(request, "htmx", False):
                return redirect("attribution:lead_import_detail", pk=lead_import.pk)
    panel = leads_panel(campaign, request.user, form=form)
    assert panel is not None
    template, context = panel
    # htmx swaps only 2xx answers: the panel with its errors comes back as 200 there, 400 otherwise.
    status = 400 if form.errors and not getattr(request, "htmx", False) else 200
    return render(request, template, {"campaign": campaign, "panel": context}, status=status)


def _lead_import(request: HttpRequest, pk: int) -> LeadImport:
    return get_visible_or_404(LeadImport.objects.select_related("campaign", "created_by"), request.user, pk)


@login_required
@require_GET
def lead_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(can_view_attribution(request.user))
    lead_import = _lead_import(request, pk)
    outcome = request.GET.get("outcome", "")
    leads = selectors.leads_for(request.user, lead_import)
    if outcome in LeadOutcome.values:
        leads = leads.filter(outcome=outcome)
    context = {"li": lead_import, "page": paginate(request, leads, per_page=50), "outcome": outcome,
               "outcomes": LeadOutcome.choices, "can_import": can_import_leads(request.user)}
    return render_page_or_partial(request, "attribution/lead_import_detail.html",
                                  "attribution/partials/lead_rows.html", context)


@login_required
@require_GET
def lead_import_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial the panel polls (htmx, every second until the import is finished)."""
    _require(can_view_attribution(request.user))
    return render(request, "attribution/partials/lead_import_status.html", {"li": _lead_import(request, pk)})


@login_required
@require_POST
def lead_import_start(request: HttpRequest, pk: int) -> HttpResponse:
    _require(can_import_leads(request.user))
    lead_import = _lead_import(request, pk)
    try:
        services.lead_import_start(actor=request.user, lead_import=lead_import)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("attribution:lead_import_detail", pk=lead_import.pk)
