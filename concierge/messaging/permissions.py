"""Who may edit message templates and suppression rules. Reading the outbox is open to staff (property-scoped)."""
from __future__ import annotations

from typing import Any

from concierge.accounts.choices import Role

MESSAGING_MANAGER_ROLES = frozenset({Role.MANAGER, Role.ADMIN, Role.MARKETING})


def can_manage_messaging(user: Any) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return bool(user.is_superuser or user.role in MESSAGING_MANAGER_ROLES)
