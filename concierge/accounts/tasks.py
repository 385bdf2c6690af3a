"""Celery wrappers for staff administration (bodies live in concierge.accounts.staff). Safe to run twice."""
from __future__ import annotations

from celery import shared_task


@shared_task(name="concierge.accounts.tasks.run_staff_deactivation", acks_late=True)
def run_staff_deactivation(job_id: int) -> str | None:
    """Run a queued staff deactivation (claimed once; a redelivered task finds it no longer queued)."""
    from concierge.accounts.staff import deactivation_execute

    job = deactivation_execute(job_id=job_id)
    return job.status if job else None
