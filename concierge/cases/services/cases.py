"""Case workflow: open, edit, assign, move through the statuses, respond, resolve, reopen, escalate.

Every function locks the case row before deciding (two agents clicking at once get a clear error, not a
lost update), writes one CaseEvent for the case history and one timeline entry for the guest/company.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.cases.choices import (
    DONE_STATUSES,
    TRANSITIONS,
    CaseChannel,
    CaseStatus,
    CaseType,
    CompensationType,
    Department,
    EventKind,
    GuestToldVia,
    Priority,
    ResponseChannel,
    Severity,
)
from concierge.cases.models import Case, DepartmentHead, RootCause
from concierge.cases.services.common import case_event, case_timeline, field_error, lock_case, require_works_at
from concierge.cases.sla import BusinessCalendar, sla_policy_for
from concierge.core.choices import ActivityKind
from concierge.core.i18n import LocalizedText

CASE_EDITABLE_FIELDS = (
    "subject", "description", "case_type", "priority", "severity", "department", "channel", "guest", "company",
    "stay",
)
RESPONSE_ACTIVITY = {
    ResponseChannel.PHONE: ActivityKind.CALL, ResponseChannel.EMAIL: ActivityKind.EMAIL,
    ResponseChannel.IN_PERSON: ActivityKind.VISIT, ResponseChannel.WECHAT: ActivityKind.MESSAGE,
}


def _status_label(status: str) -> Any:
    return CaseStatus(status).label


def _illegal(case: Case, to_status: str) -> ValidationError:
    return ValidationError(
        {"status": [ValidationError(
            _("A case cannot go from “%(from)s” to “%(to)s”. Allowed next: %(allowed)s."),
            code="illegal_transition",
            params={"from": _status_label(case.status), "to": _status_label(to_status),
                    "allowed": ", ".join(str(_status_label(s)) for s in TRANSITIONS.get(case.status, ())) or "—"},
        )]}
    )


def _check_links(*, property_: Any, guest: Any, company: Any, stay: Any) -> None:
    if stay is not None:
        if stay.property_id != property_.pk:
            raise field_error("stay", _("That stay is at another property."), "stay_property")
        if guest is not None and stay.guest_id not in (None, guest.pk):
            raise field_error("stay", _("That stay belongs to another guest."), "stay_guest")


def _apply_sla(case: Case, *, start: dt.datetime, response: bool = True, resolution: bool = True) -> None:
    """Set the due times from the policy for the case's type and priority, counted in business hours."""
    policy = sla_policy_for(property_=case.property, case_type=case.case_type, priority=case.priority)
    case.sla_policy = policy
    if policy is None:
        if response:
            case.first_response_due_at = None
        if resolution:
            case.resolution_due_at = None
        return
    calendar = BusinessCalendar.for_property(case.property)
    if response and case.first_responded_at is None:
        case.first_response_due_at = calendar.add_minutes(start, policy.first_response_minutes)
    if resolution:
        case.resolution_due_at = calendar.add_minutes(start, policy.resolution_minutes)


def _mark_first_response(case: Case, now: dt.datetime) -> None:
    if case.first_responded_at is not None:
        return
    case.first_responded_at = now
    case.first_response_minutes = BusinessCalendar.for_property(case.property).minutes_between(case.created_at, now)
    if case.first_response_due_at and now > case.first_response_due_at:
        case.response_breached = True


def _resume_clock(case: Case, now: dt.datetime) -> None:
    """Leaving "waiting on guest": the resolution clock was stopped, so its due time moves by the pause."""
    if case.waiting_since is None:
        return
    paused = BusinessCalendar.for_property(case.property).minutes_between(case.waiting_since, now)
    case.paused_minutes += paused
    if case.resolution_due_at and paused:
        case.resolution_due_at = BusinessCalendar.for_property(case.property).add_minutes(
            case.resolution_due_at, paused)
    case.waiting_since = None


