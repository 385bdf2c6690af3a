"""Celery wrappers for attribution (bodies live in services)."""
from typing import Any

from celery import shared_task

from concierge.attribution.services import attribution_refresh, lead_import_execute, lead_uploads_purge


@shared_task(name="concierge.attribution.tasks.run_lead_import", acks_late=True)
def run_lead_import(lead_import_id: int) -> int | None:
    """Run a queued lead import. Idempotent: the import is claimed with a conditional UPDATE."""
    result = lead_import_execute(lead_import_id=lead_import_id)
    return result.pk if result else None


@shared_task(name="concierge.attribution.tasks.refresh_attribution", acks_late=True)
def refresh_attribution() -> dict[str, Any]:
    """Rebuild the attribution tables (nightly, after a lead import, and from the "refresh now" button).
    Idempotent: a full rebuild in one transaction. Also deletes refused lead files older than a week."""
    lead_uploads_purge()
    return attribution_refresh()
