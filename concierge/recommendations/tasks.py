"""Celery wrappers for recommendations (bodies live in services). Safe to run twice: a refresh replaces a scope."""
from __future__ import annotations

from celery import shared_task

from concierge.recommendations.services import product_rules_refresh_all


@shared_task(name="concierge.recommendations.tasks.refresh_product_rules", acks_late=True)
def refresh_product_rules() -> dict[str, int]:
    """Nightly: re-mine product association rules for each configured scope."""
    return {run.basket: run.rules for run in product_rules_refresh_all()}
