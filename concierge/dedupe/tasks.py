"""Celery wrapper for the duplicate finder (the body is `services.duplicates_find`)."""
from typing import Any

from celery import shared_task

from concierge.dedupe.services import duplicates_find, finder_run_execute


@shared_task(name="concierge.dedupe.tasks.find_duplicates", acks_late=True)
def find_duplicates(run_id: int | None = None) -> dict[str, Any]:
    """Refresh the duplicate review queue. Idempotent, so a redelivered task is harmless.

    With `run_id` (a run queued from the web) the progress and the summary are written to that FinderRun.
    """
    if run_id is not None:
        return finder_run_execute(run_id=run_id)
    return duplicates_find().as_dict()
