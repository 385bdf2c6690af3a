"""Customer-value screens under /value/ (namespace "analytics"): Pareto overview, value ranking, RFM grid and
cell members, region / province / industry breakdowns, CSV downloads, "refresh now" and cost ratios.

Every screen resolves its scope through `_scope_or_404`, so who may see what is decided in one place: value
roles only (403 for others), and only scopes the user may see (404 otherwise).
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.analytics import selectors, services
from concierge.analytics.forms import DIMENSION_LABELS, BreakdownForm, CostRatiosForm
from concierge.analytics.models import CostRatios
from concierge.analytics.permissions import can_edit_cost_ratios, can_refresh_value, can_view_value
from concierge.imports.choices import ExportFormat
from concierge.imports.exports import Column, queryset_export
from concierge.properties.models import Property
from concierge.web.helpers import apply_service_errors, client_ip, csv_download, paginate, render_page_or_partial

PAGE_SIZE = 25


def _scope_or_404(request: HttpRequest) -> selectors.Scope:
    """The one place value screens decide access: value roles only, and a scope the user may see."""
    if not can_view_value(request.user):
        raise PermissionDenied
    scope = selectors.scope_for(request.user, request.GET.get("scope") or request.POST.get("scope"))
    if scope is None:
        raise Http404(_("Unknown scope"))
    return scope


def _context(request: HttpRequest, scope: selectors.Scope, tab: str, **extra: Any) -> dict[str, Any]:
    return {
        "scope": scope, "scopes": selectors.value_scopes(request.user), "tab": tab,
        "refreshed_at": selectors.freshness(scope), "can_refresh": can_refresh_value(request.user),
        "can_edit_ratios": can_edit_cost_ratios(request.user), **extra,
    }


def _csv_response(request: HttpRequest, name: str, header: list[str], rows: Iterable[list[Any]],
                  detail: str = "") -> StreamingHttpResponse:
    """A small aggregate table as CSV, named with the time it was taken."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_download(request, name=name, filename=f"{name}-{stamp}.csv", rows=itertools.chain([header], rows),
                        detail=detail)


# --- Pareto overview -----------------------------------------------------------------------------------------


@login_required
@require_GET
def value_overview(request: HttpRequest) -> HttpResponse:
    scope = _scope_or_404(request)
    result = selectors.pareto(scope)
    chart = {"curve": result.curve, "deciles": [
        {"decile": d.decile, "share": d.revenue_share, "cumulative": d.cumulative_share} for d in result.deciles]}
    return render(request, "analytics/overview.html",
                  _context(request, scope, "overview", pareto=result, chart=chart))


@login_required
@require_GET
def pareto_csv(request: HttpRequest) -> StreamingHttpResponse:
    scope = _scope_or_404(request)
    result = selectors.pareto(scope)
    rows = [[d.decile, d.customers, d.customer_share, d.revenue, d.revenue_share, d.cumulative_share]
            for d in result.deciles]
    rows += [["curve", "", x, "", "", y] for x, y in result.curve]
    return _csv_response(request, f"pareto-{scope.key}", [
        _("decile"), _("customers"), _("cumulative customers %"), _("revenue"), _("revenue share %"),
        _("cumulative revenue %")], rows, detail=f"scope {scope.key}")


# --- ranking -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def value_ranking(request: HttpRequest) -> HttpResponse:
    scope = _scope_or_404(request)
    page = paginate(request, selectors.value_ranking(scope), per_page=PAGE_SIZE)
    return render_page_or_partial(request, "analytics/ranking.html", "analytics/partials/value_table.html",
                                  _context(request, scope, "ranking", page=page))


RANKING_COLUMNS = (
    Column("rank", "value_rank"), Column("guest_id", "guest_id"), Column("family_name", "guest__family_name"),
    Column("given_name", "guest__given_name"), Column("stays", "stays"), Column("nights", "room_nights"),
    Column("room_revenue", "room_revenue"), Column("other_revenue", "other_revenue"),
    Column("revenue", "total_revenue"), Column("profit", "profit"), Column("last_stay", "last_stay_on"),
    Column("recency_days", "recency_days"), Column("rfm", "rfm_cell"), Column("cumulative_share", "cumulative_share"),
)


@login_required
@require_GET
def ranking_csv(request: HttpRequest) -> StreamingHttpResponse:
    scope = _scope_or_404(request)
    rows = selectors.value_ranking(scope)
    r, f = request.GET.get("r"), request.GET.get("f")
    if r and f:
        rows = selectors.rfm_cell_members(scope, r=_score(r), f=_score(f))
    export = queryset_export(actor=request.user, queryset=rows, columns=RANKING_COLUMNS, format=ExportFormat.CSV,
                             name=f"value-ranking-{scope.key}", ip_address=client_ip(request))
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


# --- RFM -----------------------------------------------------------------------------------------------------


def _score(value: Any) -> int:
    try:
        score = int(value)
    except (TypeError, ValueError):
        raise Http404(_("Unknown RFM cell")) from None
    if not 1 <= score <= 5:
        raise Http404(_("Unknown RFM cell"))
    return score


@login_required
@require_GET
def value_rfm(request: HttpRequest) -> HttpResponse:
    scope = _scope_or_404(request)
    cells = selectors.rfm_grid(scope)
    chart = [[c.f - 1, c.r - 1, c.customers, float(c.avg_monetary)] for c in cells]
    context = _context(request, scope, "rfm", cells=cells, chart=chart,
                       customers=sum(c.customers for c in cells))
    if request.GET.get("r") and request.GET.get("f"):
        r, f = _score(request.GET["r"]), _score(request.GET["f"])
        context.update(r=r, f=f, page=paginate(request, selectors.rfm_cell_members(scope, r=r, f=f),
                                               per_page=PAGE_SIZE))
    return render(request, "analytics/rfm.html", context)


