"""Celery wrappers for contracts (bodies live in services). Safe to run twice."""
from __future__ import annotations

from celery import shared_task

from concierge.contracts.services import contracts_daily_run


@shared_task(name="concierge.contracts.tasks.daily_run", acks_late=True)
def daily_run() -> dict[str, int]:
    """Daily: activate signed contracts on their start date, expire active ones after their end date, and create
    renewal reminders (worklist task + timeline entry) 60 and 30 days before expiry."""
    result = contracts_daily_run()
    return {"activated": result.activated, "expired": result.expired, "reminders": result.reminders}
