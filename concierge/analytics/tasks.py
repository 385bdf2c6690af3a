"""Celery wrappers for customer value (bodies live in services). Safe to run twice: the refresh rebuilds."""
from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="concierge.analytics.tasks.refresh_customer_value", acks_late=True)
def refresh_customer_value(property_id: int | None = None, requested_by_id: int | None = None) -> dict[str, Any]:
    """Nightly (and on "refresh now"): rebuild the customer-value table for every scope, or one property."""
    from concierge.accounts.models import User
    from concierge.analytics.services import refresh_customer_value as refresh

    requested_by = User.objects.filter(pk=requested_by_id).first() if requested_by_id else None
    return refresh(property=property_id, all_scopes=property_id is None, requested_by=requested_by)
