"""Celery wrappers for messaging (bodies live in services). Every task is safe to run twice."""
from __future__ import annotations

from celery import shared_task

from concierge.messaging.services import messages_release_stale, send_queued as send_queued_service


@shared_task(name="concierge.messaging.tasks.send_queued", acks_late=True)
def send_queued() -> dict[str, int]:
    """Every minute: send one throttled batch of due queued messages (quiet hours over, retries due, deferred)."""
    messages_release_stale()
    result = send_queued_service()
    return {"claimed": result.claimed, "sent": result.sent, "suppressed": result.suppressed,
            "deferred": result.deferred, "failed": result.failed}
