"""The guest's audit trail for the web: simple-history changes and sensitive-data access, merged by time."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from concierge.core.models import AuditEvent
from concierge.guests.models import Alert, Guest, IdentityDocument, Preference

HISTORY_LIMIT = 200


def _field_label(name: str) -> str:
    """Human label for an AuditEvent.field (a model field name or a pseudo field such as id_number)."""
    labels = {"id_number": _("ID number")}
    return str(labels.get(name, name))


@dataclass
class AuditEntry:
    at: dt.datetime
    actor: Any
    subject: str
    action: str
    action_code: str
    fields: list[str] = field(default_factory=list)
    detail: str = ""


def _history_entries(history_qs: Any, subject: str, model: type) -> list[AuditEntry]:
    """One entry per historical record; changed fields come from diffing each record with the previous one
    of the same object (in memory: the records are fetched by one query)."""
    actions = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
    records = list(history_qs.select_related("history_user").order_by("-history_date", "-history_id")[:HISTORY_LIMIT])
    previous: dict[int, Any] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        prev = previous.get(record.id)
        record.changed_names = []
        if prev is not None and record.history_type == "~":
            delta = record.diff_against(prev, excluded_fields=["version", "created_at"])
            record.changed_names = [str(model._meta.get_field(name).verbose_name) for name in delta.changed_fields]
        previous[record.id] = record
    return [
        AuditEntry(
            at=r.history_date, actor=r.history_user, subject=subject,
            action=actions.get(r.history_type, r.history_type), action_code=r.history_type,
            fields=r.changed_names, detail=_history_detail(r),
        )
        for r in records
    ]


def _history_detail(record: Any) -> str:
    instance = record.instance
    if isinstance(instance, Guest):
        return record.history_change_reason or ""
    return str(instance)


def guest_audit_trail(*, guest: Guest) -> list[AuditEntry]:
    """Changes to the profile, its ID documents, preferences and alerts, plus who viewed/revealed/exported."""
    entries = _history_entries(Guest.history.filter(id=guest.pk), _("Profile"), Guest)
    entries += _history_entries(IdentityDocument.history.filter(guest_id=guest.pk), _("ID document"),
                                IdentityDocument)
    entries += _history_entries(Preference.history.filter(guest_id=guest.pk), _("Preference"), Preference)
    entries += _history_entries(Alert.history.filter(guest_id=guest.pk), _("Alert"), Alert)
    for event in AuditEvent.objects.filter(guest=guest).select_related("actor")[:HISTORY_LIMIT]:
        entries.append(AuditEntry(
            at=event.at, actor=event.actor, subject=_("Data access"), action=event.get_action_display(),
            action_code=event.action, fields=[_field_label(event.field)] if event.field else [], detail=event.detail,
        ))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries
