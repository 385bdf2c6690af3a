"""Who may see campaign ROI, import leads and refresh attribution: marketing, managers and administrators.

The same functions guard the pages and the API (docs/attribution.md lists them). Changing the global
attribution settings is for managers and administrators only.
"""
from __future__ import annotations

from typing import Any

from concierge.accounts.choices import Role

ATTRIBUTION_ROLES = frozenset({Role.MARKETING, Role.MANAGER, Role.ADMIN})
SETTINGS_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_view_attribution(user: Any) -> bool:
    """Campaign ROI, lead import history, attribution freshness."""
    return _active(user) and bool(user.is_superuser or user.role in ATTRIBUTION_ROLES)


def can_import_leads(user: Any) -> bool:
    """Upload business cards against an offline campaign; refresh attribution now."""
    return can_view_attribution(user)


def can_change_attribution_settings(user: Any) -> bool:
    """Attribution by guest / by company and the lead window."""
    return _active(user) and bool(user.is_superuser or user.role in SETTINGS_ROLES)
