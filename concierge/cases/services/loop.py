"""The closed complaint loop: one flow run by `case_resolve` for complaints.

1. The guest is told: by email in their own language (sent after commit, recorded on the timeline once the
   mail server accepted it), or by phone / in person as the agent confirms.
2. The account manager of the guest (or of the company) is notified by email and on the timeline.
3. An alert is placed on the guest for the next stay ("complained about room noise on 2026-03-02; offer a
   quiet room").
4. A follow-up satisfaction question is sent when the surveys module offers `survey_send_followup` (it returns
   None when the guest cannot be asked, e.g. no email consent: the step is then "not applicable").
5. The resolution can then be promoted to a knowledge-base article in one click (services.kb).

Each step's state is kept on the case (`loop_*`), so the loop report is one aggregate query, and the
after-commit steps only act while their step is still pending (a conditional UPDATE claims it), so a retry
never mails twice.
"""
from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.cases.choices import EventKind, GuestToldVia, LoopStep
from concierge.cases.models import Case
from concierge.cases.notifications import absolute_url, send_guest_email, send_staff_email
from concierge.cases.services.common import case_event, case_timeline, field_error, local_date
from concierge.core.choices import ActivityKind
from concierge.core.i18n import LocalizedText
from concierge.guests.choices import AlertCategory, AlertSeverity
from concierge.guests.services import alert_add

logger = logging.getLogger(__name__)

TOLD_ACTIVITY = {GuestToldVia.PHONE: ActivityKind.CALL, GuestToldVia.IN_PERSON: ActivityKind.VISIT}


def account_manager_for(case: Case) -> Any:
    """The guest's account manager, else the company's (an inactive user counts as none)."""
    for holder in (case.guest, case.company):
        owner = getattr(holder, "owner", None) if holder is not None else None
        if owner is not None and owner.is_active:
            return owner
    return None


def followup_hook() -> Callable[..., Any] | None:
    """`concierge.surveys.services.survey_send_followup` when the surveys module is installed and offers it."""
    if not apps.is_installed("concierge.surveys"):
        return None
    try:
        module = importlib.import_module("concierge.surveys.services")
    except ImportError:
        return None
    hook = getattr(module, "survey_send_followup", None)
    return hook if callable(hook) else None


def default_alert_text(case: Case) -> str:
    """"Complained about room noise on 2026-03-02; offer a quiet room", in the current UI language."""
    topic = str(case.root_cause) if case.root_cause_id else case.subject
    if not (translation.get_language() or "").startswith("zh"):
        topic = topic[:1].lower() + topic[1:]
    params = {"topic": topic, "date": local_date(case.created_at, case.property).isoformat()}
    action = case.root_cause.next_stay_action if case.root_cause_id else ""
    if action:
        return _("Complained about %(topic)s on %(date)s; %(action)s") % {**params, "action": action}
    return _("Complained about %(topic)s on %(date)s") % params


def complaint_loop_close(*, actor: Any, case: Case, guest_told_via: str, guest_message: str = "",
                         alert_text: str = "") -> None:
    """Run the loop for a just-resolved complaint (inside case_resolve's transaction; mail after commit)."""
    case.guest_told_via = guest_told_via
    # 1. The guest.
    if guest_told_via == GuestToldVia.EMAIL:
        case.loop_guest = LoopStep.PENDING
    elif guest_told_via in TOLD_ACTIVITY:
        case.loop_guest = LoopStep.DONE
        case_timeline(case, actor=actor, kind=TOLD_ACTIVITY[guest_told_via], event="loop_guest",
                      body=guest_message, text=LocalizedText(
                          gettext_noop("Guest told of the resolution of case %(case)s (%(via)s)"),
                          {"case": case.reference, "via": GuestToldVia(guest_told_via).label}))
    else:
        case.loop_guest = LoopStep.PENDING
    # 2. The account manager.
    manager = account_manager_for(case)
    case.loop_manager = LoopStep.PENDING if manager is not None else LoopStep.SKIPPED
    # 3. The alert for the next stay (once per case: a reopened and re-resolved case keeps its alert).
    if case.guest_id is None:
        case.loop_alert = LoopStep.SKIPPED
    elif case.next_stay_alert_id and case.next_stay_alert.is_active:
        case.loop_alert = LoopStep.DONE
    else:
        alert = alert_add(actor=actor, guest=case.guest, text=(alert_text or "").strip() or default_alert_text(case),
                          severity=AlertSeverity.WARNING, category=AlertCategory.COMPLAINT, stay=case.stay)
        case.next_stay_alert = alert
        case.loop_alert = LoopStep.DONE
    # 4. The follow-up survey.
    hook = followup_hook()
    case.loop_followup = LoopStep.PENDING if hook is not None and case.guest_id else LoopStep.SKIPPED
    case.save()
    case_event(case, kind=EventKind.LOOP, actor=actor, data={"step": "started"}, text=LocalizedText(
        gettext_noop("Closed loop started: guest %(guest)s, account manager %(manager)s, alert %(alert)s, "
                     "follow-up %(followup)s"),
        {"guest": LoopStep(case.loop_guest).label, "manager": LoopStep(case.loop_manager).label,
         "alert": LoopStep(case.loop_alert).label, "followup": LoopStep(case.loop_followup).label}))
    actor_id = getattr(actor, "pk", None)
    if case.loop_guest == LoopStep.PENDING and guest_told_via == GuestToldVia.EMAIL:
        transaction.on_commit(lambda: loop_guest_email(case_id=case.pk, actor_id=actor_id, message=guest_message))
    if case.loop_manager == LoopStep.PENDING:
        transaction.on_commit(lambda: loop_manager_notify(case_id=case.pk, actor_id=actor_id))
    if case.loop_followup == LoopStep.PENDING:
        transaction.on_commit(lambda: loop_followup_send(case_id=case.pk, actor_id=actor_id))


