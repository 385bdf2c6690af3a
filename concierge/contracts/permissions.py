"""Who may do what with contracts — used by the pages and the API alike.

* Sales managers, managers and administrators (and superusers) manage every contract they can see.
* Sales reps manage contracts of accounts they own (the company's account manager), contracts they own, and
  contracts of accounts whose team they are in (when the sales module records account teams).
* Everyone else reads contracts covering their properties (`Contract.objects.visible_to`) and changes nothing.
"""
from __future__ import annotations

from typing import Any

from concierge.accounts.choices import Role

ALL_CONTRACT_ROLES = frozenset({Role.SALES_MANAGER, Role.MANAGER, Role.ADMIN})


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def manages_all(user: Any) -> bool:
    return _active(user) and bool(user.is_superuser or user.role in ALL_CONTRACT_ROLES)


def _in_account_team(user: Any, company: Any) -> bool:
    """Account teams live in the sales module (`sales.AccountTeamMember`); looked up lazily so the apps stay decoupled."""
    from django.apps import apps

    try:
        member = apps.get_model("sales", "AccountTeamMember")
    except LookupError:
        return False
    return member.objects.filter(company_id=company.pk, user_id=user.pk).exists()


def can_manage_company_contracts(user: Any, company: Any) -> bool:
    """May create contracts for (and manage the contracts of) this company."""
    if not _active(user):
        return False
    if manages_all(user):
        return True
    if user.role != Role.SALES_REP:
        return False
    return company.owner_id == user.pk or _in_account_team(user, company)


def can_manage_contract(user: Any, contract: Any) -> bool:
    """May edit, move through the workflow and renew this contract."""
    if not _active(user):
        return False
    if manages_all(user):
        return True
    if user.role == Role.SALES_REP and contract.owner_id == user.pk:
        return True
    return can_manage_company_contracts(user, contract.company)


def can_create_contracts(user: Any) -> bool:
    """Sees the "New contract" button (the company chosen is checked with can_manage_company_contracts)."""
    return _active(user) and (manages_all(user) or user.role == Role.SALES_REP)
