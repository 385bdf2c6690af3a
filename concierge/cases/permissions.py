"""Who may do what in the service centre. Which rows they see is decided by `visible_to` (property scoping)."""
from __future__ import annotations

from typing import Any

from concierge.accounts.choices import Role

KB_EDITOR_ROLES = frozenset({Role.SERVICE_AGENT, Role.QUALITY, Role.MANAGER, Role.ADMIN})


def can_work_cases(user: Any) -> bool:
    """Any active staff user opens and works cases of their properties (front desk takes complaints too)."""
    return bool(user and user.is_authenticated and user.is_active)


def can_edit_kb(user: Any) -> bool:
    """Service agents, quality, managers and admins write and publish knowledge-base articles."""
    return can_work_cases(user) and (user.is_superuser or user.role in KB_EDITOR_ROLES)