def _claim_step(case_id: int, field: str) -> Case | None:
    """Take a pending step (conditional UPDATE to "failed" as a placeholder): only one caller acts on it."""
    claimed = Case.objects.filter(pk=case_id, **{field: LoopStep.PENDING}).update(**{field: LoopStep.FAILED})
    if not claimed:
        return None
    return Case.objects.select_related("property", "guest", "company", "root_cause", "owner").get(pk=case_id)


def _actor(actor_id: int | None) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=actor_id).first() if actor_id else None


def _finish_step(case: Case, field: str, state: str) -> None:
    Case.objects.filter(pk=case.pk).update(**{field: state})
    setattr(case, field, state)


def loop_guest_email(*, case_id: int, actor_id: int | None, message: str = "") -> bool:
    """Send the resolution email to the guest in their language; record it on the timeline (after commit)."""
    case = _claim_step(case_id, "loop_guest")
    if case is None:
        return False
    actor = _actor(actor_id)
    context = {
        "case": case, "message": message, "opened_on": local_date(case.created_at, case.property),
        "compensation_type": case.compensation_type, "compensation_amount": case.compensation_amount,
    }
    try:
        send_guest_email(guest=case.guest, property_=case.property, name="case_resolved", context=context)
    except Exception as exc:  # noqa: BLE001 - any mail failure leaves the step "failed" for a retry by hand
        logger.warning("case %s: resolution email to the guest failed: %s", case.pk, exc)
        with transaction.atomic():
            case_event(case, kind=EventKind.LOOP, actor=actor, data={"step": "guest", "error": str(exc)[:200]},
                       text=LocalizedText(gettext_noop("The email to the guest could not be sent: %(error)s"),
                                          {"error": str(exc)[:200]}))
        return False
    with transaction.atomic():
        _finish_step(case, "loop_guest", LoopStep.DONE)
        case_event(case, kind=EventKind.LOOP, actor=actor, data={"step": "guest"}, text=LocalizedText(
            gettext_noop("Resolution emailed to the guest (%(email)s)"), {"email": case.guest.email}))
        case_timeline(case, actor=actor, kind=ActivityKind.EMAIL, event="loop_guest", body=message,
                      text=LocalizedText(gettext_noop("Resolution of case %(case)s emailed to the guest"),
                                         {"case": case.reference}))
    return True


