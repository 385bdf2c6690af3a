"""Celery entry points (thin wrappers around services)."""
from __future__ import annotations

from typing import Any

from celery import shared_task

from concierge.journeys.services import journeys_evaluate


@shared_task(acks_late=True)
def evaluate_journeys(journey_ids: list[int] | None = None) -> dict[str, Any]:
    """Enrol for every enabled journey, then advance due runs (beat: every 10 minutes; "run now" for one)."""
    return journeys_evaluate(journey_ids=journey_ids).as_dict()
