"""Nightly retention: anonymise profiles inactive past PRIVACY_RETENTION_MONTHS (off when 0)."""
from __future__ import annotations

from celery import shared_task


@shared_task(name="concierge.privacy.tasks.retention_sweep")
def retention_sweep() -> int:
    from concierge.privacy.services import retention_sweep as sweep

    total = 0
    while True:  # batches of 500, each erasure its own transaction
        done = sweep(limit=500)
        total += done
        if done < 500:
            return total
