"""Writes of the segments module: create, update (optimistic locking), delete, recount, snapshot."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.guests.services import StaleVersionError
from concierge.segments.conditions import clean_definition
from concierge.segments.models import Segment, SegmentSnapshot, SegmentSnapshotMember


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("A segment needs a name.")]})
    if len(name) > 200:
        raise ValidationError({"name": [_("The name is too long (at most 200 characters).")]})
    return name


def _clean(definition: Any, user: Any) -> dict[str, Any]:
    try:
        return clean_definition(definition, user)
    except ValidationError as exc:
        raise ValidationError({"definition": exc.messages}) from exc


@transaction.atomic
def segment_create(*, actor: Any, name: str, definition: Any, description: str = "", shared: bool = True) -> Segment:
    """A new segment owned by `actor`, counted once for them."""
    from concierge.segments.selectors import count_definition

    cleaned = _clean(definition, actor)
    segment = Segment.objects.create(
        name=_clean_name(name), description=description or "", definition=cleaned, shared=shared, created_by=actor,
        last_count=count_definition(cleaned, actor), counted_at=timezone.now(),
    )
    return segment


@transaction.atomic
def segment_update(*, actor: Any, segment: Segment, expected_version: int | None = None, **values: Any) -> Segment:
    """Change name, description, shared flag or definition; `expected_version` guards against lost updates."""
    from concierge.segments.selectors import count_definition

    unknown = set(values) - {"name", "description", "definition", "shared"}
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    locked = Segment.objects.select_for_update().get(pk=segment.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersionError(
            {"version": [_("This segment was changed by someone else. Reload it and apply your change again.")]}
        )
    if "name" in values:
        locked.name = _clean_name(values["name"])
    if "description" in values:
        locked.description = values["description"] or ""
    if "shared" in values:
        locked.shared = bool(values["shared"])
    if "definition" in values:
        locked.definition = _clean(values["definition"], actor)
        locked.last_count = count_definition(locked.definition, actor)
        locked.counted_at = timezone.now()
    locked.version += 1  # the row is locked (select_for_update), so a plain increment is safe
    locked.save()
    return locked


def segment_delete(*, actor: Any, segment: Segment) -> None:
    """Delete a segment with its snapshots."""
    segment.delete()


def segment_recount(*, actor: Any, segment: Segment) -> Segment:
    """Store the current count as `actor` sees it (a conditional UPDATE, so it never bumps `version`)."""
    from concierge.segments.selectors import count_definition

    count = count_definition(segment.definition, actor)
    now = timezone.now()
    Segment.objects.filter(pk=segment.pk).update(last_count=count, counted_at=now)
    segment.last_count, segment.counted_at = count, now
    return segment


@transaction.atomic
def take_snapshot(*, segment: Segment, actor: Any, reason: str = "") -> SegmentSnapshot:
    """Freeze the members `actor` sees now: one snapshot row, then the members with a single INSERT…SELECT.

    The member query runs inside the database (no guest ids travel through Python), so a snapshot of a million
    guests is one statement. The count is what the INSERT wrote.
    """
    from concierge.segments.selectors import segment_members

    members = segment_members(segment, actor).order_by().values(member_id=F("pk"))
    snapshot = SegmentSnapshot.objects.create(
        segment=segment, definition=segment.definition, taken_by=actor if getattr(actor, "pk", None) else None,
        reason=(reason or "")[:200],
    )
    sql, params = members.query.sql_with_params()
    table = connection.ops.quote_name(SegmentSnapshotMember._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (snapshot_id, guest_id) SELECT %s, m.member_id FROM ({sql}) AS m",  # noqa: S608
            (snapshot.pk, *params),
        )
        written = cursor.rowcount
    if written is None or written < 0:
        written = SegmentSnapshotMember.objects.filter(snapshot=snapshot).count()
    snapshot.count = written
    snapshot.save(update_fields=["count"])
    return snapshot
