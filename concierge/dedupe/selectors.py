"""Reads for the duplicate review queue, pair comparison, merge history and the CSV export."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from concierge.dedupe.choices import CandidateStatus
from concierge.dedupe.models import DuplicateCandidate, MergeRecord
from concierge.dedupe.scoring import FIELD_LABELS, reasons_side_by_side, reasons_text
from concierge.guests.models import Guest


def review_queue(*, user: Any, status: str = CandidateStatus.OPEN, min_score: float | None = None) -> QuerySet:
    """Candidate pairs the user may see (both profiles visible), strongest first.

    Pairs touching a merged tombstone are hidden: the survivor is scored again on the next run, and
    undoing the merge brings them back.
    """
    visible = Guest.objects.visible_to(user).live()
    qs = (
        DuplicateCandidate.objects.filter(status=status)
        .filter(Exists(visible.filter(pk=OuterRef("left_id"))), Exists(visible.filter(pk=OuterRef("right_id"))))
        .select_related("left", "right", "reviewed_by")
        .order_by("-score", "id")
    )
    if min_score is not None:
        qs = qs.filter(score__gte=min_score)
    return qs


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