@transaction.atomic
def case_create(
    *,
    actor: Any,
    property: Any,  # noqa: A002 - the hotel, named as everywhere else
    subject: str,
    case_type: str = CaseType.COMPLAINT,
    priority: str = Priority.NORMAL,
    severity: str = Severity.MODERATE,
    department: str = Department.FRONT_OFFICE,
    channel: str = CaseChannel.PHONE,
    description: str = "",
    guest: Any = None,
    company: Any = None,
    stay: Any = None,
    owner: Any = None,
    opened_at: dt.datetime | None = None,
) -> Case:
    """Open a case at `property`; due times come from the SLA policy and the property's business hours."""
    if not (subject or "").strip():
        raise field_error("subject", _("Say in a few words what the case is about."), "required")
    if property is None:  # a group-wide user who named neither a property nor a stay: a 400, not a 500
        raise field_error("property", _("Choose the property the case belongs to."), "required")
    if stay is not None and guest is None and stay.guest_id:
        guest = stay.guest
    _check_links(property_=property, guest=guest, company=company, stay=stay)
    require_works_at(owner, property)
    now = opened_at or timezone.now()
    case = Case(
        property=property, subject=subject.strip(), case_type=case_type, priority=priority, severity=severity,
        department=department, channel=channel, description=(description or "").strip(), guest=guest,
        company=company, stay=stay, owner=owner, created_by=actor if getattr(actor, "pk", None) else None,
        created_at=now, status=CaseStatus.ASSIGNED if owner else CaseStatus.NEW,
        compensation_currency=getattr(property, "currency", "CNY") or "CNY",
    )
    case.full_clean(exclude=["property", "guest", "company", "stay", "owner", "created_by", "sla_policy",
                             "root_cause", "escalated_to", "next_stay_alert", "kb_article"])
    _apply_sla(case, start=now)
    case.save()
    case_event(case, kind=EventKind.CREATED, actor=actor, to_status=case.status, at=now)
    case_timeline(case, actor=actor, event="created", text=LocalizedText(
        gettext_noop("Case %(case)s opened (%(type)s): %(subject)s"),
        {"case": case.reference, "type": CaseType(case.case_type).label, "subject": case.subject}))
    if owner is not None:
        case_event(case, kind=EventKind.ASSIGNED, actor=actor, data={"owner_id": owner.pk}, at=now,
                   text=LocalizedText(gettext_noop("Assigned to %(owner)s"), {"owner": str(owner)}))
    return case


