"""The SLA sweep, run every minute by Celery beat: due-soon warnings and escalation of breached cases.

Idempotent by construction: each kind of work is claimed with one conditional UPDATE … RETURNING id
("set resolution_escalated_at where it is still empty"), so a second sweep, or two workers at once, find
nothing left to claim. Under PostgreSQL's READ COMMITTED a row claimed by a concurrent sweep is re-checked
after its lock is released, fails `… IS NULL`, and is skipped. Claims, history and timeline entries commit
together; the digest emails go out after the commit.

Each sweep claims at most `batch` cases of each kind, oldest due first, so one run stays short even after an
outage left thousands of cases overdue: the next runs, a minute apart, take the rest.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from concierge.cases.choices import OPEN_STATUSES, CaseStatus, EventKind
from concierge.cases.models import Case, CaseEvent, DepartmentHead
from concierge.core.choices import ActivityKind
from concierge.core.models import Activity

# Owners are warned once when a resolution is due within this time.
DUE_SOON = dt.timedelta(hours=1)
# Cases claimed per kind (first response, resolution, due soon) and sweep.
BATCH = 2500
# Rows per INSERT of history and timeline entries.
CHUNK = 1000

WHAT = {"response": gettext_noop("first response"), "resolution": gettext_noop("resolution")}
EVENT_WITH_HEAD = gettext_noop("SLA breached (%(what)s); escalated to the department head")
EVENT_NO_HEAD = gettext_noop("SLA breached (%(what)s); no department head is set")
TIMELINE = gettext_noop("Case %(case)s: SLA breached (%(what)s), escalated")
DUE_SOON_EVENT = gettext_noop("Resolution due within the hour; owner reminded")


@dataclass
class SweepResult:
    response_breaches: int = 0
    resolution_breaches: int = 0
    due_soon: int = 0
    escalated: int = 0
    without_head: int = 0
    notified_heads: list[int] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return self.response_breaches + self.resolution_breaches + self.due_soon

    def as_dict(self) -> dict[str, Any]:
        return {
            "response_breaches": self.response_breaches, "resolution_breaches": self.resolution_breaches,
            "due_soon": self.due_soon, "escalated": self.escalated, "without_head": self.without_head,
        }


def _claim(candidates: QuerySet, assignments: dict[str, Any], still_null: str, *, batch: int) -> list[int]:
    """UPDATE up to `batch` candidate rows whose `still_null` column is still empty; return the ids claimed.

    Django's ORM cannot return the ids an UPDATE touched, and selecting them first would race with another
    sweep, so this is one portable UPDATE … RETURNING (PostgreSQL, SQLite ≥ 3.35).
    """
    table = connection.ops.quote_name(Case._meta.db_table)
    column = connection.ops.quote_name(Case._meta.get_field(still_null).column)
    sets = ", ".join(f"{connection.ops.quote_name(Case._meta.get_field(name).column)} = %s" for name in assignments)
    sub_sql, sub_params = candidates.values("pk")[:batch].query.sql_with_params()
    sql = f"UPDATE {table} SET {sets} WHERE {column} IS NULL AND id IN ({sub_sql}) RETURNING id"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*assignments.values(), *sub_params])
        return [row[0] for row in cursor.fetchall()]


def _heads() -> dict[tuple[int, str], int]:
    return {(h.property_id, h.department): h.user_id
            for h in DepartmentHead.objects.filter(user__is_active=True).only("property_id", "department", "user_id")}


def _escalate(ids: list[int], kind: str, now: dt.datetime, heads: dict[tuple[int, str], int],
              result: SweepResult, by_head: dict[int, list[tuple[int, str]]]) -> None:
    """History, timeline and escalated_to for cases just claimed as breached.

    Written row by row as `case_event`/`activity_log` would write them (a LocalizedText stored as message id +
    parameters, an English rendering in `summary`), but built from one template per kind and bulk-inserted.
    """
    what = {"t": WHAT[kind]}
    with translation.override("en"):
        timeline_en = gettext(TIMELINE)
        what_en = gettext(WHAT[kind])
    event_data = {
        True: {"sla": kind, "summary_i18n": {"msgid": EVENT_WITH_HEAD, "params": {"what": what}}},
        False: {"sla": kind, "summary_i18n": {"msgid": EVENT_NO_HEAD, "params": {"what": what}}},
    }
    for start in range(0, len(ids), CHUNK):
        rows = (Case.objects.filter(pk__in=ids[start:start + CHUNK])
                .values_list("pk", "property_id", "property__code", "department", "guest_id", "company_id"))
        per_head: dict[int, list[int]] = defaultdict(list)
        events, entries = [], []
        for pk, property_id, code, department, guest_id, company_id in rows:
            head_id = heads.get((property_id, department))
            if head_id is None:
                result.without_head += 1
            else:
                per_head[head_id].append(pk)
                by_head[head_id].append((pk, kind))
            events.append(CaseEvent(case_id=pk, kind=EventKind.ESCALATED, at=now, note=f"SLA {kind} breached",
                                    data={**event_data[head_id is not None], "head_id": head_id}))
            if guest_id or company_id:
                reference = f"{code}-{pk:06d}"
                entries.append(Activity(
                    kind=ActivityKind.NOTE, occurred_at=now, guest_id=guest_id, company_id=company_id,
                    property_id=property_id, summary=timeline_en % {"case": reference, "what": what_en},
                    data={"summary_i18n": {"msgid": TIMELINE, "params": {"case": reference, "what": what}},
                          "case_id": pk, "case": reference, "event": "sla_breach"},
                ))
        CaseEvent.objects.bulk_create(events)
        Activity.objects.bulk_create(entries)
        for head_id, case_ids in per_head.items():
            Case.objects.filter(pk__in=case_ids).update(escalated_to_id=head_id)
            result.escalated += len(case_ids)


@transaction.atomic
def sla_sweep(*, now: dt.datetime | None = None, batch: int = BATCH) -> SweepResult:
    """Find cases due soon and cases whose first-response or resolution time has passed; escalate each once."""
    from concierge.cases.services.notify import notify_due_soon, notify_escalations

    now = now or timezone.now()
    result = SweepResult()
    heads = _heads()
    by_head: dict[int, list[tuple[int, str]]] = defaultdict(list)

    open_cases = Case.objects.filter(status__in=OPEN_STATUSES)
    response_ids = _claim(
        open_cases.filter(first_responded_at__isnull=True, response_escalated_at__isnull=True,
                          first_response_due_at__lte=now).order_by("first_response_due_at"),
        {"response_breached": True, "response_escalated_at": now}, "response_escalated_at", batch=batch)
    result.response_breaches = len(response_ids)
    _escalate(response_ids, "response", now, heads, result, by_head)

    # "Waiting on guest" stops the resolution clock: those cases are not breached while they wait.
    resolution_ids = _claim(
        open_cases.exclude(status=CaseStatus.WAITING).filter(
            resolved_at__isnull=True, resolution_escalated_at__isnull=True, resolution_due_at__lte=now)
        .order_by("resolution_due_at"),
        {"resolution_breached": True, "resolution_escalated_at": now}, "resolution_escalated_at", batch=batch)
    result.resolution_breaches = len(resolution_ids)
    _escalate(resolution_ids, "resolution", now, heads, result, by_head)

    soon_ids = _claim(
        open_cases.exclude(status=CaseStatus.WAITING).filter(
            owner__isnull=False, resolved_at__isnull=True, due_soon_notified_at__isnull=True,
            resolution_due_at__gt=now, resolution_due_at__lte=now + DUE_SOON).order_by("resolution_due_at"),
        {"due_soon_notified_at": now}, "due_soon_notified_at", batch=batch)
    result.due_soon = len(soon_ids)
    by_owner: dict[int, list[int]] = defaultdict(list)
    soon_data = {"summary_i18n": {"msgid": DUE_SOON_EVENT, "params": {}}}
    for start in range(0, len(soon_ids), CHUNK):
        rows = Case.objects.filter(pk__in=soon_ids[start:start + CHUNK]).values_list("pk", "owner_id")
        events = []
        for pk, owner_id in rows:
            by_owner[owner_id].append(pk)
            events.append(CaseEvent(case_id=pk, kind=EventKind.DUE_SOON, at=now, note="Resolution due soon",
                                    data=soon_data))
        CaseEvent.objects.bulk_create(events)

    result.notified_heads = sorted(by_head)
    if by_head:
        transaction.on_commit(lambda: notify_escalations(dict(by_head)))
    if by_owner:
        transaction.on_commit(lambda: notify_due_soon(dict(by_owner)))
    return result
