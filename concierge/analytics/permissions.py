"""Who may see customer value (Pareto, ranking, RFM, breakdowns), refresh it and edit cost ratios.

Group-wide roles (admin, manager, marketing) see every property and the group scope; sales managers see
the properties they work at. Front desk, service and the other roles see none of it, in the UI or the API.
"""
from __future__ import annotations

from typing import Any

from concierge.accounts.choices import Role

VALUE_VIEWER_ROLES = frozenset({Role.MANAGER, Role.ADMIN, Role.MARKETING, Role.SALES_MANAGER})
VALUE_REFRESH_ROLES = frozenset({Role.MANAGER, Role.ADMIN, Role.MARKETING})
COST_RATIO_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def _active(user: Any) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.is_active)


def can_view_value(user: Any) -> bool:
    return _active(user) and bool(user.is_superuser or user.role in VALUE_VIEWER_ROLES)


def can_refresh_value(user: Any) -> bool:
    return _active(user) and bool(user.is_superuser or user.role in VALUE_REFRESH_ROLES)


def can_edit_cost_ratios(user: Any) -> bool:
    return _active(user) and bool(user.is_superuser or user.role in COST_RATIO_ROLES)
