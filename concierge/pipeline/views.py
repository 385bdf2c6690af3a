"""Pipeline pages: kanban (drag to move), list, opportunity detail, forecast and funnel, scorecards, targets, stages.

Opportunities are always fetched through `_opportunity_for` (scoped by `Opportunity.objects.visible_to`); the same
permission functions guard the API.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.pipeline import selectors, services
from concierge.pipeline.forms import (
    LoseForm,
    MonthForm,
    OpportunityFilterForm,
    OpportunityForm,
    SalesTargetForm,
    StageFormSet,
)
from concierge.pipeline.models import Opportunity, SalesTarget, Stage
from concierge.pipeline.permissions import can_edit_opportunity, can_use_pipeline, is_sales_manager, visible_reps
from concierge.web.helpers import apply_service_errors, paginate, render_page_or_partial

PAGE_SIZE = 25


def _require_pipeline(request: HttpRequest) -> None:
    if not can_use_pipeline(request.user):
        raise PermissionDenied(_("The pipeline is for sales staff."))


def _opportunity_for(request: HttpRequest, pk: int) -> Opportunity:
    """The one place pages fetch an opportunity: visible to the user, else 404."""
    try:
        return Opportunity.objects.visible_to(request.user).select_related("stage", "company", "owner").get(pk=pk)
    except Opportunity.DoesNotExist as exc:
        raise Http404(_("opportunity")) from exc


@login_required
@require_GET
def kanban(request: HttpRequest) -> HttpResponse:
    _require_pipeline(request)
    form = OpportunityFilterForm(request.GET or None)
    context = {"columns": selectors.kanban_columns(user=request.user, filters=form.filters()), "form": form,
               "lose_form": LoseForm()}
    return render_page_or_partial(request, "pipeline/kanban.html", "pipeline/partials/board.html", context)


@login_required
@require_POST
def opportunity_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Drop of a card on a column (htmx). Always answers with the refreshed board and a message."""
    _require_pipeline(request)
    opportunity = _opportunity_for(request, pk)
    error = ""
    try:
        if not can_edit_opportunity(request.user, opportunity):
            raise ValidationError(_("You cannot change this opportunity."))
        try:
            stage = Stage.objects.get(pk=int(request.POST.get("stage", "")))
            version = int(request.POST.get("version", ""))
        except (Stage.DoesNotExist, ValueError) as exc:
            raise ValidationError(_("Invalid stage or version.")) from exc
        services.opportunity_move(actor=request.user, opportunity=opportunity, stage=stage, version=version,
                                  lost_reason=request.POST.get("lost_reason", ""),
                                  lost_reason_text=request.POST.get("lost_reason_text", ""))
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("pipeline:kanban")
    form = OpportunityFilterForm(request.GET or None)
    context = {"columns": selectors.kanban_columns(user=request.user, filters=form.filters()), "error": error,
               "moved": opportunity.pk if not error else None}
    return render(request, "pipeline/partials/board.html", context)


