"""The finder as an admin drives it from the web: queue a run, execute it in the worker, set the thresholds."""
from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.dedupe.choices import FinderRunStatus
from concierge.dedupe.models import DedupeSettings, FinderRun
from concierge.dedupe.services.finder import duplicates_find

# Progress is written at most this often (seconds): enough for a progress bar, cheap for the database.
PROGRESS_EVERY = 1.0


def finder_run_queue(*, actor: Any) -> FinderRun:
    """Record a finder run and hand it to the worker once the row is committed.

    Refused while another run is queued or running. Two admins clicking at the same moment may both get a
    run; that is harmless, because the finder is idempotent (the second run finds the queue up to date).
    """
    from concierge.dedupe.tasks import find_duplicates  # the task module imports the services

    with transaction.atomic():
        latest = FinderRun.objects.order_by("-queued_at", "-id").first()
        if latest is not None and latest.is_active:
            raise ValidationError(_("The duplicate finder is already running."), code="finder_running")
        run = FinderRun.objects.create(requested_by=actor if getattr(actor, "pk", None) else None)
        transaction.on_commit(lambda: find_duplicates.delay(run_id=run.pk))
    return run


def finder_run_execute(*, run_id: int) -> dict[str, Any]:
    """Run the finder for a queued run, writing its progress and summary to the row (the worker's side).

    The run is claimed with a conditional UPDATE (queued → running), so a redelivered task does nothing.
    """
    now = timezone.now()
    claimed = FinderRun.objects.filter(pk=run_id, status=FinderRunStatus.QUEUED).update(
        status=FinderRunStatus.RUNNING, started_at=now, updated_at=now)
    if not claimed:
        return {}
    last = {"stage": "", "at": 0.0}

    def progress(stage: str, done: int, total: int) -> None:
        tick = time.monotonic()
        if stage == last["stage"] and tick - last["at"] < PROGRESS_EVERY and done < total:
            return
        last.update(stage=stage, at=tick)
        FinderRun.objects.filter(pk=run_id).update(stage=stage[:10], done=max(done, 0), total=max(total, 0),
                                                   updated_at=timezone.now())

    try:
        result = duplicates_find(progress=progress).as_dict()
    except Exception as exc:
        FinderRun.objects.filter(pk=run_id).update(
            status=FinderRunStatus.FAILED, error=str(exc)[:500] or exc.__class__.__name__,
            finished_at=timezone.now(), updated_at=timezone.now())
        raise
    FinderRun.objects.filter(pk=run_id).update(
        status=FinderRunStatus.FINISHED, result=result, finished_at=timezone.now(), updated_at=timezone.now())
    return result


def dedupe_settings_update(
    *, actor: Any, review_threshold: Decimal, auto_merge_threshold: Decimal | None, max_block_size: int,
) -> DedupeSettings:
    """Change the thresholds (admins). The model's constraints keep auto-merge at or above review."""
    config = DedupeSettings.load()
    config.review_threshold = review_threshold
    config.auto_merge_threshold = auto_merge_threshold
    config.max_block_size = max_block_size
    config.full_clean(exclude=["population"])
    config.save()
    return config
