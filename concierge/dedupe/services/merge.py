"""Merge two guest profiles into one, and undo it.

Merging moves *every* row that points at the merged guest to the survivor. The relations are
discovered from the model registry (every ForeignKey to Guest in every installed app), so a later
module's tables are covered without changes here; only the tombstone pointer, the search keys (rebuilt),
history and audit tables, and this app's own review records are left alone.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Q
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.core.choices import ActivityKind
from concierge.core.i18n import LocalizedText
from concierge.core.models import AuditEvent
from concierge.core.querysets import version_bump
from concierge.core.services import activity_log
from concierge.dedupe.choices import CandidateStatus, FieldChoice
from concierge.dedupe.models import DuplicateCandidate, MergeRecord
from concierge.guests.choices import GuestStatus
from concierge.guests.models import ContactPoint, Guest, IdentityDocument, SearchKey
from concierge.guests.services import StaleVersionError, guest_search_keys_rebuild

# --- modules' own merge steps ----------------------------------------------------------------------------------------

# A module whose rows point at the guest only indirectly (through a row that is unique per guest, such as a loyalty
# membership) registers a preparer here. It runs inside the merge transaction before the rows move, and returns the
# rows it re-pointed as (label "app.Model.fk", pks, from_id, to_id) so that undo can point them back.
MovedRows = tuple[str, list[Any], Any, Any]
MERGE_PREPARERS: list[Any] = []


# --- field choices -------------------------------------------------------------------------------------------------

# Fields chosen as a group, so an address or a name is never half from one profile and half from the other.
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "native_name": ("family_name", "given_name"),
    "latin_name": ("family_name_latin", "given_name_latin"),
    "birthday": ("birthday",),
    "gender": ("gender",),
    "nationality": ("nationality",),
    "language": ("language",),
    "phone": ("phone",),
    "email": ("email",),
    "address": ("address_1", "address_2", "city", "province", "postcode", "country"),
    "company": ("company",),
    "tier": ("tier",),
    "owner": ("owner",),
    "source_channel": ("source_channel",),
    "status": ("status", "status_reason"),
    "external": ("external_ref", "source"),
}
# Identity fields: a profile with a verified ID document wins these by default.
IDENTITY_GROUPS = frozenset({"native_name", "latin_name", "birthday", "gender", "nationality"})
MERGE_FIELDS: tuple[str, ...] = tuple(f for group in FIELD_GROUPS.values() for f in group) + ("notes",)
_SNAPSHOT_FIELDS: tuple[str, ...] = MERGE_FIELDS + ("created_at", "last_stay_on", "merged_into", "version")


def _dump(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _snapshot(guest: Guest) -> dict[str, Any]:
    return {name: _dump(getattr(guest, Guest._meta.get_field(name).attname)) for name in _SNAPSHOT_FIELDS}


def _load(name: str, value: Any) -> Any:
    if value is None:
        return None
    return Guest._meta.get_field(name).to_python(value)


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _field_change_times(guests: Iterable[Guest]) -> dict[int, dict[str, dt.datetime]]:
    """When each field of each guest last changed, from the profile history (falls back to updated_at)."""
    by_guest = {g.pk: g for g in guests}
    times: dict[int, dict[str, dt.datetime]] = {pk: {} for pk in by_guest}
    tracked = [f for f in MERGE_FIELDS if f not in ("company", "owner")] + ["company_id", "owner_id"]
    history = (
        Guest.history.filter(id__in=list(by_guest)).order_by("id", "history_date", "history_id")
        .values("id", "history_date", *tracked)
    )
    previous: dict[int, dict[str, Any]] = {}
    for row in history:
        prev = previous.get(row["id"])
        for name in tracked:
            if prev is None or prev[name] != row[name]:
                times[row["id"]][name.removesuffix("_id")] = row["history_date"]
        previous[row["id"]] = row
    return times


def merge_defaults(*, survivor: Guest, merged: Guest) -> dict[str, str]:
    """Default choice per field: verified identity first, then the most recent non-empty value."""
    verified = set(
        IdentityDocument.objects.filter(guest_id__in=[survivor.pk, merged.pk], is_verified=True)
        .values_list("guest_id", flat=True)
    )
    times = _field_change_times([survivor, merged])
    choices: dict[str, str] = {}
    for group, names in FIELD_GROUPS.items():
        s_vals = [getattr(survivor, Guest._meta.get_field(n).attname) for n in names]
        m_vals = [getattr(merged, Guest._meta.get_field(n).attname) for n in names]
        if all(_empty(v) for v in m_vals) or s_vals == m_vals or group == "external" and any(
                not _empty(v) for v in s_vals):
            pick = FieldChoice.SURVIVOR
        elif all(_empty(v) for v in s_vals):
            pick = FieldChoice.MERGED
        elif group in IDENTITY_GROUPS and (survivor.pk in verified) != (merged.pk in verified):
            pick = FieldChoice.SURVIVOR if survivor.pk in verified else FieldChoice.MERGED
        else:
            s_time = max((times[survivor.pk].get(n) for n in names if times[survivor.pk].get(n)),
                         default=survivor.updated_at)
            m_time = max((times[merged.pk].get(n) for n in names if times[merged.pk].get(n)),
                         default=merged.updated_at)
            pick = FieldChoice.MERGED if m_time > s_time else FieldChoice.SURVIVOR
        for name in names:
            choices[name] = pick
    choices["notes"] = "combined"
    return choices


def _is_history_or_audit(model: type[models.Model]) -> bool:
    return getattr(model, "instance_type", None) is not None or model is AuditEvent


def guest_relations() -> list[models.ForeignKey]:
    """Every ForeignKey/OneToOne to Guest whose rows move to the survivor on merge.

    Left out: the tombstone pointer itself (`merged_into`), search keys (rebuilt from the merged
    profile), history tables (django-simple-history) and read audits (they record what happened to that
    profile and are never rewritten), and this app's own candidate and merge records.
    """
    relations = []
    for rel in Guest._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        model, fk = rel.related_model, rel.field
        if model is Guest and fk.name == "merged_into":
            continue
        if model is SearchKey or model._meta.app_label == "dedupe" or _is_history_or_audit(model):
            continue
        relations.append(fk)
    return relations


def _unique_sets(model: type[models.Model], fk: models.ForeignKey) -> list[tuple[list[str], Q | None]]:
    """Unique field sets of `model` that include `fk`, as attnames, with a constraint's condition."""
    sets: list[tuple[list[str], Q | None]] = []

    def attnames(names: Iterable[str]) -> list[str]:
        return [model._meta.get_field(n).attname for n in names]

    if fk.unique:
        sets.append(([fk.attname], None))
    for together in model._meta.unique_together:
        if fk.name in together:
            sets.append((attnames(together), None))
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields and fk.name in constraint.fields:
            sets.append((attnames(constraint.fields), constraint.condition))
    return sets


