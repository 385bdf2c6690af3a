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
