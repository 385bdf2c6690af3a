"""Small presentation helpers for Concierge templates."""
from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from concierge.core.phones import format_phone

register = template.Library()

SEVERITY_ICONS = {"critical": "exclamation-octagon-fill", "warning": "exclamation-triangle-fill", "info": "info-circle"}
ACTIVITY_ICONS = {
    "stay": "door-open", "call": "telephone", "email": "envelope", "visit": "geo-alt", "meeting": "people",
    "message": "chat-dots", "note": "sticky", "preference": "star", "alert": "exclamation-triangle",
    "profile": "person-gear", "consent": "shield-check",
}


@register.filter
def phone(value: str) -> str:
    """E.164 to the human form (national for the home region)."""
    return format_phone(value or "")


@register.filter
def severity_icon(severity: str) -> str:
    return SEVERITY_ICONS.get(severity or "", "info-circle")


@register.filter
def activity_icon(kind: str) -> str:
    return ACTIVITY_ICONS.get(kind or "", "dot")


@register.filter
def avatar_text(guest: Any) -> str:
    """One or two letters for the round avatar: the family name's first character, or Latin initials."""
    if getattr(guest, "family_name", ""):
        return guest.family_name[:1]
    latin = " ".join(p for p in (getattr(guest, "given_name_latin", ""), getattr(guest, "family_name_latin", "")) if p)
    return "".join(w[:1] for w in latin.split()[:2]).upper() or "?"


@register.filter
def localized_name(obj: Any) -> str:
    """`name_zh` in Chinese, `name_en` otherwise, for dicts of values (e.g. property ranks)."""
    zh = (get_language() or "").startswith("zh")
    get = obj.get if isinstance(obj, dict) else (lambda k, d=None: getattr(obj, k, d))
    for prefix in ("", "property__"):
        zh_name, en_name = get(f"{prefix}name_zh"), get(f"{prefix}name_en")
        if zh_name or en_name:
            return (zh_name if zh else en_name) or zh_name or en_name
    return ""


@register.simple_tag
def optional_url(name: str, *args: Any) -> str:
    """reverse() that yields "" when the url name does not exist (yet): links degrade, pages never crash."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag
def preference_form_for(stay: Any = None) -> Any:
    """An empty add-a-preference form (pre-set to `stay` when given) for web/partials/preference_form.html."""
    from concierge.web.forms import PreferenceForm

    return PreferenceForm(initial={"stay": getattr(stay, "pk", None)})
