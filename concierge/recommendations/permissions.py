"""Who may read the product-affinity screens and API. Offers on the guest card follow the card itself."""
from __future__ import annotations

from typing import Any

from concierge.accounts.choices import Role

RULE_READER_ROLES = frozenset({Role.MARKETING, Role.MANAGER, Role.ADMIN, Role.SALES_REP, Role.SALES_MANAGER})


def can_view_rules(user: Any) -> bool:
    """Marketing, sales, managers and administrators read the rules (they hold no guest data)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return bool(user.is_superuser or user.role in RULE_READER_ROLES)
