"""Presentation helpers for the service-centre templates."""
from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from concierge.cases import tables

register = template.Library()


@register.filter
def minutes_span(value: Any) -> str:
    """Business minutes as "45 min", "3 h 20 min", "2 d 4 h" (— when unknown)."""
    if value is None or value == "":
        return "—"
    minutes = int(round(float(value)))
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": rest} if rest else _("%(h)d h") % {"h": hours}
    days, hours = divmod(hours, 24)
    return _("%(d)d d %(h)d h") % {"d": days, "h": hours}


@register.filter
def percent(value: Any) -> str:
    try:
        return f"{float(value) * 100:.0f}%"
    except (TypeError, ValueError):
        return "—"


@register.filter
def case_status_badge(case: Any) -> str:
    return tables.status_badge(case)


@register.simple_tag
def sla_chip(due: Any, done: Any, breached: bool) -> str:
    return tables.due_chip(due, done, breached)


@register.filter
def loop_icon(step: str) -> str:
    return {"done": "bi-check-circle-fill text-success", "skipped": "bi-dash-circle text-muted",
            "failed": "bi-x-circle-fill text-danger", "pending": "bi-hourglass-split text-warning"}.get(
        step or "", "bi-circle text-muted")
