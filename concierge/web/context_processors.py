"""Template context shared by every page: the navigation and the user's properties."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from concierge.web.navigation import sidebar_for

# url names (in the "web" namespace) that highlight the "Guests" sidebar item.
GUEST_URL_NAMES = ("guest_list", "guest_detail", "guest_create", "guest_edit")


def navigation(request: HttpRequest) -> dict[str, Any]:
    """`nav_active` is the current url name; `user_properties` lists the properties the user works at."""
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    properties: Any = []
    if user is not None and user.is_authenticated:
        properties = user.properties.all()  # lazy: evaluated only when a template iterates it
    nav_active = getattr(match, "url_name", "") or ""
    return {
        "sidebar": sidebar_for(user, nav_active) if user is not None and user.is_authenticated else [],
        "nav_active": nav_active,
        "nav_namespace": getattr(match, "namespace", ""),
        "nav_guests": GUEST_URL_NAMES,
        "user_properties": properties,
        "topbar_query": request.GET.get("q", "") if match and match.url_name == "search" else "",
    }
