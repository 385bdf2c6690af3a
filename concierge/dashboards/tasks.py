"""Celery wrappers for the dashboards (bodies in services). Safe to run twice: each refresh rebuilds its years."""
from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from concierge.dashboards.services import dashboards_refresh


@shared_task(name="concierge.dashboards.tasks.refresh_dashboards", acks_late=True)
def refresh_dashboards(current_year_only: bool = False) -> dict[str, int]:
    """Nightly: this year and last year. Hourly (`current_year_only`): this year, so today's figures show."""
    years = [timezone.localdate().year] if current_year_only else None
    result = dashboards_refresh(years=years)
    return {"period_rows": result.period_rows, "flow_rows": result.flow_rows, "top_rows": result.top_rows,
            "nps_rows": result.nps_rows, "duration_ms": result.duration_ms}
