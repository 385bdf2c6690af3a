"""Helpers shared by the service-centre services: case history, timeline entries, row locks, rules."""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.cases.models import Case, CaseEvent
from concierge.core.choices import ActivityKind
from concierge.core.i18n import LocalizedText
from concierge.core.models import Activity
from concierge.core.services import activity_log


def actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def case_event(
    case: Case, *, kind: str, actor: Any, note: str = "", text: LocalizedText | None = None, from_status: str = "",
    to_status: str = "", data: dict[str, Any] | None = None, at: dt.datetime | None = None,
) -> CaseEvent:
    """One entry of the case history. System text (`text`) is stored to render in each reader's language."""
    payload = dict(data or {})
    if text is not None:
        payload["summary_i18n"] = text.as_data()
        note = note or text.render_in("en")
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor_or_none(actor), note=note, data=payload,
                                    from_status=from_status, to_status=to_status, at=at or timezone.now())


def case_timeline(
    case: Case, *, actor: Any, text: LocalizedText, kind: str = ActivityKind.NOTE, event: str, body: str = "",
    data: dict[str, Any] | None = None,
) -> Activity | None:
    """Put a change of the case on the guest's and company's timeline (nothing when it has neither)."""
    if not (case.guest_id or case.company_id):
        return None
    return activity_log(
        actor=actor, kind=kind, summary=text, guest=case.guest if case.guest_id else None,
        company=case.company if case.company_id else None, property=case.property, body=body,
        data={"case_id": case.pk, "case": case.reference, "event": event, **(data or {})},
    )


def lock_case(case: Case) -> Case:
    """Re-read the case under a row lock: workflow decisions are taken on the committed state."""
    return Case.objects.select_for_update(of=("self",)).select_related(
        "property", "guest", "company", "owner").get(pk=case.pk)


def require_works_at(user: Any, property_: Any, *, field: str = "owner") -> None:
    """Owners and heads must work at the case's property, or they could not even open the case."""
    if user is None:
        return
    ids = user.property_ids() if hasattr(user, "property_ids") else []
    if not user.is_active or (ids is not None and property_.pk not in ids):
        raise field_error(field, _("%(user)s does not work at %(property)s.") % {"user": user, "property": property_},
                          "wrong_property")


def local_date(moment: dt.datetime, property_: Any) -> dt.date:
    """The date of `moment` in the property's time zone (what the guest and the hotel call "that day")."""
    return moment.astimezone(ZoneInfo(property_.timezone or "UTC")).date()


def field_error(field: str, message: str, code: str) -> ValidationError:
    """A ValidationError on one field with a stable code (the API reports it as {code, detail, attr})."""
    return ValidationError({field: [ValidationError(message, code=code)]})
