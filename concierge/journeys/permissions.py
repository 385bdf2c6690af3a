"""Who may see and change journeys. The same functions guard the web pages and the API."""
from __future__ import annotations

from typing import Any

from concierge.accounts.choices import Role

JOURNEY_ROLES = frozenset({Role.MARKETING, Role.MANAGER, Role.ADMIN})
RUN_NOW_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_manage_journeys(user: Any) -> bool:
    """Marketing, managers and administrators see, edit, enable and disable journeys and their run history."""
    return _active(user) and bool(user.is_superuser or getattr(user, "role", "") in JOURNEY_ROLES)


def can_run_now(user: Any) -> bool:
    """Evaluating journeys on demand ("run now") is for managers and administrators."""
    return _active(user) and bool(user.is_superuser or getattr(user, "role", "") in RUN_NOW_ROLES)
