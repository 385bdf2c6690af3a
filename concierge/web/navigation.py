"""The sidebar: one registry of sections and items, so every module adds its screens the same way.

Apps register their items in `AppConfig.ready()`:

    from concierge.web.navigation import NavItem, register
    register("service", NavItem(_("Cases"), "web:case_list", "bi-life-preserver", ("case_",)))

An item is shown when its url name resolves and the user passes `visible(user)` (if given).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    icon: str
    active_prefixes: tuple[str, ...] = ()
    visible: Callable[[Any], bool] | None = None
    order: int = 100


@dataclass
class NavSection:
    key: str
    label: Any
    order: int
    items: list[NavItem] = field(default_factory=list)


SECTIONS: dict[str, NavSection] = {
    "front": NavSection("front", _("Front office"), 10),
    "service": NavSection("service", _("Service & quality"), 20),
    "accounts": NavSection("accounts", _("Accounts & sales"), 30),
    "insight": NavSection("insight", _("Insight"), 35),
    "marketing": NavSection("marketing", _("Marketing & loyalty"), 40),
    "data": NavSection("data", _("Data"), 50),
    "system": NavSection("system", _("System"), 90),
}


def register(section: str, item: NavItem) -> None:
    """Add `item` to a sidebar section (idempotent: the same url name is registered once)."""
    items = SECTIONS[section].items
    if all(existing.url_name != item.url_name for existing in items):
        items.append(item)
        items.sort(key=lambda i: i.order)


def sidebar_for(user: Any, active_url_name: str) -> list[dict[str, Any]]:
    """Sections with the items this user may open, each marked active or not."""
    result = []
    for section in sorted(SECTIONS.values(), key=lambda s: s.order):
        entries = []
        for item in section.items:
            if item.visible is not None and not item.visible(user):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            active = active_url_name == item.url_name.split(":")[-1] or any(
                active_url_name.startswith(p) for p in item.active_prefixes
            )
            entries.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
        if entries:
            result.append({"label": section.label, "items": entries})
    return result


def _is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_staff", False))


register("front", NavItem(_("Home"), "web:home", "bi-house-door", ("home",), order=10))
register("front", NavItem(_("Search / Check-in"), "web:search", "bi-person-vcard", ("search",), order=20))
register("front", NavItem(_("Guests"), "web:guest_list", "bi-people", ("guest_",), order=30))
register("front", NavItem(_("Stays"), "web:stay_list", "bi-calendar2-week", ("stay_",), order=40))
register("accounts", NavItem(_("Companies"), "web:company_list", "bi-buildings", ("company_",), order=10))
register("accounts", NavItem(_("Contacts"), "web:contact_list", "bi-person-lines-fill", ("contact_",), order=20))
register("system", NavItem(_("Admin"), "admin:index", "bi-gear", (), visible=_is_staff, order=90))
register("data", NavItem(_("Duplicates"), "web:duplicate_list", "bi-intersect", ("duplicate_", "merge_")))
