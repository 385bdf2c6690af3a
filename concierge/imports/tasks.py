"""Celery wrappers for imports (bodies live in services)."""
from typing import Any

from celery import shared_task

from concierge.imports.services import import_batch_execute, import_batches_purge


@shared_task(name="concierge.imports.tasks.run_import_batch", acks_late=True)
def run_import_batch(batch_id: int) -> dict[str, Any] | None:
    """Run a queued import. Idempotent: the batch is claimed with a conditional UPDATE, so a redelivered
    task finds it no longer queued and does nothing."""
    summary = import_batch_execute(batch_id=batch_id)
    return summary.as_dict(limit=20) if summary else None


@shared_task(name="concierge.imports.tasks.purge_stale_uploads", acks_late=True)
def purge_stale_uploads() -> int:
    """Delete uploaded files of imports nobody ran (they hold personal data)."""
    return import_batches_purge()
