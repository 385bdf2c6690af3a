"""Reads for the duplicate review queue, pair comparison, merge history and the CSV export."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from concierge.dedupe.choices import CandidateStatus
from concierge.dedupe.models import DuplicateCandidate, FinderRun, MergeRecord
from concierge.dedupe.scoring import FIELD_LABELS, reasons_side_by_side, reasons_text
from concierge.guests.models import Guest, GuestProperty


def _side_reachable(visible: QuerySet, side: str) -> Q:
    """The pair's `side` profile is visible, or is a tombstone whose survivor is (its links moved there)."""
    return Q(Exists(visible.filter(pk=OuterRef(f"{side}_id")))) | Q(
        Exists(visible.filter(pk=OuterRef(f"{side}__merged_into_id"))))


def candidates_visible_to(user: Any) -> QuerySet:
    """Every candidate pair (any status) whose two profiles the user may see, directly or through a merge."""
    visible = Guest.objects.visible_to(user)
    return DuplicateCandidate.objects.filter(_side_reachable(visible, "left"), _side_reachable(visible, "right"))


def review_queue(
    *, user: Any, status: str = CandidateStatus.OPEN, min_score: float | None = None,
    max_score: float | None = None, property_id: int | None = None,
) -> QuerySet:
    """Candidate pairs the user may see (both profiles visible), strongest first.

    Open and dismissed pairs touching a merged tombstone are hidden: the survivor is scored again on the
    next run, and undoing the merge brings them back. Merged pairs are shown through their survivor.
    `property_id` keeps pairs where either profile is linked to that property.
    """
    if status == CandidateStatus.MERGED:
        qs = candidates_visible_to(user)
    else:
        visible = Guest.objects.visible_to(user).live()
        qs = DuplicateCandidate.objects.filter(
            Exists(visible.filter(pk=OuterRef("left_id"))), Exists(visible.filter(pk=OuterRef("right_id"))))
    qs = qs.filter(status=status).select_related("left", "right", "reviewed_by").order_by("-score", "id")
    if min_score is not None:
        qs = qs.filter(score__gte=min_score)
    if max_score is not None:
        qs = qs.filter(score__lte=max_score)
    if property_id is not None:
        links = GuestProperty.objects.filter(property_id=property_id)
        qs = qs.filter(Q(Exists(links.filter(guest_id=OuterRef("left_id"))))
                       | Q(Exists(links.filter(guest_id=OuterRef("right_id")))))
    return qs


def candidate_for_user(*, user: Any, pk: int) -> DuplicateCandidate:
    """One pair the user may see (raises DuplicateCandidate.DoesNotExist otherwise)."""
    return candidates_visible_to(user).select_related("left", "right", "reviewed_by").get(pk=pk)


@dataclass
class AttachedCounts:
    """What hangs on a profile (and moves with a merge), as the user may see it."""

    stays: int = 0
    timeline: int = 0
    preferences: int = 0
    alerts: int = 0


def _count(qs: QuerySet, ref: str = "guest") -> Coalesce:
    counted = qs.filter(**{ref: OuterRef("pk")}).order_by().values(ref).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def guest_attached_counts(*, user: Any, guest_ids: list[int]) -> dict[int, AttachedCounts]:
    """Stays and timeline entries the user may see, active preferences and alerts, per guest: one query."""
    from concierge.core.models import Activity
    from concierge.guests.models import Alert, Preference
    from concierge.stays.models import Stay

    rows = Guest.objects.filter(pk__in=guest_ids).annotate(
        n_stays=_count(Stay.objects.visible_to(user)),
        n_timeline=_count(Activity.objects.visible_to(user)),
        n_preferences=_count(Preference.objects.filter(is_active=True)),
        n_alerts=_count(Alert.objects.filter(is_active=True)),
    ).values_list("pk", "n_stays", "n_timeline", "n_preferences", "n_alerts")
    return {pk: AttachedCounts(*counts) for pk, *counts in rows}


