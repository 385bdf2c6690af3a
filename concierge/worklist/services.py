"""Creating and closing tasks (the one entry point other modules call)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from concierge.worklist.models import Task, TaskStatus


def task_create(*, title: str, assignee: Any = None, due_on: dt.date | None = None, guest: Any = None,
                company: Any = None, property: Any = None, kind: str = "follow_up", notes: str = "",  # noqa: A002
                source: str = "", source_id: int | None = None, dedupe_key: str = "",
                created_by: Any = None) -> tuple[Task, bool]:
    """Create a task; with a `dedupe_key`, a second call returns the existing task. Returns (task, created)."""
    if dedupe_key:
        existing = Task.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing, False
    task = Task(title=title[:300], assignee=assignee, due_on=due_on, guest=guest, company=company,
                property=property, kind=kind, notes=notes, source=source, source_id=source_id,
                dedupe_key=dedupe_key, created_by=created_by)
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError:
        if not dedupe_key:
            raise
        return Task.objects.get(dedupe_key=dedupe_key), False  # lost a race: the other call created it
    return task, True


def task_complete(*, task: Task, actor: Any) -> Task:
    if task.status == TaskStatus.OPEN:
        task.status = TaskStatus.DONE
        task.done_at = timezone.now()
        task.done_by = actor
        task.save(update_fields=["status", "done_at", "done_by"])
    return task


def task_reassign(*, task: Task, assignee: Any, actor: Any) -> Task:
    """Give an open task to a colleague (active users only)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if task.status != TaskStatus.OPEN:
        raise ValidationError({"assignee": [_("Only open tasks can be reassigned.")]})
    if assignee is None or not assignee.is_active:
        raise ValidationError({"assignee": [_("Choose an active colleague.")]})
    if task.assignee_id != assignee.pk:
        previous = task.assignee
        task.assignee = assignee
        note = _("Reassigned from %(old)s to %(new)s by %(actor)s on %(date)s.") % {
            "old": previous or "—", "new": assignee, "actor": actor, "date": timezone.localdate().isoformat()}
        task.notes = f"{task.notes}\n{note}".strip()
        task.save(update_fields=["assignee", "notes"])
    return task


def task_cancel(*, task: Task, actor: Any) -> Task:
    if task.status == TaskStatus.OPEN:
        task.status = TaskStatus.CANCELLED
        task.done_at = timezone.now()
        task.done_by = actor
        task.save(update_fields=["status", "done_at", "done_by"])
    return task


# --- calendar feed ------------------------------------------------------------------------------------------------


def calendar_feed_issue(*, user: Any) -> Any:
    """Revoke the user's current feed URL (if any) and issue a new secret token."""
    import secrets

    from concierge.worklist.models import CalendarFeed

    with transaction.atomic():
        CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        return CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))


def calendar_feed_revoke(*, user: Any) -> int:
    from concierge.worklist.models import CalendarFeed

    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
