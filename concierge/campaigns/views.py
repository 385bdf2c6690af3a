"""Campaign pages: list, create/edit (with A/B variants), detail with live progress, preview, report, CSV,
send now / schedule / cancel, and the per-property tracking setting.

Every campaign page fetches its campaign through `_campaign_for` (role check + `visible_to` scoping), so a user
never opens a campaign of a hotel they do not work at.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.campaigns import selectors, services
from concierge.campaigns.forms import CampaignFilterForm, CampaignForm, ScheduleForm, VariantFormSet, variant_initial
from concierge.campaigns.models import Campaign, CampaignKind, CampaignStatus, TrackingSetting
from concierge.campaigns.permissions import can_manage_campaigns, can_view_campaigns
from concierge.web.helpers import (
    apply_service_errors,
    csv_download,
    get_visible_or_404,
    paginate,
    render_page_or_partial,
)

PAGE_SIZE = 25


def _require_view(request: HttpRequest) -> None:
    if not can_view_campaigns(request.user):
        raise PermissionDenied


def _require_manage(request: HttpRequest) -> None:
    if not can_manage_campaigns(request.user):
        raise PermissionDenied


def _campaign_for(request: HttpRequest, pk: int) -> Campaign:
    """The one place campaign pages fetch a campaign: role, then property scoping (404 if not visible)."""
    _require_view(request)
    return get_visible_or_404(selectors.campaigns_for(request.user), request.user, pk)


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    form = CampaignFilterForm(request.GET or None)
    rows = selectors.campaigns_for(request.user)
    if form.is_valid():
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["q"].strip():
            rows = rows.filter(name__icontains=form.cleaned_data["q"].strip())
    page = paginate(request, rows.order_by("-created_at", "-id"), per_page=PAGE_SIZE)
    context = {"form": form, "page": page, "can_manage": can_manage_campaigns(request.user)}
    return render_page_or_partial(request, "campaigns/campaign_list.html", "campaigns/partials/campaign_table.html",
                                  context)


def _form_response(request: HttpRequest, campaign: Campaign | None) -> HttpResponse:
    _require_manage(request)
    data = request.POST if request.method == "POST" else None
    form = CampaignForm(data, instance=campaign, user=request.user)
    formset = VariantFormSet(data, initial=variant_initial(campaign), prefix="variants")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and formset.is_valid():
            values = {k: v for k, v in form.cleaned_data.items()}
            values["channel"] = values.get("channel") or ""
            variants = formset.variants() if values.get("kind") == CampaignKind.MESSAGE else None
            if campaign is not None and campaign.status not in services.EDITABLE_STATUSES:
                # Sent: audience, content and schedule are frozen; the form shows them read-only.
                variants = None
                for key in services.FROZEN_WHEN_SENT:
                    values.pop(key, None)
            try:
                with transaction.atomic():
                    if campaign is None:
                        saved = services.campaign_create(actor=request.user, variants=variants, **values)
                    else:
                        version = request.POST.get("version")
                        saved = services.campaign_update(
                            actor=request.user, campaign=campaign, variants=variants,
                            expected_version=int(version) if (version or "").isdigit() else None, **values)
                    if request.POST.get("send_now") and saved.kind == CampaignKind.MESSAGE:
                        saved = services.campaign_send_now(actor=request.user, campaign=saved)
            except ValidationError as exc:
                apply_service_errors(form, exc)
                if hasattr(exc, "error_dict") and "variants" in exc.error_dict:
                    formset._non_form_errors = formset.error_class(exc.message_dict["variants"])
            else:
                messages.success(request, _("Campaign saved."))
                return redirect("campaigns:campaign_detail", pk=saved.pk)
        messages.error(request, _("Please correct the errors below."))
    context = {"form": form, "formset": formset, "campaign": campaign}
    return render(request, "campaigns/campaign_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    return _form_response(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_for(request, pk)
    return _form_response(request, campaign)


def _previews(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    from concierge.messaging.services import preview_message

    guest = selectors.sample_audience_member(campaign, request.user)
    rows = []
    if guest is not None:
        context = {"offer_code": campaign.offer_code, "offer_url": campaign.offer_url}
        for variant in campaign.variants.select_related("template"):
            rows.append({"variant": variant, "languages": [
                preview_message(guest=guest, template=variant.template, context=context, language=language,
                                property=campaign.property) for language in ("zh-hans", "en")]})
    return {"sample_guest": guest, "previews": rows}


def _detail_context(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    report = selectors.campaign_report(campaign) if not campaign.is_offline else []
    return {
        "campaign": campaign,
        "variants": campaign.variants.select_related("template"),
        "progress": selectors.campaign_progress(campaign),
        "report": report,
        "ab_chart": {"labels": [r.label for r in report], "open_rate": [r.open_rate for r in report],
                     "click_rate": [r.click_rate for r in report],
                     "unsubscribe_rate": [r.unsubscribe_rate for r in report],
                     "series": [_("Open rate %"), _("Click rate %"), _("Unsubscribe rate %")]},
        "time_chart": {**selectors.campaign_activity_over_time(campaign),
                       "series": [_("Opens"), _("Clicks")]} if not campaign.is_offline else None,
        "panels": selectors.campaign_report_panels(campaign=campaign, user=request.user),
        "can_manage": can_manage_campaigns(request.user),
        "schedule_form": ScheduleForm(),
        "editable": campaign.status in services.EDITABLE_STATUSES,
        "polling": campaign.status in (CampaignStatus.SCHEDULED, CampaignStatus.SENDING),
        **(_previews(request, campaign) if not campaign.is_offline else {}),
    }


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_for(request, pk)
    return render(request, "campaigns/campaign_detail.html", _detail_context(request, campaign))


@login_required
@require_GET
def campaign_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress card alone (htmx polls it every few seconds while the campaign is scheduled or sending)."""
    campaign = _campaign_for(request, pk)
    context = {"campaign": campaign, "progress": selectors.campaign_progress(campaign),
               "polling": campaign.status in (CampaignStatus.SCHEDULED, CampaignStatus.SENDING)}
    return render(request, "campaigns/partials/progress.html", context)


