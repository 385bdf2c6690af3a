"""Who may do what with company accounts. Used by the pages and the API alike, so both refuse the same things.

* Sales reps work on their own accounts: companies they own or hold a role on (account team).
* Sales managers, managers and administrators work on every account within their properties (`visible_to`).
* Everyone else may read what property scoping shows them, and change nothing here.
"""
from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from concierge.accounts.choices import Role

MANAGER_ROLES = frozenset({Role.SALES_MANAGER, Role.MANAGER, Role.ADMIN})
SALES_ROLES = MANAGER_ROLES | {Role.SALES_REP}


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_sales_manager(user: Any) -> bool:
    """Sales managers, managers and administrators (and superusers): all accounts, handovers."""
    return _active(user) and bool(user.is_superuser or user.role in MANAGER_ROLES)


def is_sales_staff(user: Any) -> bool:
    return _active(user) and bool(user.is_superuser or user.role in SALES_ROLES)


def can_handover(user: Any) -> bool:
    return is_sales_manager(user)


def workable_accounts(user: Any) -> QuerySet:
    """Companies `user` may change (plan, team, owner, tasks): all visible ones for managers, own ones for reps."""
    from concierge.guests.models import Company
    from concierge.sales.models import AccountTeamMember

    qs = Company.objects.visible_to(user)
    if is_sales_manager(user):
        return qs
    if not is_sales_staff(user):
        return qs.none()
    on_team = AccountTeamMember.objects.filter(company_id=OuterRef("pk"), user_id=user.pk)
    return qs.filter(Q(owner_id=user.pk) | Exists(on_team))


def can_work_account(user: Any, company: Any) -> bool:
    return workable_accounts(user).filter(pk=company.pk).exists()


def can_change_owner(user: Any, company: Any) -> bool:
    """Managers reassign any visible account; a rep may only give away an account they own."""
    if is_sales_manager(user):
        return True
    return is_sales_staff(user) and company.owner_id == user.pk
