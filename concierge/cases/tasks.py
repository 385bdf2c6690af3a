"""Celery tasks of the service centre: thin wrappers around services."""
from __future__ import annotations

from typing import Any

from celery import shared_task

from concierge.cases.services.sweep import sla_sweep as sla_sweep_service


@shared_task(acks_late=True, ignore_result=True)
def sla_sweep() -> dict[str, Any]:
    """Every minute (CELERY_BEAT_SCHEDULE): warn owners of cases due soon, escalate breached cases once."""
    return sla_sweep_service().as_dict()
