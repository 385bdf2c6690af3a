"""Celery wrappers for loyalty (bodies live in services). Every task is safe to run twice."""
from __future__ import annotations

from celery import shared_task

from concierge.loyalty.services import evaluate_tiers, points_expire, stays_reconcile


@shared_task(name="concierge.loyalty.tasks.reconcile_stays", acks_late=True)
def reconcile_stays() -> dict[str, int]:
    """Nightly: earn for checked-out stays the signal missed (bulk imports), reverse stays no longer checked out."""
    return stays_reconcile()


@shared_task(name="concierge.loyalty.tasks.expire_points", acks_late=True)
def expire_points() -> int:
    return points_expire()


@shared_task(name="concierge.loyalty.tasks.evaluate_tiers", acks_late=True)
def evaluate_tiers_nightly() -> dict[str, int]:
    result = evaluate_tiers()
    return {"upgrades": result.upgrades, "downgrades": result.downgrades, "grace_started": result.grace_started,
            "grace_cleared": result.grace_cleared}
