"""Property scoping: the one place that decides which guest data a user may see.

A user who works at properties A and B sees guests linked to A or B (created there or stayed there),
stays at A or B, companies serving A or B, and timeline entries of visible subjects recorded at A, B
or no property. Group-wide roles see everything.
"""
from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Exists, OuterRef, Q, QuerySet

QS = TypeVar("QS", bound=QuerySet)


def _guest_link_exists(property_ids: list[int], guest_ref: str = "pk") -> Exists:
    from concierge.guests.models import GuestProperty

    return Exists(GuestProperty.objects.filter(guest_id=OuterRef(guest_ref), property_id__in=property_ids))


def _company_link_exists(property_ids: list[int], company_ref: str = "pk") -> Exists:
    from concierge.guests.models import Company

    through = Company.properties.through
    return Exists(through.objects.filter(company_id=OuterRef(company_ref), property_id__in=property_ids))


def scope_queryset(queryset: QS, user: Any) -> QS:
    """Restrict `queryset` to rows `user` may see. Unknown models are refused (empty), never leaked."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    property_ids = user.property_ids()
    if property_ids is None:
        return queryset
    model = queryset.model
    label = model._meta.label
    if label == "guests.Guest":
        return queryset.filter(_guest_link_exists(property_ids))
    if label == "guests.Company":
        return queryset.filter(_company_link_exists(property_ids))
    if label == "guests.Contact":
        return queryset.filter(_company_link_exists(property_ids, "company_id"))
    if label in ("stays.Stay",):
        return queryset.filter(property_id__in=property_ids)
    if label == "core.Activity":
        subject_visible = Q(guest__isnull=False, guest_visible=True) | Q(guest__isnull=True, company_visible=True)
        return (
            queryset.alias(
                guest_visible=_guest_link_exists(property_ids, "guest_id"),
                company_visible=_company_link_exists(property_ids, "company_id"),
            )
            .filter(subject_visible)
            .filter(Q(property__isnull=True) | Q(property_id__in=property_ids))
        )
    # Records that belong to one hotel (cases, lost items, knowledge-base articles) opt in by naming the path to
    # their property; `scope_property_shared_when_null` makes rows without a property group-wide.
    property_field = getattr(model, "scope_property_field", None)
    if property_field:
        condition = Q(**{f"{property_field}__in": property_ids})
        if getattr(model, "scope_property_shared_when_null", False):
            condition |= Q(**{f"{property_field}__isnull": True})
        return queryset.filter(condition)
    if hasattr(model, "guest"):
        return queryset.filter(_guest_link_exists(property_ids, "guest_id"))
    return queryset.none()


def visible(model_or_qs: Any, user: Any) -> QuerySet:
    """`visible(Guest, user)` or `visible(qs, user)`: the scoped queryset."""
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    return scope_queryset(qs, user)
