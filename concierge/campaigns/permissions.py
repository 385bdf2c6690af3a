"""Who may use campaigns. The same functions guard the web pages and the API.

Marketing, managers and administrators create, edit, send, schedule and cancel campaigns. Sales roles may open
campaigns and their reports (they sell to the same companies and follow up trade-show leads) but change nothing.
Front desk, service and quality roles have no access.
"""
from __future__ import annotations

from typing import Any

from concierge.accounts.choices import Role

CAMPAIGN_MANAGER_ROLES = frozenset({Role.MARKETING, Role.MANAGER, Role.ADMIN})
CAMPAIGN_VIEWER_ROLES = CAMPAIGN_MANAGER_ROLES | {Role.SALES_REP, Role.SALES_MANAGER}


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_manage_campaigns(user: Any) -> bool:
    """Create, edit, send, schedule and cancel campaigns."""
    return _active(user) and bool(user.is_superuser or getattr(user, "role", "") in CAMPAIGN_MANAGER_ROLES)


def can_view_campaigns(user: Any) -> bool:
    """Open the list, a campaign and its report (read only for sales roles)."""
    return _active(user) and bool(user.is_superuser or getattr(user, "role", "") in CAMPAIGN_VIEWER_ROLES)
