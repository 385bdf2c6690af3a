"""Claims with a lease, shared by the two batch senders (the messaging outbox and the survey invitations).

A batch claims its rows with a random claim id and `claimed_at`; while it works it renews `claimed_at` (a heartbeat)
every quarter of the lease. A claim older than the lease belongs to a dead worker and is taken over by the sender's
release function. The mail connection times out well inside the lease, so a hung SMTP server cannot keep a message
in flight while another worker takes it over.
"""
from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone


def claim_lease() -> dt.timedelta:
    """How long a claim outlives its last heartbeat (`OUTBOX_CLAIM_LEASE_SECONDS`, default 120 s)."""
    return dt.timedelta(seconds=float(getattr(settings, "OUTBOX_CLAIM_LEASE_SECONDS", 120)))


def mail_connection() -> Any:
    """A batch's mail connection; for SMTP without EMAIL_TIMEOUT, a timeout of a third of the lease."""
    from django.core.mail import get_connection

    options: dict[str, Any] = {}
    if settings.EMAIL_BACKEND.endswith("smtp.EmailBackend") and getattr(settings, "EMAIL_TIMEOUT", None) is None:
        options["timeout"] = max(1.0, claim_lease().total_seconds() / 3)
    return get_connection(**options)


class ClaimHeartbeat:
    """Renews `claimed_at` of `held` (the rows a batch still holds, re-read on each beat) at most every quarter of
    the lease, so that only a dead worker's claims ever look stale."""

    def __init__(self, held: QuerySet) -> None:
        self.held, self.every, self.last = held, claim_lease().total_seconds() / 4, time.monotonic()

    def beat(self) -> None:
        if time.monotonic() - self.last >= self.every:
            self.held.update(claimed_at=timezone.now())
            self.last = time.monotonic()
