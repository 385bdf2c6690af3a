"""`{% company_contracts company %}`: the "Contracts" section of the company detail page."""
from __future__ import annotations

from typing import Any

from django import template

from concierge.contracts.permissions import can_manage_company_contracts
from concierge.contracts.selectors import contracts_for

register = template.Library()


@register.inclusion_tag("contracts/partials/company_contracts.html", takes_context=True)
def company_contracts(context: dict[str, Any], company: Any) -> dict[str, Any]:
    user = context["request"].user
    return {
        "company": company,
        "contracts": contracts_for(user).filter(company=company).order_by("-start_date", "-pk")[:10],
        "can_create": can_manage_company_contracts(user, company),
    }
