"""Celery wrapper for the duplicate finder (the body is `services.duplicates_find`)."""
from typing import Any

from celery import shared_task

from concierge.dedupe.services import duplicates_find


@shared_task(name="concierge.dedupe.tasks.find_duplicates", acks_late=True)
def find_duplicates() -> dict[str, Any]:
    """Refresh the duplicate review queue. Idempotent, so a redelivered task is harmless."""
    return duplicates_find().as_dict()
