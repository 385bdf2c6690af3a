"""The guest card's lifetime-value insight (registered in CARD_INSIGHT_PROVIDERS by ClvConfig.ready)."""
from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from concierge.clv.models import ChurnRisk
from concierge.clv.permissions import can_view_clv_models, owns_accounts_only
from concierge.clv.selectors import guest_score


def clv_card_insights(guest: Any, user: Any) -> list[dict[str, Any]]:
    """Probability alive, expected stays in the next 12 months, CLV, and churn risk when medium or high.

    One indexed query (GuestClv by guest). Shown to the roles that may see lifetime value; sales reps only on
    the profiles of guests they own.
    """
    if not can_view_clv_models(user):
        if not (owns_accounts_only(user) and (guest.owner_id == user.pk)):
            return []
    score = guest_score(guest=guest, user=user)
    if score is None:
        return []
    scope = score.property.code if score.property_id else _("group")
    hint = _("BG/NBD + Gamma-Gamma, %(scope)s, fitted %(date)s") % {
        "scope": scope, "date": score.refreshed_at.date().isoformat()}
    items = [{
        "label": _("Lifetime value"),
        "value": _("%(p_alive)s likely active · %(stays)s stays expected next 12 months · CLV %(clv)s") % {
            "p_alive": f"{score.p_alive:.0%}", "stays": number_format(score.expected_stays, 1),
            "clv": number_format(round(score.clv), 0, force_grouping=True)},
        "hint": hint, "icon": "bi-graph-up-arrow", "testid": "insight-clv",
    }]
    if score.churn_risk in (ChurnRisk.MEDIUM, ChurnRisk.HIGH):
        reasons = ", ".join(r["label"] for r in score.reasons_display) or "—"
        scope_param = f"?scope={score.property_id or 'group'}"
        items.append({
            "label": _("Churn risk"), "value": f"{score.get_churn_risk_display()}: {reasons}",
            "url": reverse("clv:clv_churn_risk") + scope_param, "icon": "bi-person-dash", "testid": "insight-churn",
        })
    return items
