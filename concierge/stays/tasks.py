"""Celery wrappers for stays work (bodies live in services)."""
from celery import shared_task

from concierge.stays.services import guest_statistics_refresh


@shared_task(name="concierge.stays.tasks.refresh_guest_statistics", acks_late=True)
def refresh_guest_statistics() -> int:
    """Nightly: recompute per-guest, per-property figures and revenue ranks."""
    return guest_statistics_refresh()
