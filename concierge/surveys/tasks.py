"""Celery wrappers for surveys (bodies live in services). Every task is safe to run twice.

The sending tasks are `acks_late` + `reject_on_worker_lost`: a task whose worker died is delivered again (the
broker decides when: Redis after its visibility timeout). Correctness does not wait for that: a worker that starts
while rows are left `sending` schedules `release_stale` for when the dead worker's lease has run out.
"""
from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from concierge.surveys.services import (
    account_manager_notify,
    invitations_enqueue,
    invitations_release_stale,
    invitations_send,
    surveys_dispatch,
)


@shared_task(name="concierge.surveys.tasks.dispatch", acks_late=True, reject_on_worker_lost=True)
def dispatch() -> dict[str, int]:
    """Every few minutes: create due post-stay and periodic invitations, queue everything waiting to be sent."""
    result = surveys_dispatch()
    return {"post_stay": result.post_stay, "runs": result.runs, "stale": result.stale, "queued": result.queued}


@shared_task(name="concierge.surveys.tasks.send_invitations", acks_late=True, reject_on_worker_lost=True)
def send_invitations(invitation_ids: list[int]) -> dict[str, int]:
    """Mail one batch; rows are claimed first, so a redelivered batch sends nothing twice."""
    result = invitations_send(invitation_ids=invitation_ids)
    return {"claimed": result.claimed, "sent": result.sent, "skipped": result.skipped, "failed": result.failed}


@shared_task(name="concierge.surveys.tasks.release_stale", acks_late=True, reject_on_worker_lost=True)
def release_stale() -> dict[str, int]:
    """Take over the invitations of dead workers (lease run out) and queue everything waiting."""
    return {"released": invitations_release_stale(), "queued": invitations_enqueue()}


@shared_task(name="concierge.surveys.tasks.notify_account_manager", acks_late=True)
def notify_account_manager(response_id: int) -> bool:
    return account_manager_notify(response_id=response_id)


@worker_ready.connect
def _take_over_after_restart(**_kwargs: Any) -> None:
    """A worker starting while invitations are left `sending` (a killed worker) takes them over once the lease ran
    out, instead of waiting for the next dispatch. Nothing is scheduled when no row is `sending`."""
    from concierge.surveys.choices import InvitationStatus
    from concierge.surveys.models import Invitation
    from concierge.core.leases import claim_lease

    from django.db import connection

    try:
        if Invitation.objects.filter(status=InvitationStatus.SENDING).exists():
            release_stale.apply_async(countdown=claim_lease().total_seconds() + 1)
    finally:
        connection.close()  # the worker's main process keeps no connection (pool processes open their own)
