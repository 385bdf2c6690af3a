"""Who may import and export. One function each, shared by the web pages, the API and the tests."""
from __future__ import annotations

from typing import Any

from concierge.accounts.choices import Role

# Bulk reads and writes of guest data are for the people who run the data, not for every front desk.
IMPORT_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.MARKETING, Role.SALES_MANAGER})
EXPORT_ROLES = IMPORT_ROLES | {Role.SALES_REP}


def can_import(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or getattr(user, "role", "") in IMPORT_ROLES))


def can_export(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or getattr(user, "role", "") in EXPORT_ROLES))
