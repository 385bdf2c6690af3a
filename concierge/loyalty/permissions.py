"""Who may change programme rules and adjust points. Statements and redemption are open to staff (scoped)."""
from __future__ import annotations

from typing import Any

from concierge.accounts.choices import Role

PROGRAMME_ROLES = frozenset({Role.MANAGER, Role.ADMIN, Role.MARKETING})
ADJUST_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_manage_programme(user: Any) -> bool:
    """Managers, administrators and marketing edit earn rates, tiers, bonus rules and the catalogue."""
    return _active(user) and bool(user.is_superuser or user.role in PROGRAMME_ROLES)


def can_adjust_points(user: Any) -> bool:
    """Manual point adjustments are for managers (and administrators)."""
    return _active(user) and bool(user.is_superuser or user.role in ADJUST_ROLES)
