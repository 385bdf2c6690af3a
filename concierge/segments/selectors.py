"""Reads of the segments module, and the public entry points other modules (marketing, benchmarks) call.

    segment_queryset(definition, user) -> QuerySet[Guest]   the live members, within the user's properties
    count_definition(definition, user) -> int
    segment_members(segment, user) -> QuerySet[Guest]
    take_snapshot(segment, user, reason) -> SegmentSnapshot  (a write; lives in services, re-exported here)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from concierge.core import regions
from concierge.guests.models import Guest
from concierge.segments.conditions import clean_definition, compile_definition, region_case
from concierge.segments.models import Segment, SegmentSnapshot
from concierge.segments.permissions import can_view_segments


def segment_queryset(definition: dict[str, Any], user: Any) -> QuerySet:
    """Live (not merged) guests `user` may see that match `definition`. Raises ValidationError on a bad definition.

    The result is one SQL statement: property scoping (`visible_to`) AND the compiled condition tree.
    """
    cleaned = clean_definition(definition, user)
    return Guest.objects.visible_to(user).live().filter(compile_definition(cleaned))


def count_definition(definition: dict[str, Any], user: Any) -> int:
    """How many guests `segment_queryset(definition, user)` holds (one `SELECT COUNT(*)`)."""
    return segment_queryset(definition, user).count()


def segment_members(segment: Segment, user: Any) -> QuerySet:
    """The live members of a saved segment, as `user` may see them."""
    return segment_queryset(segment.definition, user)


def take_snapshot(segment: Segment, user: Any, reason: str = "") -> SegmentSnapshot:
    """Freeze the members of `segment` (see `services.take_snapshot`)."""
    from concierge.segments import services

    return services.take_snapshot(segment=segment, actor=user, reason=reason)


def segments_for(user: Any) -> QuerySet:
    """Segments `user` may open: shared ones and their own (administrators see all); none without the role."""
    if not can_view_segments(user):
        return Segment.objects.none()
    qs = Segment.objects.select_related("created_by")
    if user.is_superuser or getattr(user, "role", "") == "admin":
        return qs
    return qs.filter(Q(shared=True) | Q(created_by=user))


def snapshots_of(segment: Segment) -> QuerySet:
    return SegmentSnapshot.objects.filter(segment=segment).select_related("taken_by").order_by("-taken_at", "-id")


@dataclass(frozen=True)
class Breakdown:
    """Members per region and per tier (counted by the database with GROUP BY)."""

    regions: list[tuple[str, str, int]]  # (code, label, count)
    tiers: list[tuple[str, int]]


def segment_breakdown(members: QuerySet, *, max_tiers: int = 12) -> Breakdown:
    """Counts of `members` by region of address and by tier: two GROUP BY queries."""
    base = members.order_by()
    by_region = dict(base.annotate(region=region_case()).values("region").annotate(n=Count("pk"))
                     .values_list("region", "n"))
    region_rows = [(code, str(label), by_region[code]) for code, label in regions.REGION_LABELS.items()
                   if by_region.get(code)]
    tier_rows = list(base.values("tier").annotate(n=Count("pk")).order_by("-n", "tier").values_list("tier", "n")
                     [:max_tiers])
    return Breakdown(regions=region_rows, tiers=[(tier, n) for tier, n in tier_rows])
