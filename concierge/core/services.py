"""Timeline and audit writes shared by every app."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from concierge.core.choices import AuditAction
from concierge.core.i18n import LocalizedText
from concierge.core.models import Activity, AuditEvent


def activity_log(
    *,
    actor: Any,
    kind: str,
    summary: str | LocalizedText,
    guest: Any = None,
    company: Any = None,
    property: Any = None,  # noqa: A002 - the hotel, named as everywhere else
    body: str = "",
    data: dict[str, Any] | None = None,
    occurred_at: dt.datetime | None = None,
) -> Activity:
    """Write one timeline entry for a guest and/or a company.

    A LocalizedText summary is stored as its message id + parameters and shown in each reader's
    language; the `summary` column keeps an English rendering for exports and search.
    """
    data = dict(data or {})
    if isinstance(summary, LocalizedText):
        data["summary_i18n"] = summary.as_data()
        summary = summary.render_in("en")
    return Activity.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        summary=summary[:300],
        guest=guest,
        company=company,
        property=property,
        body=body,
        data=data,
        occurred_at=occurred_at or timezone.now(),
    )


def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    guest: Any = None,
    company: Any = None,
    field: str = "",
    detail: str = "",
    ip_address: str | None = None,
) -> AuditEvent:
    """Record a read of sensitive data (view, reveal, export)."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        guest=guest,
        company=company,
        field=field,
        detail=detail[:300],
        ip_address=ip_address,
    )
