"""Celery wrappers for customer value (bodies live in services). Safe to run twice: the refresh rebuilds."""
from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="concierge.analytics.tasks.refresh_customer_value", acks_late=True)
def refresh_customer_value(property_id: int | None = None, requested_by_id: int | None = None) -> dict[str, Any]:
    """Nightly (and on "refresh now"): rebuild the customer-value table for every scope, or one property; a
    full refresh then rebuilds the breakdown figures (`BreakdownFigure`) too."""
    from concierge.accounts.models import User
    from concierge.analytics.services import refresh_breakdowns, refresh_customer_value as refresh

    requested_by = User.objects.filter(pk=requested_by_id).first() if requested_by_id else None
    result = refresh(property=property_id, all_scopes=property_id is None, requested_by=requested_by)
    if property_id is None:  # a full refresh also rebuilds the region / province / industry figures
        result["breakdowns"] = refresh_breakdowns()
    return result
