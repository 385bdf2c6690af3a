"""Rules for sensitive actions in the web UI, each in one function so it can be tightened in one place."""
from __future__ import annotations

from typing import Any

from concierge.accounts.choices import Role

# Roles that check guests in and out or serve them at the desk, plus those who run the hotel: only they may see a
# full ID-document number (everyone else sees the masked form). Superusers may too.
ID_REVEAL_ROLES = frozenset({Role.FRONT_DESK, Role.SERVICE_AGENT, Role.MANAGER, Role.ADMIN})


def can_reveal_id(user: Any) -> bool:
    """Who may see a full ID-document number: front desk, service agents, managers, administrators (and
    superusers), when active. Every reveal is audited (AuditAction.REVEAL); the API never returns full numbers
    except through its own audited reveal endpoint, which asks this same function."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return bool(user.is_superuser or getattr(user, "role", "") in ID_REVEAL_ROLES)
