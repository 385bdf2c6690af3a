"""Management overview and customer-flow pages (namespace "dashboards").

The overview reads only materialised tables. The flow page reads `FlowSummary` when the period was materialised
with the current N, else runs the ledger (one SQL statement, on the materialised sequence or live). Access:
`can_view_dashboards`; scope: the user's properties, the group only for users who see every property.
"""
from __future__ import annotations

from collections.abc import Iterator
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
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from concierge.dashboards import selectors, services
from concierge.dashboards.forms import DrillDownForm, FlowForm, FlowSettingsForm, ScopeForm
from concierge.dashboards.ledger import (
    FLOW_ORDER,
    FlowLedger,
    customer_flow,
    flow_guest_ids_sql,
    resolve_lost_after_months,
)
from concierge.dashboards.permissions import can_manage_dashboards, can_view_dashboards
from concierge.web.helpers import csv_download, paginate

CHARTS = ("revenue", "flow", "accounts", "nps")


def _require_viewer(request: HttpRequest) -> None:
    if not can_view_dashboards(request.user):
        raise PermissionDenied(_("The dashboards are for managers, marketing and sales managers."))


def _redirect_back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to the page the form was on (a local path only), else `fallback`."""
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and target.startswith("/"):
        return redirect(target)
    return redirect(reverse(fallback))


def _scope_label(prop: Any) -> str:
    return str(prop) if prop is not None else _("Whole group")


def _csv_response(request: HttpRequest, name: str, rows: Iterator[list[Any]]) -> StreamingHttpResponse:
    return csv_download(request, name=name, filename=f"{name}.csv", rows=rows, detail="csv; dashboards")


# --- overview -----------------------------------------------------------------------------------------------------


def _chart_data(ov: selectors.Overview) -> dict[str, Any]:
    """The series the overview's ECharts plot (json_script'ed); months still to come this year are gaps."""
    today = timezone.localdate()
    last_month = 12 if ov.year < today.year else (today.month if ov.year == today.year else 0)

    def upto(values: list[Any]) -> list[Any]:
        return [v if i < last_month else None for i, v in enumerate(values)]

    return {
        "months": [f"{ov.year}-{m.month:02d}" for m in ov.months],
        "revenue": upto([float(m.revenue) for m in ov.months]),
        "last_revenue": [float(m.last_revenue) for m in ov.months],
        "nights": upto([m.room_nights for m in ov.months]),
        "last_nights": [m.last_room_nights for m in ov.months],
        "new": upto([m.new for m in ov.months]),
        "lost": upto([-m.lost for m in ov.months]),
        "nps": [m.nps for m in ov.months],
        "nps_answers": [m.nps_answers for m in ov.months],
        "accounts": [{"name": a.name, "kind": a.kind, "revenue": float(a.revenue)}
                     for a in sorted(ov.companies + ov.guests, key=lambda a: -a.revenue)[:10]],
        "year": ov.year, "last_year": ov.year - 1,
    }


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    form = ScopeForm(request.GET or None, user=request.user)
    prop, year = form.scope()
    if prop is None and request.user.property_ids() is not None:
        raise Http404(_("No property"))
    ov = selectors.overview(year=year, property=prop)
    context = {
        "form": form, "ov": ov, "scope_label": _scope_label(prop), "charts": _chart_data(ov),
        "freshness": selectors.freshness(), "can_manage": can_manage_dashboards(request.user),
        "query": request.GET.urlencode(), "chart_names": CHARTS, "year_value": year,
    }
    return render(request, "dashboards/overview.html", context)


def overview_rows(ov: selectors.Overview, chart: str) -> Iterator[list[Any]]:
    """The numbers behind one chart of the overview, as CSV rows (header first)."""
    if chart == "revenue":
        yield [_("month"), _("revenue"), _("revenue last year"), _("room nights"), _("room nights last year")]
        for m in ov.months:
            yield [f"{ov.year}-{m.month:02d}", m.revenue, m.last_revenue, m.room_nights, m.last_room_nights]
    elif chart == "flow":
        yield [_("month"), _("new customers"), _("lost customers")]
        for m in ov.months:
            yield [f"{ov.year}-{m.month:02d}", m.new, m.lost]
    elif chart == "accounts":
        yield [_("type"), _("rank"), pgettext("account", "name"), _("revenue"), _("stays"), _("room nights")]
        for a in ov.companies + ov.guests:
            yield [a.kind, a.rank, a.name, a.revenue, a.stays, a.room_nights]
    else:
        yield [_("month"), _("NPS"), _("answers")]
        for m in ov.months:
            yield [f"{ov.year}-{m.month:02d}", m.nps, m.nps_answers]


@login_required
@require_GET
def overview_csv(request: HttpRequest, chart: str) -> StreamingHttpResponse:
    _require_viewer(request)
    if chart not in CHARTS:
        raise Http404(chart)
    form = ScopeForm(request.GET or None, user=request.user)
    prop, year = form.scope()
    if prop is None and request.user.property_ids() is not None:
        raise Http404(_("No property"))
    ov = selectors.overview(year=year, property=prop)
    scope = prop.code if prop is not None else "group"
    return _csv_response(request, f"overview-{chart}-{scope}-{year}", overview_rows(ov, chart))


@login_required
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    if not can_manage_dashboards(request.user):
        raise PermissionDenied
    services.dashboards_refresh_request(actor=request.user)
    messages.success(request, _("Refresh queued. The figures update in a few minutes."))
    return _redirect_back(request, "dashboards:overview")


# --- customer flow -------------------------------------------------------------------------------------------------


def _ledger(request: HttpRequest, form: FlowForm) -> FlowLedger:
    prop, year, month, group_by = form.period()
    if prop is None and request.user.property_ids() is not None:
        raise Http404(_("No property"))
    n = resolve_lost_after_months(prop)
    ledger = selectors.materialised_flow(year=year, month=month, property=prop, group_by=group_by,
                                         lost_after_months=n)
    if ledger is None:
        ledger = customer_flow(year=year, month=month, property=prop, lost_after_months=n, group_by=group_by,
                               user=request.user)
    return ledger


def _flow_chart(ledger: FlowLedger) -> dict[str, Any]:
    rows = ledger.rows or [ledger.total]
    return {
        "labels": [r.label for r in rows],
        "series": [{"flow": c.value, "name": str(c.label),
                    "customers": [(-1 if c == "lost" else 1) * r.cells[c].customers for r in rows],
                    "revenue": [float((-1 if c == "lost" else 1) * r.cells[c].revenue) for r in rows]}
                   for c in FLOW_ORDER],
    }


@login_required
@require_GET
def flow(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    form = FlowForm(request.GET or None, user=request.user)
    ledger = _ledger(request, form)
    can_manage = can_manage_dashboards(request.user)
    context = {
        "form": form, "ledger": ledger, "scope_label": _scope_label(ledger.property), "chart": _flow_chart(ledger),
        "flows": FLOW_ORDER, "freshness": selectors.freshness(), "can_manage": can_manage,
        "settings_form": FlowSettingsForm(initial={"lost_after_months": ledger.lost_after_months}) if can_manage
        else None, "query": request.GET.urlencode(), "year_value": ledger.year,
    }
    return render(request, "dashboards/flow.html", context)


def flow_rows(ledger: FlowLedger) -> Iterator[list[Any]]:
    header = [_("breakdown"), _("key")]
    for c in FLOW_ORDER:
        header += [f"{c.label} · {_('customers')}", f"{c.label} · {_('revenue')}"]
    yield header
    for row in [*ledger.rows, ledger.total]:
        line = [ledger.group_by or "", row.label]
        for c in FLOW_ORDER:
            line += [row.cells[c].customers, row.cells[c].revenue]
        yield line


@login_required
@require_GET
def flow_csv(request: HttpRequest) -> StreamingHttpResponse:
    _require_viewer(request)
    form = FlowForm(request.GET or None, user=request.user)
    ledger = _ledger(request, form)
    period = f"{ledger.year}" + (f"-{ledger.month:02d}" if ledger.month else "")
    scope = ledger.property.code if ledger.property is not None else "group"
    return _csv_response(request, f"customer-flow-{scope}-{period}", flow_rows(ledger))


@login_required
@require_GET
def flow_guests(request: HttpRequest) -> HttpResponse:
    """Drill-down: the guests of one flow class (optionally one breakdown key), paginated; computed live."""
    _require_viewer(request)
    form = DrillDownForm(request.GET or None, user=request.user)
    if not form.is_valid():
        return HttpResponse(_("Choose a class of customers."), status=400)
    prop, year, month, group_by = form.period()
    if prop is None and request.user.property_ids() is not None:
        raise Http404(_("No property"))
    n = resolve_lost_after_months(prop)
    key: Any = form.cleaned_data.get("key") or None
    if key is not None and group_by in ("property", "manager"):
        try:
            key = int(key)
        except ValueError:
            return HttpResponse(_("Unknown breakdown key."), status=400)
    sql, params = flow_guest_ids_sql(year=year, month=month, property=prop, user=request.user,
                                     flow=form.cleaned_data["flow"], lost_after_months=n, group_by=group_by, key=key)
    page = paginate(request, selectors.flow_guests(sql=sql, params=params, user=request.user))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "flow_label": dict(form.fields["flow"].choices)[form.cleaned_data["flow"]],
               "scope_label": _scope_label(prop), "year": year, "month": month, "lost_after_months": n,
               "query": query.urlencode(), "key": key, "group_by": group_by}
    return render(request, "dashboards/flow_guests.html", context)


@login_required
@require_POST
def flow_settings(request: HttpRequest) -> HttpResponse:
    if not can_manage_dashboards(request.user):
        raise PermissionDenied
    form = FlowSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.flow_settings_update(actor=request.user,
                                          lost_after_months=form.cleaned_data["lost_after_months"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved. Lost now means no stay for more than %(n)s months.")
                             % {"n": form.cleaned_data["lost_after_months"]})
    else:
        messages.error(request, _("Choose between 1 and 60 months."))
    return _redirect_back(request, "dashboards:flow")