@login_required
@require_GET
def opportunity_list(request: HttpRequest) -> HttpResponse:
    _require_pipeline(request)
    form = OpportunityFilterForm(request.GET or None)
    page = paginate(request, selectors.opportunity_list(user=request.user, filters=form.filters()), per_page=PAGE_SIZE)
    return render_page_or_partial(request, "pipeline/opportunity_list.html", "pipeline/partials/opportunity_table.html",
                                  {"form": form, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_create(request: HttpRequest) -> HttpResponse:
    _require_pipeline(request)
    form = OpportunityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opportunity = services.opportunity_create(
                actor=request.user, title=data["title"], company=data["company"],
                owner=data["owner"] if is_sales_manager(request.user) else request.user, value=data["value"],
                currency=data["currency"], stage=data.get("stage"), probability=data.get("probability"),
                expected_close=data.get("expected_close"), contact=data.get("contact"), property=data.get("property"),
                notes=data.get("notes", ""),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Opportunity created."))
            return redirect("pipeline:opportunity_detail", opportunity.pk)
    return render(request, "pipeline/opportunity_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_pipeline(request)
    opportunity = _opportunity_for(request, pk)
    can_edit = can_edit_opportunity(request.user, opportunity)
    form = OpportunityForm(request.POST or None, instance=opportunity, user=request.user)
    lose_form = LoseForm()
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        action = request.POST.get("action", "save")
        version = request.POST.get("version")
        try:
            if action == "win":
                services.opportunity_win(actor=request.user, opportunity=opportunity, version=version)
                messages.success(request, _("Marked as won."))
                return redirect("pipeline:opportunity_detail", pk)
            if action == "lose":
                lose_form = LoseForm(request.POST)
                if lose_form.is_valid():
                    services.opportunity_lose(actor=request.user, opportunity=opportunity, version=version,
                                              **lose_form.cleaned_data)
                    messages.success(request, _("Marked as lost."))
                    return redirect("pipeline:opportunity_detail", pk)
            elif form.is_valid():
                changes = {name: form.cleaned_data[name] for name in services.UPDATABLE if name in form.cleaned_data}
                if not is_sales_manager(request.user):
                    changes.pop("owner", None)
                services.opportunity_update(actor=request.user, opportunity=opportunity, version=version, **changes)
                messages.success(request, _("Opportunity saved."))
                return redirect("pipeline:opportunity_detail", pk)
        except ValidationError as exc:
            if action == "lose":
                apply_service_errors(lose_form, exc)
            else:
                apply_service_errors(form, exc)
        opportunity.refresh_from_db()
        form.instance.version = opportunity.version
    context = {"opportunity": opportunity, "form": form, "lose_form": lose_form, "can_edit": can_edit,
               "history": opportunity.stage_changes.select_related("from_stage", "to_stage", "changed_by")
               .order_by("-changed_at", "-id")[:50]}
    return render(request, "pipeline/opportunity_detail.html", context)


def _month_from(request: HttpRequest) -> dt.date:
    return MonthForm(request.GET or None).month_value()


@login_required
@require_GET
def forecast(request: HttpRequest) -> HttpResponse:
    _require_pipeline(request)
    start = _month_from(request)
    result = selectors.forecast(user=request.user, start=start, months=6)
    funnel = selectors.conversion_rates(user=request.user)
    chart = {
        "months": [r["month"].strftime("%Y-%m") for r in result.by_month],
        "weighted": [float(r["weighted"]) for r in result.by_month],
        "value": [float(r["value_sum"]) for r in result.by_month],
        "funnel": [{"name": str(r["stage"]), "value": r["reached"]} for r in funnel],
        "labels": {"weighted": _("Weighted forecast"), "value": _("Unweighted value"), "funnel": _("Reached")},
    }
    return render(request, "pipeline/forecast.html",
                  {"result": result, "funnel": funnel, "chart": chart, "month": start})


@login_required
@require_GET
def scorecards(request: HttpRequest) -> HttpResponse:
    _require_pipeline(request)
    month = _month_from(request)
    cards = selectors.scorecards(reps=visible_reps(request.user), month=month)
    if request.GET.get("format") == "csv" and is_sales_manager(request.user):
        from concierge.web.helpers import csv_download

        labels = selectors.metric_labels()
        header = [_("Rep")]
        for m in selectors.METRICS:
            header += [labels[m], _("%(metric)s target") % {"metric": labels[m]},
                       _("%(metric)s attainment (%%)") % {"metric": labels[m]}]
        rows: list[list[Any]] = [header]
        for c in cards:
            row: list[Any] = [c.rep.get_full_name() or c.rep.username]
            for m in selectors.METRICS:
                row += [c.actual[m], c.target[m] if c.target else "", c.attainment[m] if c.attainment[m] is not None
                        else ""]
            rows.append(row)
        return csv_download(request, name="pipeline_scorecards", filename=f"scorecards-{month:%Y-%m}.csv", rows=rows,
                            detail=f"{month:%Y-%m}")
    chart = {
        "reps": [c.rep.get_full_name() or c.rep.username for c in cards],
        "revenue": [float(c.actual["revenue"]) for c in cards],
        "target": [float(c.target["revenue"]) if c.target else 0 for c in cards],
        "labels": {"revenue": _("Revenue"), "target": _("Revenue target")},
    }
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return render(request, "pipeline/scorecards.html", {
        "cards": cards, "month": month, "chart": chart, "is_manager": is_sales_manager(request.user),
        "previous": previous, "following": following, "metrics": selectors.METRICS,
    })


@login_required
@require_http_methods(["GET", "POST"])
def targets(request: HttpRequest) -> HttpResponse:
    if not is_sales_manager(request.user):
        raise PermissionDenied(_("Only sales managers set targets."))
    month = _month_from(request)
    form = SalesTargetForm(request.POST or None, user=request.user, initial={"month": month})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        user, target_month = data.pop("user"), data.pop("month")
        try:
            services.sales_target_set(actor=request.user, user=user, month=target_month, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Target saved."))
            return redirect(f"{request.path}?month={target_month:%Y-%m}")
    rows = SalesTarget.objects.filter(user__in=visible_reps(request.user), month=month).select_related("user")
    return render(request, "pipeline/targets.html", {"form": form, "rows": rows, "month": month})


@login_required
@require_http_methods(["GET", "POST"])
def stages(request: HttpRequest) -> HttpResponse:
    if not is_sales_manager(request.user):
        raise PermissionDenied(_("Only sales managers edit the stages."))
    formset = StageFormSet(request.POST or None, queryset=Stage.objects.all())
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            formset.save()
        messages.success(request, _("Stages saved."))
        return redirect("pipeline:stages")
    return render(request, "pipeline/stages.html", {"formset": formset})