def loop_manager_notify(*, case_id: int, actor_id: int | None) -> bool:
    """Tell the account manager (email when they have an address, always on the timeline)."""
    case = _claim_step(case_id, "loop_manager")
    if case is None:
        return False
    actor = _actor(actor_id)
    manager = account_manager_for(case)
    if manager is None:
        _finish_step(case, "loop_manager", LoopStep.SKIPPED)
        return False
    url = absolute_url(reverse("cases:case_detail", args=[case.pk]))
    try:
        emailed = send_staff_email(user=manager, name="manager_complaint_resolved", context={"case": case, "url": url})
    except Exception as exc:  # noqa: BLE001 - the timeline entry below still tells the manager
        logger.warning("case %s: email to the account manager failed: %s", case.pk, exc)
        emailed = False
    with transaction.atomic():
        _finish_step(case, "loop_manager", LoopStep.DONE)
        case_event(case, kind=EventKind.LOOP, actor=actor, data={"step": "manager", "emailed": emailed},
                   text=LocalizedText(gettext_noop("Account manager %(manager)s notified"), {"manager": str(manager)}))
        case_timeline(case, actor=actor, event="loop_manager", text=LocalizedText(
            gettext_noop("Account manager %(manager)s notified of resolved complaint %(case)s"),
            {"manager": str(manager), "case": case.reference}))
    return True


def loop_followup_send(*, case_id: int, actor_id: int | None) -> bool:
    """Ask the surveys module to send its follow-up satisfaction question."""
    hook = followup_hook()
    case = _claim_step(case_id, "loop_followup")
    if case is None:
        return False
    if hook is None or case.guest_id is None:
        _finish_step(case, "loop_followup", LoopStep.SKIPPED)
        return False
    actor = _actor(actor_id)
    offered = {"guest": case.guest, "case": case, "actor": actor, "property": case.property,
               "language": case.guest.language, "reason": "complaint_resolved"}
    accepted = inspect.signature(hook).parameters
    takes_any = any(p.kind == inspect.Parameter.VAR_KEYWORD for p in accepted.values())
    kwargs = {k: v for k, v in offered.items() if takes_any or k in accepted}
    try:
        invitation = hook(**kwargs)
    except Exception as exc:  # noqa: BLE001 - another module's failure must not undo ours; the step stays failed
        logger.warning("case %s: follow-up survey failed: %s", case.pk, exc)
        return False
    with transaction.atomic():
        if invitation is None:
            # The surveys module's contract: None means the guest cannot be asked (no address, no email consent).
            _finish_step(case, "loop_followup", LoopStep.SKIPPED)
            case_event(case, kind=EventKind.LOOP, actor=actor, data={"step": "followup", "sent": False},
                       text=LocalizedText(gettext_noop("No follow-up survey: the guest cannot be emailed")))
            return False
        _finish_step(case, "loop_followup", LoopStep.DONE)
        case_event(case, kind=EventKind.LOOP, actor=actor, data={"step": "followup", "sent": True},
                   text=LocalizedText(gettext_noop("Follow-up survey sent")))
        case_timeline(case, actor=actor, event="loop_followup", text=LocalizedText(
            gettext_noop("Follow-up survey sent for case %(case)s"), {"case": case.reference}))
    return True


@transaction.atomic
def case_guest_told(*, actor: Any, case: Case, via: str, note: str = "") -> Case:
    """Record that the guest was told afterwards (by phone or in person), or retry the email."""
    case = Case.objects.select_for_update(of=("self",)).select_related("property", "guest", "company").get(pk=case.pk)
    if case.loop_guest not in (LoopStep.PENDING, LoopStep.FAILED) or not case.guest_id:
        raise ValidationError(_("There is nothing to tell the guest on this case."), code="loop_not_pending")
    if via == GuestToldVia.EMAIL:
        if not case.guest.email:
            raise field_error("via", _("The guest has no email address: tell them by phone or in person."),
                              "no_email")
        case.loop_guest = LoopStep.PENDING
        case.guest_told_via = via
        case.save(update_fields=["loop_guest", "guest_told_via", "updated_at"])
        actor_id = getattr(actor, "pk", None)
        transaction.on_commit(lambda: loop_guest_email(case_id=case.pk, actor_id=actor_id, message=note))
        return case
    if via not in TOLD_ACTIVITY:
        raise field_error("via", _("Unknown choice."), "invalid_choice")
    case.loop_guest = LoopStep.DONE
    case.guest_told_via = via
    case.save(update_fields=["loop_guest", "guest_told_via", "updated_at"])
    case_timeline(case, actor=actor, kind=TOLD_ACTIVITY[via], event="loop_guest", body=note, text=LocalizedText(
        gettext_noop("Guest told of the resolution of case %(case)s (%(via)s)"),
        {"case": case.reference, "via": GuestToldVia(via).label}))
    case_event(case, kind=EventKind.LOOP, actor=actor, note=note, data={"step": "guest", "via": via})
    return case
