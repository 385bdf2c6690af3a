"""Celery wrappers for surveys (bodies live in services). Every task is safe to run twice."""
from __future__ import annotations

from celery import shared_task

from concierge.surveys.services import account_manager_notify, invitations_send, surveys_dispatch


@shared_task(name="concierge.surveys.tasks.dispatch", acks_late=True)
def dispatch() -> dict[str, int]:
    """Every few minutes: create due post-stay and periodic invitations, queue everything waiting to be sent."""
    result = surveys_dispatch()
    return {"post_stay": result.post_stay, "runs": result.runs, "stale": result.stale, "queued": result.queued}


@shared_task(name="concierge.surveys.tasks.send_invitations", acks_late=True)
def send_invitations(invitation_ids: list[int]) -> dict[str, int]:
    """Mail one batch; rows are claimed first, so a redelivered batch sends nothing twice."""
    result = invitations_send(invitation_ids=invitation_ids)
    return {"claimed": result.claimed, "sent": result.sent, "skipped": result.skipped, "failed": result.failed}


@shared_task(name="concierge.surveys.tasks.notify_account_manager", acks_late=True)
def notify_account_manager(response_id: int) -> bool:
    return account_manager_notify(response_id=response_id)
