"""Lifetime value pages: the churn-risk list and the model page (latest fit per scope, refit now)."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from concierge.clv import selectors, services
from concierge.clv.models import ChurnRisk, ClvFit
from concierge.clv.permissions import can_refit, can_view_churn_risk, can_view_clv_models, owns_accounts_only
from concierge.web.helpers import paginate, render_page_or_partial

PAGE_SIZE = 25


def _scope_from(request: HttpRequest, scopes: list[Any]) -> Any:
    """The scope picked with ?scope= ("group" or a property id) among the user's scopes; 404 if not theirs."""
    if not scopes:
        raise Http404
    wanted = request.GET.get("scope") or ""
    if not wanted:
        return scopes[0]
    for scope in scopes:
        if (scope is None and wanted == "group") or (scope is not None and str(scope.pk) == wanted):
            return scope
    raise Http404


@login_required
@require_GET
def churn_risk(request: HttpRequest) -> HttpResponse:
    if not can_view_churn_risk(request.user):
        raise PermissionDenied
    scopes = selectors.scopes_for(request.user)
    scope = _scope_from(request, scopes)
    risk = request.GET.get("risk") if request.GET.get("risk") in (ChurnRisk.HIGH, ChurnRisk.MEDIUM) else None
    rows = selectors.churn_risk_list(user=request.user, property=scope, risk=risk)
    page = paginate(request, rows, per_page=PAGE_SIZE)
    fit = ClvFit.objects.filter(property=scope, error="").order_by("-fitted_at").first()
    context = {
        "page": page, "scopes": scopes, "scope": scope, "risk": risk or "", "fit": fit,
        "own_accounts_only": owns_accounts_only(request.user), "can_view_models": can_view_clv_models(request.user),
        "valuable_share": round(services.VALUABLE_SHARE * 100), "at_risk_p": round(services.AT_RISK_P_ALIVE * 100),
        "high_p": round(services.HIGH_P_ALIVE * 100), "drop_points": round(services.DROP_THRESHOLD * 100),
        "gap_factor": services.LONG_GAP_FACTOR,
    }
    return render_page_or_partial(request, "clv/churn_risk.html", "clv/partials/churn_table.html", context)


@login_required
@require_GET
def model_overview(request: HttpRequest) -> HttpResponse:
    if not can_view_clv_models(request.user):
        raise PermissionDenied
    fits = selectors.latest_fits(user=request.user)
    charts = [
        {"id": fit.pk, "p_alive_hist": fit.summary.get("p_alive_hist", []),
         "clv_deciles": fit.summary.get("clv_deciles", []),
         "clv_decile_shares": fit.summary.get("clv_decile_shares", [])}
        for fit in fits if fit.ok
    ]
    context = {"fits": fits, "charts": charts, "can_refit": can_refit(request.user),
               "scopes": selectors.scopes_for(request.user)}
    return render(request, "clv/models.html", context)


@login_required
@require_POST
def refit(request: HttpRequest) -> HttpResponse:
    if not can_refit(request.user):
        raise PermissionDenied
    services.clv_refit_enqueue(actor=request.user)
    messages.success(request, _("Refit queued: the models of every scope are refitted in the background."))
    return redirect("clv:clv_models")