def _colliding_pks(model: type[models.Model], fk: models.ForeignKey, survivor_id: int, merged_id: int) -> list[Any]:
    """Rows of the merged guest that would break a unique constraint once they point at the survivor."""
    manager = model._base_manager
    colliding: set[Any] = set()
    for names, condition in _unique_sets(model, fk):
        others = [n for n in names if n != fk.attname]
        survivor_rows = manager.filter(**{fk.attname: survivor_id})
        merged_rows = manager.filter(**{fk.attname: merged_id})
        if condition is not None:
            survivor_rows, merged_rows = survivor_rows.filter(condition), merged_rows.filter(condition)
        if not others:
            if survivor_rows.exists():
                colliding.update(merged_rows.values_list("pk", flat=True))
            continue
        taken = set(survivor_rows.values_list(*others))
        for pk, *rest in merged_rows.values_list("pk", *others):
            if tuple(rest) in taken:
                colliding.add(pk)
    return sorted(colliding)


def _delete_recorded(model: type[models.Model], pks: list[Any]) -> list[dict[str, Any]]:
    """Delete rows (and whatever cascades from them), returning them serialised for undo."""
    using = router.db_for_write(model)
    collector = Collector(using=using, origin=None)
    try:
        collector.collect(list(model._base_manager.filter(pk__in=pks)))
    except (ProtectedError, RestrictedError) as exc:
        raise ValidationError(
            _("These profiles cannot be merged: %(model)s rows that would be removed are still in use.")
            % {"model": model._meta.verbose_name}, code="merge_protected",
        ) from exc
    instances: list[models.Model] = []
    for qs in collector.fast_deletes:
        instances.extend(qs)
    collector.sort()
    for _model, objs in collector.data.items():
        instances.extend(objs)
    dumped = json.loads(serializers.serialize("json", instances))
    collector.delete()
    return dumped


