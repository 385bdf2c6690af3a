"""Celery wrappers for messaging (bodies live in services). Every task is safe to run twice.

`send_queued` is `acks_late` + `reject_on_worker_lost`: a task whose worker died is delivered again (the broker
decides when). Correctness does not wait for that: the task first takes over the claims of dead workers
(`messages_release_stale`), and a worker that starts while rows are left `sending` schedules it for when the
dead worker's lease has run out.
"""
from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from concierge.core.leases import claim_lease
from concierge.messaging.services import messages_release_stale, send_queued as send_queued_service


@shared_task(name="concierge.messaging.tasks.send_queued", acks_late=True, reject_on_worker_lost=True)
def send_queued() -> dict[str, int]:
    """Every minute: send one throttled batch of due queued messages (quiet hours over, retries due, deferred)."""
    messages_release_stale()
    result = send_queued_service()
    return {"claimed": result.claimed, "sent": result.sent, "suppressed": result.suppressed,
            "deferred": result.deferred, "failed": result.failed}


@worker_ready.connect
def _take_over_after_restart(**_kwargs: Any) -> None:
    """A worker starting while outbox rows are left `sending` (a killed worker) sends them once the lease ran out,
    instead of waiting for the next minute's beat. Nothing is scheduled when no row is `sending`."""
    from django.db import connection

    from concierge.messaging.choices import MessageStatus
    from concierge.messaging.models import Message

    try:
        if Message.objects.filter(status=MessageStatus.SENDING).exists():
            send_queued.apply_async(countdown=claim_lease().total_seconds() + 1)
    finally:
        connection.close()  # the worker's main process keeps no connection (pool processes open their own)