def merged_from(*, guest: Guest) -> QuerySet:
    """Merges (not undone) that folded other profiles into this one, oldest first."""
    return (MergeRecord.objects.filter(survivor=guest, undone_at__isnull=True).select_related("merged")
            .order_by("at", "id"))


def merge_record_for_user(*, user: Any, pk: int) -> MergeRecord:
    """A merge whose surviving profile the user may see (raises MergeRecord.DoesNotExist otherwise)."""
    from concierge.guests.selectors import resolve_guest

    record = MergeRecord.objects.select_related("survivor", "merged", "actor", "undone_by", "candidate").get(pk=pk)
    try:
        resolve_guest(record.survivor_id, user)
    except Guest.DoesNotExist:
        raise MergeRecord.DoesNotExist from None
    return record


def finder_run_latest() -> FinderRun | None:
    """The most recently queued finder run (its status drives the review queue's progress panel)."""
    return FinderRun.objects.select_related("requested_by").order_by("-queued_at", "-id").first()


@dataclass
class ComparedField:
    """One row of the side-by-side view: the field, both values, and what the scorer concluded."""

    field: str
    label: str
    left: Any
    right: Any
    outcome: str  # agree / partial / disagree / "" when not compared
    reason: str


_DISPLAY_FIELDS = (
    ("native_name", ("family_name", "given_name"), ("name", "family_name", "given_name")),
    ("latin_name", ("family_name_latin", "given_name_latin"), ("name", "family_name", "given_name")),
    ("birthday", ("birthday",), ("birthday",)),
    ("gender", ("gender",), ("gender",)),
    ("phone", ("phone",), ("phone",)),
    ("email", ("email",), ("email",)),
    ("address", ("address_1", "address_2"), ("address",)),
    ("city", ("city",), ("city",)),
    ("province", ("province",), ("province",)),
    ("postcode", ("postcode",), ("postcode",)),
    ("nationality", ("nationality",), ("nationality",)),
)


def candidate_comparison(*, candidate: DuplicateCandidate) -> list[ComparedField]:
    """The two profiles side by side, each row marked agree / partial / disagree from the stored reasons."""
    by_field: dict[str, dict[str, Any]] = {}
    for rows in reasons_side_by_side(candidate.reasons).values():
        for row in rows:
            by_field[row["field"]] = row
    left, right = candidate.left, candidate.right
    result = []
    for key, names, reason_fields in _DISPLAY_FIELDS:
        reason = next((by_field[f] for f in reason_fields if f in by_field), None)
        result.append(ComparedField(
            field=key,
            label=str(Guest._meta.get_field(names[0]).verbose_name) if len(names) == 1 else str(
                FIELD_LABELS.get("name" if "name" in key else key, key)),
            left=" ".join(str(getattr(left, n) or "") for n in names).strip(),
            right=" ".join(str(getattr(right, n) or "") for n in names).strip(),
            outcome=reason["outcome"] if reason else "",
            reason=reason["label"] if reason else "",
        ))
    return result


def merges_for_guest(*, guest: Guest) -> QuerySet:
    """Merges in which the guest survived or was merged away, newest first."""
    return (
        MergeRecord.objects.filter(survivor=guest) | MergeRecord.objects.filter(merged=guest)
    ).select_related("survivor", "merged", "actor", "undone_by").order_by("-at", "-id")


def candidates_export_rows(*, status: str = CandidateStatus.OPEN) -> Iterator[dict[str, Any]]:
    """Rows for `find_duplicates --export`: refs, ids, score and reasons in words, strongest first."""
    qs = (
        DuplicateCandidate.objects.filter(status=status, left__merged_into__isnull=True,
                                          right__merged_into__isnull=True)
        .order_by("-score", "id")
        .values_list("left_id", "right_id", "left__external_ref", "right__external_ref", "score", "reasons")
    )
    for left_id, right_id, left_ref, right_ref, score, reasons in qs.iterator(chunk_size=2000):
        yield {
            "left_ref": left_ref, "right_ref": right_ref, "left_id": left_id, "right_id": right_id,
            "score": f"{score:.4f}", "reasons": reasons_text(reasons),
        }
