"""Who may build and send surveys. Reading results and acting on answers is open to all staff (scoped)."""
from __future__ import annotations

from typing import Any

from concierge.accounts.choices import Role

SURVEY_MANAGER_ROLES = frozenset({Role.QUALITY, Role.MANAGER, Role.ADMIN, Role.MARKETING})


def can_manage_surveys(user: Any) -> bool:
    """Quality, marketing, managers and administrators build questionnaires, send them and mark changes."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return bool(user.is_superuser or user.role in SURVEY_MANAGER_ROLES)


def can_view_surveys(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)
