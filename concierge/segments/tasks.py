"""Background jobs of the segments module (thin wrappers around services)."""
from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def recount_segments() -> int:
    """Refresh `last_count` of every segment as its creator sees it (idempotent: a plain recount)."""
    from concierge.segments.models import Segment
    from concierge.segments.services import segment_recount

    done = 0
    for segment in Segment.objects.select_related("created_by").filter(created_by__isnull=False).iterator():
        segment_recount(actor=segment.created_by, segment=segment)
        done += 1
    return done
