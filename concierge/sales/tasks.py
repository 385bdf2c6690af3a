"""Celery wrappers for account management (bodies live in services). Safe to run twice."""
from __future__ import annotations

from celery import shared_task

from concierge.sales.services import contact_reminders_create


@shared_task(name="concierge.sales.tasks.contact_reminders", acks_late=True)
def contact_reminders() -> dict[str, int]:
    """Nightly: visit reminders for accounts not contacted within their agreed contact frequency."""
    return contact_reminders_create()