@login_required
@require_GET
def value_rfm_cell(request: HttpRequest) -> HttpResponse:
    """The guests of one R × F cell (htmx partial under the grid; a full page without htmx)."""
    scope = _scope_or_404(request)
    r, f = _score(request.GET.get("r")), _score(request.GET.get("f"))
    page = paginate(request, selectors.rfm_cell_members(scope, r=r, f=f), per_page=PAGE_SIZE)
    if getattr(request, "htmx", None):
        return render(request, "analytics/partials/rfm_members.html",
                      _context(request, scope, "rfm", r=r, f=f, page=page))
    return redirect(reverse("analytics:value_rfm") + "?" + request.GET.urlencode())


@login_required
@require_GET
def rfm_csv(request: HttpRequest) -> StreamingHttpResponse:
    scope = _scope_or_404(request)
    rows = [[c.r, c.f, c.customers, c.avg_monetary, c.revenue] for c in selectors.rfm_grid(scope)]
    return _csv_response(request, f"rfm-grid-{scope.key}", [
        _("R"), _("F"), _("customers"), _("average revenue"), _("revenue")], rows, detail=f"scope {scope.key}")


# --- breakdowns ----------------------------------------------------------------------------------------------


def _breakdown(request: HttpRequest) -> tuple[selectors.Scope, BreakdownForm, selectors.Breakdown]:
    scope = _scope_or_404(request)
    form = BreakdownForm(request.GET or None)
    dimension, year = form.values()
    return scope, form, selectors.breakdown(user=request.user, scope=scope, dimension=dimension, year=year)


@login_required
@require_GET
def breakdowns(request: HttpRequest) -> HttpResponse:
    scope, form, result = _breakdown(request)
    chart = {
        "labels": [r.label for r in result.rows], "revenue": [float(r.revenue) for r in result.rows],
        "prev_revenue": [float(r.prev_revenue) for r in result.rows],
        "growth": [r.revenue_growth for r in result.rows], "year": result.year,
    }
    context = _context(request, scope, "breakdowns", form=form, result=result, chart=chart,
                       dimension_label=DIMENSION_LABELS[result.dimension])
    # Figures the scheduled refresh stored (with their freshness), or grouped live before the first refresh.
    context["refreshed_at"] = result.refreshed_at
    context["live"] = result.source == "live"
    return render(request, "analytics/breakdowns.html", context)


@login_required
@require_GET
def breakdowns_csv(request: HttpRequest) -> StreamingHttpResponse:
    scope, _form, result = _breakdown(request)
    rows = [[r.label, r.revenue, r.prev_revenue, r.revenue_growth, r.nights, r.prev_nights, r.nights_growth,
             r.adr, r.stays, r.customers] for r in [*result.rows, *([result.total] if result.total else [])]]
    year = result.year
    return _csv_response(
        request, f"breakdown-{result.dimension}-{year}-{scope.key}",
        [str(DIMENSION_LABELS[result.dimension]), _("revenue %(year)s") % {"year": year},
         _("revenue %(year)s") % {"year": year - 1}, _("revenue growth %"), _("nights %(year)s") % {"year": year},
         _("nights %(year)s") % {"year": year - 1}, _("nights growth %"), _("ADR"), _("stays"), _("customers")],
        rows, detail=f"scope {scope.key}")


# --- refresh and cost ratios ---------------------------------------------------------------------------------


@login_required
@require_POST
def value_refresh(request: HttpRequest) -> HttpResponse:
    """"Refresh now": queue the rebuild of every scope (the user's scope comes with it)."""
    if not can_refresh_value(request.user):
        raise PermissionDenied
    services.refresh_request(actor=request.user)
    messages.success(request, _("Refresh queued. The figures update in a few minutes; reload the page then."))
    target = request.POST.get("next") or reverse("analytics:value_overview")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("analytics:value_overview")
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def cost_ratios(request: HttpRequest) -> HttpResponse:
    """Cost ratios per revenue type: the group default, and per-property overrides (blank = group default)."""
    if not can_edit_cost_ratios(request.user):
        raise PermissionDenied
    code = request.GET.get("property") or request.POST.get("property") or ""
    prop = None
    if code:
        prop = Property.objects.filter(code=code).first()
        if prop is None:
            raise Http404(_("Unknown property"))
    row = CostRatios.objects.filter(property=prop).first()
    initial = {name: getattr(row, name) for name in services.REVENUE_TYPES} if row else (
        dict(services.DEFAULT_COST_RATIOS) if prop is None else {})
    form = CostRatiosForm(request.POST or None, group=prop is None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.cost_ratios_save(actor=request.user, property=prop, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Cost ratios saved. Profit figures change at the next refresh."))
            return redirect(reverse("analytics:cost_ratios") + (f"?property={prop.code}" if prop else ""))
    default, overrides = services.effective_cost_ratios()
    properties = list(Property.objects.filter(is_active=True).order_by("code"))
    table = [{"property": None, "ratios": default, "own": True}] + [
        {"property": p, "ratios": overrides.get(p.pk, default), "own": p.pk in overrides} for p in properties]
    return render(request, "analytics/cost_ratios.html", {
        "form": form, "property": prop, "properties": properties, "table": table,
        "defaults": services.DEFAULT_COST_RATIOS, "group_ratios": default,
    })
