"""Panels the company and contact pages include: `{% account_panel company %}` (owner, ownership history, plan
summary, link to the account page) and `{% contact_log_panel contact %}` (log a contact, with the
"last contacted by X, N days ago" warning). Each costs a few indexed queries."""
from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("sales/partials/account_panel.html", takes_context=True)
def account_panel(context: template.Context, company: Any) -> dict[str, Any]:
    from concierge.sales import selectors
    from concierge.sales.permissions import can_work_account

    user = context["request"].user
    return {"company": company, "plan": selectors.account_plan(company),
            "ownerships": list(selectors.ownership_history(company)[:5]),
            "team": list(selectors.account_team(company)), "can_work": can_work_account(user, company)}


@register.inclusion_tag("sales/partials/contact_log_form.html", takes_context=True)
def contact_log_panel(context: template.Context, contact: Any) -> dict[str, Any]:
    from concierge.guests.selectors import last_contact
    from concierge.sales.forms import ContactLogForm
    from concierge.web.views_companies import latest_contact_id

    return {"contact": contact, "csrf_token": context.get("csrf_token"), "request": context["request"],
            "form": ContactLogForm(prefix="log", initial={"seen_contact": latest_contact_id(contact.company)}),
            "last_contact": last_contact(company=contact.company)}
