"""Who may see lifetime value and churn risk, and who may refit the models.

Managers, administrators, marketing and sales managers see the scores of the scopes they may see; sales reps
see churn risk for the guests they own (directly or through the guest's company). Front desk, service agents
and quality staff do not see them.
"""
from __future__ import annotations

from typing import Any

from concierge.accounts.choices import Role

CLV_VIEW_ROLES = frozenset({Role.MANAGER, Role.ADMIN, Role.MARKETING, Role.SALES_MANAGER, Role.SALES_REP})
CLV_MODEL_ROLES = frozenset({Role.MANAGER, Role.ADMIN, Role.MARKETING, Role.SALES_MANAGER})
CLV_REFIT_ROLES = frozenset({Role.MANAGER, Role.ADMIN, Role.MARKETING})


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_view_churn_risk(user: Any) -> bool:
    return _active(user) and (user.is_superuser or user.role in CLV_VIEW_ROLES)


def can_view_clv_models(user: Any) -> bool:
    """The model page and per-guest scores of anyone in scope (sales reps only see their own accounts)."""
    return _active(user) and (user.is_superuser or user.role in CLV_MODEL_ROLES)


def can_refit(user: Any) -> bool:
    return _active(user) and (user.is_superuser or user.role in CLV_REFIT_ROLES)


def owns_accounts_only(user: Any) -> bool:
    """Sales reps are limited to their own accounts."""
    return _active(user) and not user.is_superuser and user.role == Role.SALES_REP
