"""Next-best offers on the guest card (registered in CARD_INSIGHT_PROVIDERS by the app config)."""
from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from concierge.recommendations.permissions import can_view_rules
from concierge.recommendations.selectors import guest_offers


def card_offers(guest: Any, user: Any) -> list[dict[str, Any]]:
    """Up to three products this guest has not taken, with the reason ("came for X → Y")."""
    items = []
    linked = can_view_rules(user)
    for offer in guest_offers(guest=guest, user=user, limit=3):
        items.append({
            "label": _("Offer next"),
            "value": _("%(offer)s (came for %(because)s)") % {"offer": offer.name, "because": offer.reason},
            "hint": _("%(because)s → %(offer)s: %(confidence)s of such guests took it, %(lift)s× the usual rate")
            % {"because": offer.reason, "offer": offer.name, "confidence": f"{offer.confidence:.0%}",
               "lift": f"{offer.lift:.1f}"},
            "url": reverse("recommendations:product_detail", args=[offer.product["id"]]) if linked else "",
            "icon": "bi-stars",
            "testid": "card-offer",
        })
    return items
