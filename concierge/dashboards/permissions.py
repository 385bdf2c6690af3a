"""Who may open the management dashboards and the customer-flow ledger; one place for web and API."""
from __future__ import annotations

from typing import Any

from concierge.accounts.choices import Role

DASHBOARD_ROLES = frozenset({Role.MANAGER, Role.ADMIN, Role.MARKETING, Role.SALES_MANAGER})
SETTINGS_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_view_dashboards(user: Any) -> bool:
    """Managers, administrators and marketing (group-wide) and sales managers (their properties)."""
    return _active(user) and bool(user.is_superuser or user.role in DASHBOARD_ROLES)


def can_manage_dashboards(user: Any) -> bool:
    """Managers and administrators change the "lost after N months" rule and trigger a refresh."""
    return _active(user) and bool(user.is_superuser or user.role in SETTINGS_ROLES)


def can_see_group(user: Any) -> bool:
    """Group-wide figures (every property together) are for users who see every property."""
    return can_view_dashboards(user) and user.property_ids() is None