def _move_rows(survivor: Guest, merged: Guest) -> tuple[dict[str, list[Any]], dict[str, list[dict[str, Any]]]]:
    moved: dict[str, list[Any]] = {}
    removed: dict[str, list[dict[str, Any]]] = {}
    for fk in guest_relations():
        model = fk.model
        label = f"{model._meta.label}.{fk.name}"
        colliding = _colliding_pks(model, fk, survivor.pk, merged.pk)
        if colliding:
            removed[label] = _delete_recorded(model, colliding)
        rows = model._base_manager.filter(**{fk.attname: merged.pk})
        pks = list(rows.values_list("pk", flat=True))
        if pks:
            rows.update(**{fk.attname: survivor.pk}, **version_bump(model))
            moved[label] = pks
    return moved, removed


def _combine_notes(a: str, b: str) -> str:
    parts = [p for p in (a.strip(), b.strip()) if p]
    if len(parts) == 2 and parts[0] == parts[1]:
        parts = parts[:1]
    return "\n\n".join(parts)


def _combine_reasons(*reasons: str) -> str:
    seen: list[str] = []
    for reason in reasons:
        reason = (reason or "").strip()
        if reason and reason not in seen:
            seen.append(reason)
    return "; ".join(seen)[:300]


@transaction.atomic
def guest_merge(
    *, actor: Any, survivor: Guest, merged: Guest, field_choices: Mapping[str, str] | None = None,
    expected_versions: Mapping[int, int] | None = None, candidate: DuplicateCandidate | None = None,
) -> MergeRecord:
    """Merge `merged` into `survivor` in one transaction; returns the record that can undo it.

    Both rows are locked in id order (no deadlock with a merge of the same pair the other way round),
    then re-read, so an edit committed while the merge waited for the lock is merged, not overwritten.
    `expected_versions` ({guest id: version} as the user saw them) refuses the merge if either profile
    changed since; the merge raises both versions, so an editor still holding the old one is refused too.

    Defaults per field: verified ID documents first for identity fields, then the most recently changed
    non-empty value. An "unsuitable" status always survives. The phone or email not chosen is kept as
    an extra contact point. Every row pointing at the merged guest moves (see `guest_relations`); a row
    that would duplicate one the survivor already has (same property link, same contact point, same tag)
    is removed and recorded for undo. The merged profile stays as a tombstone pointing at the survivor.
    """
    if survivor.pk == merged.pk:
        raise ValidationError(_("A profile cannot be merged with itself."), code="merge_self")
    locked = {g.pk: g for g in Guest.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk]).order_by("pk")}
    if len(locked) != 2:
        raise ValidationError(_("One of the profiles no longer exists."), code="merge_missing")
    keep, gone = locked[survivor.pk], locked[merged.pk]
    for guest in (keep, gone):
        if guest.merged_into_id:
            raise ValidationError(
                _("Profile #%(id)s was already merged into #%(into)s.")
                % {"id": guest.pk, "into": guest.merged_into_id},
                code="already_merged",
            )
    for guest in (keep, gone):
        if expected_versions and guest.pk in expected_versions and expected_versions[guest.pk] != guest.version:
            raise StaleVersionError(
                {"version": [_("Profile #%(id)s was changed by someone else. Review the merge again.")
                             % {"id": guest.pk}]}
            )
    choices = merge_defaults(survivor=keep, merged=gone)
    for name, choice in (field_choices or {}).items():
        if name not in MERGE_FIELDS:
            raise ValidationError({name: [_("This field cannot be chosen in a merge.")]}, code="merge_field")
        if choice not in FieldChoice.values:
            raise ValidationError({name: [_("Choose the surviving or the merged profile's value.")]},
                                  code="merge_choice")
        choices[name] = choice
    survivor_before, merged_before = _snapshot(keep), _snapshot(gone)

    # Field values.
    for name in MERGE_FIELDS:
        attname = Guest._meta.get_field(name).attname
        if choices[name] == FieldChoice.MERGED:
            setattr(keep, attname, getattr(gone, attname))
    if choices["notes"] == "combined":
        keep.notes = _combine_notes(survivor_before["notes"], merged_before["notes"])
    if survivor_before["status"] == GuestStatus.UNSUITABLE or merged_before["status"] == GuestStatus.UNSUITABLE:
        # A customer flagged unsuitable stays flagged, whichever profile carried the flag.
        keep.status = GuestStatus.UNSUITABLE
        keep.status_reason = _combine_reasons(
            *(before["status_reason"] for before in (survivor_before, merged_before)
              if before["status"] == GuestStatus.UNSUITABLE)
        )
        choices["status"] = choices["status_reason"] = "combined"
    keep.created_at = min(keep.created_at, gone.created_at)
    if gone.last_stay_on and (not keep.last_stay_on or gone.last_stay_on > keep.last_stay_on):
        keep.last_stay_on = gone.last_stay_on

    # Rows.
    record = MergeRecord.objects.create(
        survivor=keep, merged=gone, candidate=candidate, actor=actor if getattr(actor, "pk", None) else None,
    )
    prepared: list[MovedRows] = []
    for preparer in MERGE_PREPARERS:
        prepared.extend(preparer(survivor=keep, merged=gone))
    moved, removed = _move_rows(keep, gone)
    retargeted = {}
    for label, pks, from_id, to_id in prepared:
        if pks:
            moved[label] = list(pks)
            retargeted[label] = [from_id, to_id]

    # The phone and email not chosen stay reachable as extra contact points of the survivor.
    created_points: list[int] = []
    for kind, values in ((ContactPoint.Kind.PHONE, (survivor_before["phone"], merged_before["phone"])),
                         (ContactPoint.Kind.EMAIL, (survivor_before["email"], merged_before["email"]))):
        primary = keep.phone if kind == ContactPoint.Kind.PHONE else keep.email
        for value in values:
            exists = ContactPoint.objects.filter(guest=keep, kind=kind, value=value).exists() if value else True
            if value and value != primary and not exists:
                created_points.append(ContactPoint.objects.create(guest=keep, kind=kind, value=value,
                                                                  label=_("from merge")[:40]).pk)

    keep.version += 1
    keep.save()
    gone.merged_into = keep
    gone.version += 1
    gone.save(update_fields=["merged_into", "version", "updated_at"])
    SearchKey.objects.filter(guest=gone).delete()
    guest_search_keys_rebuild(guest=keep)

    record.fields = {
        "chosen": {name: str(choice) for name, choice in choices.items()},
        "survivor_before": survivor_before, "merged_before": merged_before, "survivor_after": _snapshot(keep),
        "retargeted": retargeted,
    }
    record.moved, record.removed = moved, removed
    record.created = {"guests.ContactPoint": created_points} if created_points else {}
    record.save(update_fields=["fields", "moved", "removed", "created"])

    low, high = sorted((keep.pk, gone.pk))
    pair = candidate or DuplicateCandidate.objects.filter(left_id=low, right_id=high).first()
    if pair is not None:
        DuplicateCandidate.objects.filter(pk=pair.pk).update(
            status=CandidateStatus.MERGED, reviewed_by=record.actor, reviewed_at=record.at)
        if record.candidate_id != pair.pk:
            record.candidate = pair
            record.save(update_fields=["candidate"])
    moved_count = sum(len(v) for v in moved.values())
    activity_log(
        actor=actor, kind=ActivityKind.PROFILE, guest=keep,
        summary=LocalizedText(gettext_noop("Profile #%(id)s (%(name)s) merged into this profile"),
                              {"id": gone.pk, "name": gone.display_name}),
        data={"event": "merged", "merge_id": record.pk, "merged_id": gone.pk, "rows_moved": moved_count},
    )
    activity_log(
        actor=actor, kind=ActivityKind.PROFILE, guest=gone,
        summary=LocalizedText(gettext_noop("Merged into profile #%(id)s (%(name)s)"),
                              {"id": keep.pk, "name": keep.display_name}),
        data={"event": "merged_into", "merge_id": record.pk, "survivor_id": keep.pk},
    )
    return record


