"""Who may export or erase a person's data: managers and administrators (every use is audited)."""
from __future__ import annotations

from typing import Any

from concierge.accounts.choices import Role

PRIVACY_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def can_handle_personal_data_requests(user: Any) -> bool:
    """Export everything about a guest, erase a guest, see the erasure log."""
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.role in PRIVACY_ROLES))