@transaction.atomic
def case_update(*, actor: Any, case: Case, **values: Any) -> Case:
    """Change the description fields; a new type or priority recomputes the due times from when it was opened."""
    unknown = set(values) - set(CASE_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    case = lock_case(case)
    changed = [name for name, value in values.items() if getattr(case, name) != value]
    if not changed:
        return case
    for name in changed:
        setattr(case, name, values[name])
    if "subject" in changed and not case.subject.strip():
        raise field_error("subject", _("Say in a few words what the case is about."), "required")
    _check_links(property_=case.property, guest=case.guest, company=case.company, stay=case.stay)
    case.full_clean(exclude=["property", "guest", "company", "stay", "owner", "created_by", "sla_policy",
                             "root_cause", "escalated_to", "next_stay_alert", "kb_article"])
    if {"case_type", "priority"} & set(changed) and case.is_open:
        _apply_sla(case, start=case.created_at)
    case.save()
    labels = [str(Case._meta.get_field(name).verbose_name) for name in changed]
    case_event(case, kind=EventKind.UPDATED, actor=actor, data={"fields": changed}, note=", ".join(labels))
    case_timeline(case, actor=actor, event="updated", text=LocalizedText(
        gettext_noop("Case %(case)s updated: %(fields)s"), {"case": case.reference, "fields": ", ".join(changed)}))
    return case


@transaction.atomic
def case_assign(*, actor: Any, case: Case, owner: Any) -> Case:
    """Give the case to `owner` (someone working at its property); a new case becomes "assigned"."""
    case = lock_case(case)
    if case.status in DONE_STATUSES:
        raise field_error("owner", _("Reopen the case before assigning it."), "case_done")
    require_works_at(owner, case.property)
    if case.owner_id == owner.pk:
        return case
    case.owner = owner
    previous = case.status
    if case.status == CaseStatus.NEW:
        case.status = CaseStatus.ASSIGNED
    case.save()
    case_event(case, kind=EventKind.ASSIGNED, actor=actor, from_status=previous, to_status=case.status,
               data={"owner_id": owner.pk},
               text=LocalizedText(gettext_noop("Assigned to %(owner)s"), {"owner": str(owner)}))
    case_timeline(case, actor=actor, event="assigned", text=LocalizedText(
        gettext_noop("Case %(case)s assigned to %(owner)s"), {"case": case.reference, "owner": str(owner)}))
    if owner.pk != getattr(actor, "pk", None):
        from concierge.cases.services.notify import notify_assigned

        transaction.on_commit(lambda: notify_assigned(case_id=case.pk, owner_id=owner.pk))
    return case


@transaction.atomic
def case_transition(*, actor: Any, case: Case, status: str, note: str = "") -> Case:
    """Move the case along the workflow (see choices.TRANSITIONS); anything else is refused with the reason."""
    case = lock_case(case)
    if status not in CaseStatus.values:
        raise field_error("status", _("Unknown status."), "invalid_choice")
    if status == case.status:
        raise ValidationError({"status": [ValidationError(_("The case is already “%(status)s”."),
                                                          code="same_status",
                                                          params={"status": _status_label(status)})]})
    if status not in TRANSITIONS.get(case.status, ()):
        raise _illegal(case, status)
    if status == CaseStatus.RESOLVED:
        raise ValidationError({"status": [ValidationError(
            _("Resolve the case with “Resolve”: it needs the resolution and, for complaints, the root cause."),
            code="resolve_needs_resolution")]})
    if case.status in DONE_STATUSES and status == CaseStatus.IN_PROGRESS:
        raise ValidationError({"status": [ValidationError(
            _("Reopen the case with “Reopen” and say why."), code="use_reopen")]})
    if status == CaseStatus.ASSIGNED and case.owner_id is None:
        raise ValidationError({"status": [ValidationError(_("Choose an owner to assign the case to."),
                                                          code="owner_required")]})
    now = timezone.now()
    previous = case.status
    if previous == CaseStatus.WAITING:
        _resume_clock(case, now)
    if status in (CaseStatus.IN_PROGRESS, CaseStatus.WAITING):
        _mark_first_response(case, now)
        if case.owner_id is None and getattr(actor, "pk", None):
            case.owner = actor
    if status == CaseStatus.WAITING:
        case.waiting_since = now
    if status == CaseStatus.CLOSED:
        case.closed_at = now
    case.status = status
    case.save()
    case_event(case, kind=EventKind.STATUS, actor=actor, from_status=previous, to_status=status, note=note, at=now)
    case_timeline(case, actor=actor, event="status", body=note, text=LocalizedText(
        gettext_noop("Case %(case)s: %(from)s → %(to)s"),
        {"case": case.reference, "from": _status_label(previous), "to": _status_label(status)}))
    return case


@transaction.atomic
def case_respond(*, actor: Any, case: Case, note: str, channel: str = ResponseChannel.PHONE) -> Case:
    """Log a response to the guest (call, email, visit, message): starts the work and stops the response clock."""
    if not (note or "").strip():
        raise field_error("note", _("Write what you told the guest."), "required")
    if channel not in ResponseChannel.values:
        raise field_error("channel", _("Unknown channel."), "invalid_choice")
    case = lock_case(case)
    if case.status in DONE_STATUSES:
        raise field_error("note", _("The case is resolved; reopen it to continue."), "case_done")
    now = timezone.now()
    previous = case.status
    _mark_first_response(case, now)
    if case.owner_id is None and getattr(actor, "pk", None):
        case.owner = actor
    if previous == CaseStatus.WAITING:
        _resume_clock(case, now)
    if previous in (CaseStatus.NEW, CaseStatus.ASSIGNED, CaseStatus.WAITING):
        case.status = CaseStatus.IN_PROGRESS
    case.save()
    case_event(case, kind=EventKind.RESPONSE, actor=actor, note=note.strip(), from_status=previous,
               to_status=case.status, data={"channel": channel}, at=now)
    case_timeline(case, actor=actor, kind=RESPONSE_ACTIVITY[channel], event="response", body=note.strip(),
                  text=LocalizedText(gettext_noop("Case %(case)s: responded to the guest (%(channel)s)"),
                                     {"case": case.reference, "channel": ResponseChannel(channel).label}))
    return case


@transaction.atomic
def case_note(*, actor: Any, case: Case, note: str) -> Case:
    """An internal note on the case history (not shown to the guest, not on the timeline)."""
    if not (note or "").strip():
        raise field_error("note", _("Write a note."), "required")
    case_event(case, kind=EventKind.NOTE, actor=actor, note=note.strip())
    return case


@transaction.atomic
def case_resolve(
    *,
    actor: Any,
    case: Case,
    resolution: str,
    root_cause: RootCause | None = None,
    compensation_type: str = CompensationType.NONE,
    compensation_amount: Decimal | None = None,
    guest_told_via: str | None = None,
    guest_message: str = "",
    alert_text: str = "",
) -> Case:
    """Resolve the case. For a complaint this runs the whole closed loop (services.loop.complaint_loop_close):
    the guest is told, the account manager notified, an alert is placed for the next stay and a follow-up
    survey sent, each step recorded on the case and on the timeline."""
    from concierge.cases.services.loop import complaint_loop_close

    case = lock_case(case)
    if CaseStatus.RESOLVED not in TRANSITIONS.get(case.status, ()):
        raise _illegal(case, CaseStatus.RESOLVED)
    errors: dict[str, list[ValidationError]] = {}

    def error(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    if not (resolution or "").strip():
        error("resolution", _("Write how the case was resolved."), "required")
    if case.case_type == CaseType.COMPLAINT and root_cause is None:
        error("root_cause", _("Choose the root cause of the complaint."), "required")
    amount = Decimal(compensation_amount or 0)
    if amount < 0:
        error("compensation_amount", _("Compensation cannot be negative."), "min_value")
    if amount and not compensation_type:
        error("compensation_type", _("Say what kind of compensation the amount is."), "required")
    if compensation_type and compensation_type not in CompensationType.values:
        error("compensation_type", _("Unknown compensation type."), "invalid_choice")
    if guest_told_via is None:
        guest_told_via = GuestToldVia.EMAIL if case.guest_id and case.guest.email else GuestToldVia.NOT_TOLD
    if guest_told_via not in GuestToldVia.values:
        error("guest_told_via", _("Unknown choice."), "invalid_choice")
    elif guest_told_via == GuestToldVia.EMAIL and not (case.guest_id and case.guest.email):
        error("guest_told_via", _("The guest has no email address: tell them by phone or in person."), "no_email")
    elif guest_told_via != GuestToldVia.NOT_TOLD and not case.guest_id:
        error("guest_told_via", _("The case has no guest to tell."), "no_guest")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    previous = case.status
    if previous == CaseStatus.WAITING:
        _resume_clock(case, now)
    _mark_first_response(case, now)
    calendar = BusinessCalendar.for_property(case.property)
    case.resolved_at = now
    case.resolution_minutes = max(0, calendar.minutes_between(case.created_at, now) - case.paused_minutes)
    if case.resolution_due_at and now > case.resolution_due_at:
        case.resolution_breached = True
    case.status = CaseStatus.RESOLVED
    case.resolution = resolution.strip()
    case.root_cause = root_cause
    case.compensation_type = compensation_type or CompensationType.NONE
    case.compensation_amount = amount
    if case.owner_id is None and getattr(actor, "pk", None):
        case.owner = actor
    case.save()
    case_event(case, kind=EventKind.RESOLVED, actor=actor, from_status=previous, to_status=case.status,
               note=case.resolution, at=now)
    case_timeline(case, actor=actor, event="resolved", body=case.resolution, text=LocalizedText(
        gettext_noop("Case %(case)s resolved: %(subject)s"), {"case": case.reference, "subject": case.subject}))
    if case.case_type == CaseType.COMPLAINT:
        complaint_loop_close(actor=actor, case=case, guest_told_via=guest_told_via, guest_message=guest_message,
                             alert_text=alert_text)
    return case


@transaction.atomic
def case_reopen(*, actor: Any, case: Case, reason: str) -> Case:
    """Reopen a resolved or closed case: the resolution clock restarts now and the loop will run again."""
    if not (reason or "").strip():
        raise field_error("reason", _("Say why the case is reopened."), "required")
    case = lock_case(case)
    if case.status not in DONE_STATUSES:
        raise ValidationError({"status": [ValidationError(_("Only a resolved or closed case can be reopened."),
                                                          code="not_done")]})
    now = timezone.now()
    previous = case.status
    case.status = CaseStatus.IN_PROGRESS
    if case.owner_id is None and getattr(actor, "pk", None):
        case.owner = actor
    case.reopen_count += 1
    case.resolved_at = case.closed_at = None
    case.resolution_minutes = None
    case.resolution_escalated_at = case.due_soon_notified_at = None
    case.loop_guest = case.loop_manager = case.loop_alert = case.loop_followup = ""
    case.guest_told_via = ""
    _apply_sla(case, start=now, response=False)
    case.save()
    case_event(case, kind=EventKind.REOPENED, actor=actor, from_status=previous, to_status=case.status,
               note=reason.strip(), at=now)
    case_timeline(case, actor=actor, event="reopened", body=reason.strip(), text=LocalizedText(
        gettext_noop("Case %(case)s reopened"), {"case": case.reference}))
    return case


def department_head_for(case: Case) -> Any:
    head = DepartmentHead.objects.filter(property_id=case.property_id, department=case.department).select_related(
        "user").first()
    return head.user if head and head.user.is_active else None


@transaction.atomic
def case_escalate(*, actor: Any, case: Case, note: str = "") -> Case:
    """Escalate by hand to the department head of the case's department at its property."""
    case = lock_case(case)
    if case.status in DONE_STATUSES:
        raise ValidationError(_("A resolved case is not escalated."), code="case_done")
    head = department_head_for(case)
    if head is None:
        raise ValidationError(
            _("No department head is set for %(department)s at %(property)s.") % {
                "department": Department(case.department).label, "property": case.property},
            code="no_department_head")
    case.escalated_to = head
    case.save(update_fields=["escalated_to", "updated_at"])
    case_event(case, kind=EventKind.ESCALATED, actor=actor, note=note, data={"head_id": head.pk, "manual": True},
               text=None if note else LocalizedText(gettext_noop("Escalated to %(head)s"), {"head": str(head)}))
    case_timeline(case, actor=actor, event="escalated", text=LocalizedText(
        gettext_noop("Case %(case)s escalated to %(head)s"), {"case": case.reference, "head": str(head)}))
    from concierge.cases.services.notify import notify_escalations

    transaction.on_commit(lambda: notify_escalations({head.pk: [(case.pk, "manual")]}))
    return case


def case_view_audit(*, actor: Any, case: Case, via: str, ip_address: str | None = None) -> bool:
    """Record who opened a case of a VIP or flagged guest (AuditEvent action=view, field=case); False if the
    guest is neither."""
    from concierge.cases.selectors import guest_is_sensitive
    from concierge.core.choices import AuditAction
    from concierge.core.services import audit_record

    if not guest_is_sensitive(case.guest if case.guest_id else None):
        return False
    audit_record(actor=actor, action=AuditAction.VIEW, guest=case.guest, field="case",
                 detail=f"{case.reference} ({via})", ip_address=ip_address)
    return True
