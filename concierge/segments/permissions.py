"""Who may use segments. The same functions guard the web pages and the API."""
from __future__ import annotations

from typing import Any

from concierge.accounts.choices import Role

# Marketing builds audiences; managers and administrators run the group. Sales may look at (and export) them.
SEGMENT_MANAGER_ROLES = frozenset({Role.MARKETING, Role.MANAGER, Role.ADMIN})
SEGMENT_VIEWER_ROLES = SEGMENT_MANAGER_ROLES | {Role.SALES_REP, Role.SALES_MANAGER}


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_manage_segments(user: Any) -> bool:
    """Marketing, managers and administrators create, edit, delete and snapshot segments."""
    return _active(user) and bool(user.is_superuser or getattr(user, "role", "") in SEGMENT_MANAGER_ROLES)


def can_view_segments(user: Any) -> bool:
    """Sales roles may also open segments, see their members and count; front desk and service may not."""
    return _active(user) and bool(user.is_superuser or getattr(user, "role", "") in SEGMENT_VIEWER_ROLES)
