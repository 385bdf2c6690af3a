"""Who sees and changes which opportunities, scorecards and targets. The UI and the API both use these functions.

Reps see and work their own opportunities and their own scorecard. Sales managers, managers and administrators see
every opportunity and every rep within their properties, edit stages and targets. Other roles have no pipeline.
"""
from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from concierge.accounts.choices import Role

PIPELINE_ROLES = frozenset({Role.SALES_REP, Role.SALES_MANAGER, Role.MANAGER, Role.ADMIN})
MANAGER_ROLES = frozenset({Role.SALES_MANAGER, Role.MANAGER, Role.ADMIN})


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def can_use_pipeline(user: Any) -> bool:
    """Sales reps, sales managers, managers and administrators."""
    return _active(user) and bool(user.is_superuser or user.role in PIPELINE_ROLES)


def is_sales_manager(user: Any) -> bool:
    """Sees every rep's pipeline and scorecard (within their properties), edits stages and targets."""
    return _active(user) and bool(user.is_superuser or user.role in MANAGER_ROLES)


def scope_opportunities(queryset: QuerySet, user: Any) -> QuerySet:
    """Opportunities `user` may see: a rep only their own; managers all of their properties' (an opportunity without
    a property belongs to the properties its company serves)."""
    if not can_use_pipeline(user):
        return queryset.none()
    if not is_sales_manager(user):
        queryset = queryset.filter(owner_id=user.pk)
    property_ids = user.property_ids()
    if property_ids is None:
        return queryset
    from concierge.guests.models import Company

    # An uncorrelated IN (hashed once) rather than EXISTS: with EXISTS under OR PostgreSQL over-estimates the cost by
    # ~100× and spends seconds JIT-compiling the forecast (bench/sales.py, EXPLAIN ANALYZE).
    served = Company.properties.through.objects.filter(property_id__in=property_ids).values("company_id")
    return queryset.filter(Q(property_id__in=property_ids) | Q(property__isnull=True, company_id__in=served))


def can_edit_opportunity(user: Any, opportunity: Any) -> bool:
    """The owner, or a sales manager who can see it (visibility is checked by fetching through the scope)."""
    return can_use_pipeline(user) and (opportunity.owner_id == user.pk or is_sales_manager(user))


def visible_reps(user: Any) -> QuerySet:
    """Reps whose scorecards `user` may see: themselves, or (managers) sales staff sharing a property."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if not can_use_pipeline(user):
        return User.objects.none()
    if not is_sales_manager(user):
        return User.objects.filter(pk=user.pk)
    reps = User.objects.filter(is_active=True, role__in=[Role.SALES_REP, Role.SALES_MANAGER])
    property_ids = user.property_ids()
    if property_ids is not None:
        reps = reps.filter(Q(properties__in=property_ids) | Q(pk=user.pk)).distinct()
    return reps.order_by("username")
