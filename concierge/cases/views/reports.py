"""Breach list and service numbers (SLA metrics, closed-loop report)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from concierge.cases.forms import MetricsForm
from concierge.cases.selectors import breach_list as breach_list_qs
from concierge.cases.selectors import case_metrics, loop_report
from concierge.cases.tables import BreachTable


@login_required
@require_GET
def breach_list(request: HttpRequest) -> HttpResponse:
    """Cases past their first-response or resolution time (open ones unless ?all=1), with who they went to."""
    open_only = request.GET.get("all") != "1"
    table = BreachTable(breach_list_qs(user=request.user, open_only=open_only))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "cases/breach_list.html", {"table": table, "open_only": open_only})


@login_required
@require_GET
def service_metrics(request: HttpRequest) -> HttpResponse:
    """Time to first response and resolve, breach and reopen rates by month/property/department/type, and how
    many complaints closed the whole loop."""
    form = MetricsForm(request.GET or None)
    date_from, date_to = form.period()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    group_by = data.get("group_by") or "month"
    case_type = data.get("case_type") or None
    rows = case_metrics(user=request.user, group_by=group_by, date_from=date_from, date_to=date_to,
                        case_type=case_type)
    chart = [{"label": r.label, "cases": r.cases, "breach_rate": round(r.breach_rate * 100, 1),
              "reopen_rate": round(r.reopen_rate * 100, 1),
              "response": round(r.avg_first_response_minutes or 0), "resolution": round(r.avg_resolution_minutes or 0)}
             for r in rows]
    totals = {
        "cases": sum(r.cases for r in rows), "breached": sum(r.breached for r in rows),
        "resolved": sum(r.resolved for r in rows), "reopened": sum(r.reopened for r in rows),
    }
    return render(request, "cases/metrics.html", {
        "form": form, "rows": rows, "chart": chart, "group_by": group_by, "date_from": date_from,
        "date_to": date_to, "totals": totals,
        "loop": loop_report(user=request.user, date_from=date_from, date_to=date_to),
    })
