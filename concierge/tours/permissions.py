"""Who may change tour products, departures and orders. Reading is open to every staff user (scoped).

Sales reps, sales managers, managers and administrators manage products, departures and orders (place, change,
cancel). Front desk, service agents, marketing and quality read them (lists, availability, order documents).
The web views and the REST API both ask `can_manage_tours`, so the two always agree.
"""
from __future__ import annotations

from typing import Any

from concierge.accounts.choices import Role

MANAGE_ROLES = frozenset({Role.SALES_REP, Role.SALES_MANAGER, Role.MANAGER, Role.ADMIN})


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_view_tours(user: Any) -> bool:
    """Every active staff user reads products, availability and orders (within their properties)."""
    return _active(user)


def can_manage_tours(user: Any) -> bool:
    """Create and edit products and departures; place, change and cancel orders."""
    return _active(user) and bool(user.is_superuser or user.role in MANAGE_ROLES)