def _action(request: HttpRequest, pk: int, action: Any, success: str) -> HttpResponse:
    campaign = _campaign_for(request, pk)
    _require_manage(request)
    try:
        action(campaign)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("campaigns:campaign_detail", pk=pk)


@login_required
@require_POST
def campaign_send_now(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, lambda c: services.campaign_send_now(actor=request.user, campaign=c),
                   _("Sending has started."))


@login_required
@require_POST
def campaign_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        _campaign_for(request, pk)
        messages.error(request, _("Give the date and time to send at."))
        return redirect("campaigns:campaign_detail", pk=pk)
    return _action(request, pk, lambda c: services.campaign_schedule(actor=request.user, campaign=c,
                                                                     send_at=form.cleaned_data["send_at"]),
                   _("Campaign scheduled."))


@login_required
@require_POST
def campaign_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, lambda c: services.campaign_cancel(actor=request.user, campaign=c),
                   _("Campaign cancelled."))


@login_required
@require_GET
def campaign_report_csv(request: HttpRequest, pk: int) -> Any:
    campaign = _campaign_for(request, pk)
    report = selectors.campaign_report(campaign)
    reasons = sorted({code for row in report for code in row.suppressed_by_reason})
    header = [_("Variant"), _("Template"), _("Share (%)"), _("Recipients"), _("Sent"), _("Suppressed"),
              *[_("Suppressed: %(reason)s") % {"reason": code} for code in reasons], _("Failed"), _("Bounced"),
              _("Unique opens"), _("Unique clicks"), _("Unsubscribes"), _("Open rate %"), _("Click rate %"),
              _("Unsubscribe rate %")]
    rows = [header] + [[r.label, r.template, r.share_percent, r.recipients, r.sent, r.suppressed,
                        *[r.suppressed_by_reason.get(code, 0) for code in reasons], r.failed, r.bounced, r.opens,
                        r.clicks, r.unsubscribes, r.open_rate, r.click_rate, r.unsubscribe_rate] for r in report]
    return csv_download(request, name="campaign_report", filename=f"campaign-{campaign.pk}-report.csv", rows=rows,
                        detail=f"campaign {campaign.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def tracking_settings(request: HttpRequest) -> HttpResponse:
    """Allow or forbid open/click tracking per property (managers and administrators of those properties)."""
    _require_manage(request)
    from concierge.properties.models import Property

    property_ids = request.user.property_ids()
    properties = Property.objects.all() if property_ids is None else Property.objects.filter(pk__in=property_ids)
    properties = list(properties.order_by("code"))
    if request.method == "POST":
        allowed = set(request.POST.getlist("allowed"))
        for prop in properties:
            services.tracking_setting_set(actor=request.user, property=prop, tracking_allowed=str(prop.pk) in allowed)
        messages.success(request, _("Tracking settings saved."))
        return redirect("campaigns:tracking_settings")
    forbidden = set(TrackingSetting.objects.filter(tracking_allowed=False).values_list("property_id", flat=True))
    rows = [{"property": p, "allowed": p.pk not in forbidden} for p in properties]
    return render(request, "campaigns/tracking_settings.html", {"rows": rows})