@transaction.atomic
def guest_merge_undo(*, actor: Any, merge_record: MergeRecord) -> MergeRecord:
    """Undo a merge: rows moved back, removed rows restored, the survivor's changed values reverted.

    Refused when the survivor has itself been merged into another profile since (undo that first).
    A survivor field edited after the merge keeps the newer value (it is not the merge's to revert).
    """
    record = MergeRecord.objects.select_for_update().get(pk=merge_record.pk)
    if record.undone_at:
        raise ValidationError(_("This merge was already undone."), code="merge_undone")
    if record.is_anonymised:
        raise ValidationError(_("This merge can no longer be undone: its personal data was erased."),
                              code="merge_anonymised")
    locked = {g.pk: g for g in Guest.objects.select_for_update().filter(pk__in=[record.survivor_id, record.merged_id])
              .order_by("pk")}
    keep, gone = locked[record.survivor_id], locked[record.merged_id]
    if keep.merged_into_id:
        raise ValidationError(
            _("Profile #%(id)s has since been merged into #%(into)s. Undo that merge first.")
            % {"id": keep.pk, "into": keep.merged_into_id}, code="survivor_merged",
        )
    if gone.merged_into_id != keep.pk:
        raise ValidationError(_("The merged profile no longer points at the survivor."), code="merge_changed")

    # Removed rows restored, then rows moved back (only those still on the survivor). Rows a module's preparer
    # re-pointed (not at the guest itself) go back to the row they came from, which may be one just restored.
    for rows in record.removed.values():
        for obj in reversed(list(serializers.deserialize("json", json.dumps(rows)))):
            obj.save()
    retargeted = record.fields.get("retargeted", {})
    for label, pks in record.moved.items():
        app_model, fk_name = label.rsplit(".", 1)
        model = apps.get_model(app_model)
        attname = model._meta.get_field(fk_name).attname
        came_from, moved_to = retargeted.get(label, (gone.pk, keep.pk))
        for start in range(0, len(pks), 1000):
            model._base_manager.filter(pk__in=pks[start:start + 1000], **{attname: moved_to}).update(
                **{attname: came_from}, **version_bump(model))
    for label, pks in record.created.items():
        apps.get_model(label)._base_manager.filter(pk__in=pks).delete()

    # Survivor values the merge changed, unless edited since.
    before, after = record.fields["survivor_before"], record.fields["survivor_after"]
    current = _snapshot(keep)
    kept_newer = []
    for name in MERGE_FIELDS + ("created_at", "last_stay_on"):
        if before[name] == after[name]:
            continue
        if current[name] == after[name]:
            setattr(keep, Guest._meta.get_field(name).attname, _load(name, before[name]))
        else:
            kept_newer.append(name)
    keep.version += 1
    keep.save()
    gone.merged_into = None
    gone.version += 1
    gone.save(update_fields=["merged_into", "version", "updated_at"])
    guest_search_keys_rebuild(guest=keep)
    guest_search_keys_rebuild(guest=gone)

    record.undone_at = timezone.now()
    record.undone_by = actor if getattr(actor, "pk", None) else None
    record.save(update_fields=["undone_at", "undone_by"])
    if record.candidate_id:
        DuplicateCandidate.objects.filter(pk=record.candidate_id).update(
            status=CandidateStatus.OPEN, reviewed_by=record.undone_by, reviewed_at=record.undone_at)
    for guest, other in ((keep, gone), (gone, keep)):
        activity_log(
            actor=actor, kind=ActivityKind.PROFILE, guest=guest,
            summary=LocalizedText(gettext_noop("Merge with profile #%(id)s undone"), {"id": other.pk}),
            data={"event": "merge_undone", "merge_id": record.pk, "kept_newer": kept_newer},
        )
    return record


def merge_default_survivor(first: Guest, second: Guest) -> tuple[Guest, Guest]:
    """(survivor, merged) for a pair when nobody chose: the older profile survives."""
    return (first, second) if (first.created_at, first.pk) <= (second.created_at, second.pk) else (second, first)
