"""Inviting guests: post-stay triggers, periodic runs, single sends, follow-ups; and mailing the invitations.

Sending is exactly-once as far as SMTP allows (see `invitations_send` and docs/messaging.md, "Killed workers").
A batch first *claims* its rows with one conditional UPDATE (`status = pending` → `sending`, stamped with a
random claim id and a lease) and commits; only rows carrying its claim id are mailed, each recorded `sent` in its
own commit right after the server accepted it. A batch queued twice, or two workers on the same ids, therefore
never mail anyone twice. A worker that dies mid-batch leaves rows in `sending`; once its lease has run out they
go back to `pending` (`invitations_release_stale`), including the one message that was in flight, which is sent
again with the same Message-ID.
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concierge.core.leases import ClaimHeartbeat, claim_lease, mail_connection
from concierge.guests.choices import GuestStatus, Language
from concierge.guests.models import Guest
from concierge.stays.choices import StayStatus
from concierge.stays.models import Stay
from concierge.surveys.choices import (
    InvitationSource,
    InvitationStatus,
    QuestionKind,
    RunStatus,
    StatMetric,
    SurveyKind,
    SurveyStatus,
)
from concierge.surveys.models import Invitation, Question, Survey, SurveyRun, SurveyTrigger, localized
from concierge.surveys.selectors import (
    audience_guests,
    email_consent,
    email_consent_in_force,
    reachable_guests,
    recently_invited,
)
from concierge.surveys.services.common import actor_or_none, field_error
from concierge.surveys.services.stats import local_day, stats_add
from concierge.surveys.tokens import link_token, new_public_id

logger = logging.getLogger(__name__)

# Checkout time assumed for a stay's departure date (the ledger stores dates only), in the property's time zone.
CHECKOUT_TIME = dt.time(12, 0)
# Stays that checked out longer ago than this (trigger switched on late, dispatcher down) are not surveyed.
MAX_LATENESS = dt.timedelta(days=7)
BATCH_SIZE = 100
MAX_QUEUE_PER_DISPATCH = 20_000
REQUEUE_AFTER = dt.timedelta(minutes=30)
# A claimed row is `sending` with claim "~<token>" while it waits in its batch (never handed to the mail server: safe
# to send again), and "<token>" from the moment it is handed over (in doubt if the worker dies before recording it).
PENDING = "~"
IN_DOUBT = "in doubt after a stopped worker: sent again with the same Message-ID"
GUEST_LANGUAGES = {Language.ZH_HANS.value, Language.EN.value}


def guest_language(guest: Guest | None, chosen: str | None = None) -> str:
    """The language a guest reads their survey in: the one chosen for this send, else the profile's (zh-hans)."""
    language = chosen or getattr(guest, "language", "") or Language.ZH_HANS
    return language if language in GUEST_LANGUAGES else Language.ZH_HANS.value


def _new_invitation(
    *, survey: Survey, guest: Guest, source: str, now: dt.datetime, stay: Any = None, property: Any = None,  # noqa: A002
    company: Any = None, run: SurveyRun | None = None, case_id: int | None = None, language: str | None = None,
    actor: Any = None,
) -> Invitation:
    return Invitation(
        survey=survey, guest=guest, stay=stay, property=property if property is not None else survey.property,
        company=company, run=run, source=source, case_id=case_id, public_id=new_public_id(),
        language=guest_language(guest, language),
        created_at=now, expires_at=now + dt.timedelta(days=survey.link_valid_days), created_by=actor_or_none(actor),
    )


def _queue_after_commit(ids: Sequence[int]) -> None:
    """Hand the invitations to the Celery worker once the transaction that created them has committed."""
    ids = list(ids)
    if ids:
        transaction.on_commit(lambda: invitations_enqueue(invitation_ids=ids))


# --- who gets invited -----------------------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *,
    actor: Any,
    survey: Survey,
    guest: Guest,
    source: str = InvitationSource.MANUAL,
    stay: Any = None,
    property: Any = None,  # noqa: A002
    company: Any = None,
    case_id: int | None = None,
    language: str | None = None,
    cooldown_days: int | None = None,
    now: dt.datetime | None = None,
) -> Invitation:
    """Invite one guest (staff, API, follow-up). Refused without an address or email consent; queued for sending."""
    now = now or timezone.now()
    if survey.status != SurveyStatus.ACTIVE:
        raise field_error("survey", _("Only an active survey can be sent."), "survey_inactive")
    if not survey.questions.filter(is_active=True).exists():
        raise field_error("survey", _("This survey has no questions."), "no_questions")
    if stay is not None and stay.guest_id != guest.pk:
        raise field_error("stay", _("This stay belongs to another guest."), "stay_guest")
    if stay is not None and property is None:
        property = stay.property
    if survey.property_id and property is not None and property.pk != survey.property_id:
        raise field_error("survey", _("This survey belongs to another property."), "other_property")
    guests = Guest.objects.filter(pk=guest.pk)
    if guest.merged_into_id or guest.status == GuestStatus.UNSUITABLE:
        raise field_error("guest", _("This profile cannot receive surveys."), "guest_unsuitable")
    if not guest.email:
        raise field_error("guest", _("The guest has no email address."), "no_email")
    if not reachable_guests(guests).exists():
        raise field_error("guest", _("The guest has not agreed to receive email."), "no_consent")
    if cooldown_days and guests.filter(recently_invited(now - dt.timedelta(days=cooldown_days))).exists():
        raise field_error("guest", _("The guest was surveyed in the last %(days)s days.") % {
            "days": cooldown_days}, "recently_surveyed")
    if stay is not None and Invitation.objects.filter(survey=survey, stay=stay).exists():
        raise field_error("stay", _("The guest was already invited to this survey for this stay."), "already_invited")
    invitation = _new_invitation(survey=survey, guest=guest, source=source, now=now, stay=stay, property=property,
                                 company=company, case_id=case_id, language=language, actor=actor)
    invitation.save()
    _queue_after_commit([invitation.pk])
    return invitation


def _bulk_invite(rows: list[Invitation]) -> int:
    """Insert invitations; a stay already invited to the survey (a racing dispatcher) is skipped by the database."""
    if not rows:
        return 0
    Invitation.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    public_ids = [r.public_id for r in rows]
    return sum(Invitation.objects.filter(public_id__in=public_ids[i:i + 5000]).count()
               for i in range(0, len(public_ids), 5000))


@transaction.atomic
def invitations_create_for_guests(
    *,
    actor: Any,
    survey: Survey,
    guests: QuerySet,
    cooldown_days: int = 90,
    run: SurveyRun | None = None,
    source: str = InvitationSource.PERIODIC,
    now: dt.datetime | None = None,
) -> tuple[int, int]:
    """Invite a list or segment of guests (any queryset of Guest). Returns (invited, skipped).

    Skips guests without an address or email consent, and those invited to any survey in the last
    `cooldown_days` days. A guest appears once however the queryset was joined.
    """
    now = now or timezone.now()
    if survey.status != SurveyStatus.ACTIVE:
        raise field_error("survey", _("Only an active survey can be sent."), "survey_inactive")
    audience = Guest.objects.filter(pk__in=guests.values("pk"))
    total = audience.count()
    since = now - dt.timedelta(days=cooldown_days) if cooldown_days else None
    eligible = reachable_guests(audience, since=since).only("pk", "language", "company").order_by("pk")
    rows = []
    for guest in eligible.iterator(chunk_size=2000):
        row = _new_invitation(survey=survey, guest=guest, source=source, now=now, run=run, actor=actor)
        row.company_id = guest.company_id  # the guest's company: company-level results of a periodic survey
        rows.append(row)
    invited = _bulk_invite(rows)
    transaction.on_commit(lambda: invitations_enqueue())
    return invited, total - invited


def _due_departures(trigger: SurveyTrigger, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """Departure dates whose checkout (CHECKOUT_TIME local) plus the delay has passed, within MAX_LATENESS."""
    tz = ZoneInfo(trigger.property.timezone or settings.TIME_ZONE)
    moment = now.astimezone(tz) - dt.timedelta(hours=trigger.delay_hours)
    checkout_offset = dt.timedelta(hours=CHECKOUT_TIME.hour, minutes=CHECKOUT_TIME.minute)
    latest = (moment - checkout_offset).date()
    earliest = (moment - checkout_offset - MAX_LATENESS).date()
    return earliest, latest


def post_stay_invitations_create(*, now: dt.datetime | None = None) -> int:
    """For every active post-stay trigger: invite the guests whose checkout is due. Returns invitations made."""
    now = now or timezone.now()
    created = 0
    triggers = SurveyTrigger.objects.filter(
        is_active=True, survey__status=SurveyStatus.ACTIVE, survey__kind=SurveyKind.POST_STAY,
    ).select_related("survey", "property")
    for trigger in triggers:
        created += _post_stay_for_trigger(trigger, now)
    return created


@transaction.atomic
def _post_stay_for_trigger(trigger: SurveyTrigger, now: dt.datetime) -> int:
    earliest, latest = _due_departures(trigger, now)
    since = now - dt.timedelta(days=trigger.cooldown_days)
    candidates = (
        Stay.objects.filter(property=trigger.property, status=StayStatus.CHECKED_OUT, guest__isnull=False,
                            departure__gte=earliest, departure__lte=latest,
                            guest__merged_into__isnull=True)
        .exclude(guest__email="").exclude(guest__status=GuestStatus.UNSUITABLE)
        .exclude(Exists(Invitation.objects.filter(survey=trigger.survey, stay_id=OuterRef("pk"))))
        .alias(email_ok=email_consent("guest_id")).filter(email_ok=True)
        .exclude(recently_invited(since, "guest_id"))
        .select_related("guest")
        .order_by("guest_id", "-departure", "-id")
    )
    rows, seen = [], set()
    for stay in candidates:
        if stay.guest_id in seen:  # two rooms on one checkout: one survey, about the latest stay
            continue
        seen.add(stay.guest_id)
        row = _new_invitation(survey=trigger.survey, guest=stay.guest, source=InvitationSource.POST_STAY,
                              now=now, stay=stay, property=trigger.property)
        row.company_id = stay.company_id
        rows.append(row)
    return _bulk_invite(rows)


@transaction.atomic
def survey_run_schedule(
    *,
    actor: Any,
    survey: Survey,
    audience: dict[str, Any],
    scheduled_for: dt.datetime | None = None,
    repeat_days: int | None = None,
    cooldown_days: int = 90,
    label: str = "",
) -> SurveyRun:
    """Schedule a periodic survey to an audience (see selectors.audience_guests); runs when due."""
    if survey.status != SurveyStatus.ACTIVE:
        raise field_error("survey", _("Only an active survey can be sent."), "survey_inactive")
    if repeat_days is not None and repeat_days < 7:
        raise field_error("repeat_days", _("Repeat at most once a week."), "repeat_too_often")
    run = SurveyRun(survey=survey, audience=dict(audience), scheduled_for=scheduled_for or timezone.now(),
                    repeat_days=repeat_days, cooldown_days=cooldown_days, label=(label or "").strip(),
                    created_by=actor_or_none(actor))
    run.full_clean(exclude=["survey", "created_by"])
    run.save()
    return run


def survey_runs_execute_due(*, now: dt.datetime | None = None) -> int:
    """Run the scheduled sends that are due; a repeating run schedules its next occurrence. Returns runs done."""
    now = now or timezone.now()
    done = 0
    for run_id in SurveyRun.objects.filter(status=RunStatus.SCHEDULED, scheduled_for__lte=now).values_list(
            "pk", flat=True):
        with transaction.atomic():
            # Claim the run: a second dispatcher finds it no longer scheduled and moves on.
            if not SurveyRun.objects.filter(pk=run_id, status=RunStatus.SCHEDULED).update(
                    status=RunStatus.DONE, done_at=now):
                continue
            run = SurveyRun.objects.select_related("survey", "created_by").get(pk=run_id)
            invited, skipped = 0, 0
            if run.survey.status == SurveyStatus.ACTIVE and run.created_by is not None:
                guests = audience_guests(user=run.created_by, audience=run.audience)
                invited, skipped = invitations_create_for_guests(
                    actor=run.created_by, survey=run.survey, guests=guests, cooldown_days=run.cooldown_days,
                    run=run, now=now)
            SurveyRun.objects.filter(pk=run.pk).update(invited=invited, skipped=skipped)
            if run.repeat_days:
                SurveyRun.objects.create(
                    survey=run.survey, label=run.label, audience=run.audience, repeat_days=run.repeat_days,
                    cooldown_days=run.cooldown_days, created_by=run.created_by,
                    scheduled_for=run.scheduled_for + dt.timedelta(days=run.repeat_days),
                )
            done += 1
    return done


@transaction.atomic
def survey_run_cancel(*, actor: Any, run: SurveyRun) -> None:
    SurveyRun.objects.filter(pk=run.pk, status=RunStatus.SCHEDULED).update(status=RunStatus.CANCELLED)


# --- the complaint follow-up (called by the service centre) -----------------------------------------------------


FOLLOWUP_QUESTIONS = (
    {"kind": QuestionKind.LIKERT, "required": True,
     "text_zh": "您对我们处理您反馈问题的方式满意吗？",
     "text_en": "How satisfied are you with the way we handled your concern?"},
    {"kind": QuestionKind.TEXT, "required": False,
     "text_zh": "还有什么需要我们改进的吗？", "text_en": "Is there anything else we should do better?"},
)


def _followup_survey(property: Any) -> Survey:  # noqa: A002
    """The active follow-up survey for the property (or group-wide); a standard one is created if none exists."""
    qs = Survey.objects.filter(kind=SurveyKind.FOLLOWUP, status=SurveyStatus.ACTIVE)
    survey = (qs.filter(property=property).first() if property is not None else None) or qs.filter(
        property__isnull=True).first()
    if survey is not None:
        return survey
    survey = Survey.objects.create(
        name="Complaint follow-up", kind=SurveyKind.FOLLOWUP, status=SurveyStatus.ACTIVE,
        title_zh="我们是否解决了您的问题？", title_en="Did we put things right?",
        intro_zh="感谢您告诉我们您遇到的问题。请花半分钟告诉我们处理结果是否令您满意。",
        intro_en="Thank you for telling us what went wrong. Please take half a minute to tell us how we did.",
        email_subject_zh="我们是否解决了您的问题？", email_subject_en="Did we put things right?",
        link_valid_days=14, low_score_5=2,
    )
    for position, spec in enumerate(FOLLOWUP_QUESTIONS, start=1):
        Question.objects.create(survey=survey, position=position, **spec)
    return survey


@transaction.atomic
def survey_send_followup(*, guest: Guest, case: Any = None, language: str | None = None) -> Invitation | None:
    """Send a short follow-up satisfaction question after a complaint was resolved.

    Called by the service centre's closed loop. Returns the invitation, or None when the guest cannot
    be emailed (no address or no email consent) — the caller records the step as not applicable.
    Resolving the same case again reuses the open invitation instead of mailing twice.
    """
    property_ = getattr(case, "property", None)
    case_id = getattr(case, "pk", None)
    survey = _followup_survey(property_)
    if case_id is not None:
        open_one = Invitation.objects.filter(survey=survey, case_id=case_id, guest=guest, answered_at__isnull=True,
                                             expires_at__gt=timezone.now()).first()
        if open_one is not None:
            return open_one
    try:
        # No stay on the invitation: one stay may see several complaints, and (survey, stay) is unique.
        return invitation_create(
            actor=None, survey=survey, guest=guest, source=InvitationSource.FOLLOWUP, property=property_,
            company=getattr(case, "company", None), case_id=case_id, language=language,
        )
    except ValidationError as exc:
        logger.info("No follow-up survey for guest %s: %s", guest.pk, exc.messages)
        return None


# --- sending ----------------------------------------------------------------------------------------------------


def invitation_link(invitation: Invitation) -> str:
    """The absolute single-use link in the email (CONCIERGE_BASE_URL + path)."""
    base = getattr(settings, "CONCIERGE_BASE_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + reverse("surveys:answer", args=[link_token(invitation.public_id)])


def _fill(template: str, values: dict[str, str]) -> str:
    """Replace {name}-style placeholders; plain replacement, so staff-written text cannot reach attributes."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def invitation_message_id(invitation: Invitation) -> str:
    """The invitation's Message-ID, the same on every attempt: a mail sent again after a crash is recognisable."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<invitation.{invitation.public_id}@{domain}>"


def invitation_email(invitation: Invitation, *, connection: Any = None) -> EmailMultiAlternatives:
    """The invitation mail in the guest's language: the survey's own subject/text, else the standard one."""
    survey, guest, property_ = invitation.survey, invitation.guest, invitation.property
    language = invitation.language
    zh = language.startswith("zh")
    property_name = ((property_.name_zh if zh else property_.name_en) if property_ else "") or ""
    if not property_name and property_ is not None:
        property_name = property_.name_en or property_.name_zh
    if guest is None:
        name = ""
    elif zh:
        name = guest.native_name or guest.latin_name
    else:
        name = guest.latin_name or guest.native_name
    expires = timezone.localtime(invitation.expires_at).date().isoformat()
    values = {"name": name, "property": property_name, "link": invitation_link(invitation), "expires": expires}
    context = {**values, "survey_title": survey.title_in(language), "custom_body": "", "language": language}
    custom_subject = localized(survey, "email_subject", language)
    custom_body = localized(survey, "email_body", language)
    with translation.override(language):
        default = render_to_string(f"surveys/email/invitation.{language}.txt", context).strip()
        default_subject, _sep, default_body = default.partition("\n")
        subject = " ".join(_fill(custom_subject, values).split()) if custom_subject else default_subject.strip()
        body = (_fill(custom_body, values) if custom_body else default_body.strip()) + "\n"
        html = render_to_string("surveys/email/invitation.html", {**context, "subject": subject, "body": body})
    sender = f'"{property_name}" <{settings.DEFAULT_FROM_EMAIL}>' if property_name else settings.DEFAULT_FROM_EMAIL
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=sender.replace("\n", " "), to=[guest.email if guest else ""],
        reply_to=[property_.email] if property_ is not None and property_.email else None,
        headers={"X-Concierge-Invitation": invitation.public_id, "Message-ID": invitation_message_id(invitation)},
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


@dataclass
class SendResult:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0


def invitations_send(*, invitation_ids: Iterable[int], now: dt.datetime | None = None) -> SendResult:
    """Mail a batch of invitations over one SMTP connection, each exactly once. Safe to call twice with the same ids.

    1. Claim: one conditional UPDATE `pending` → `sending` with claim "~<token>" (waiting in this batch) and commit.
    2. Per row, one transaction: record the previous row as sent (right after the server accepted it) and hand this
       row over (claim "~<token>" → "<token>", only if still ours), renewing the batch's lease now and then.
       Then the SMTP send, outside any transaction.
    3. Rows never handed over (an error stopped the batch) go back to `pending` at once.

    A killed worker leaves its rows `sending`; once the lease has run out, `invitations_release_stale` puts the rows
    never handed over back to `pending`, and the single row that was being sent (in doubt: the server may or may
    not have it) too, sent again with the same Message-ID so the receiving side can recognise a duplicate.
    """
    now = now or timezone.now()
    ids = list(invitation_ids)
    token = uuid.uuid4().hex[:24]
    waiting = PENDING + token
    result = SendResult()
    invitations_release_stale(invitation_ids=ids)  # a redelivered batch of a dead worker takes its rows over
    with transaction.atomic():
        result.claimed = Invitation.objects.filter(pk__in=ids, status=InvitationStatus.PENDING).update(
            status=InvitationStatus.SENDING, claim=waiting, claimed_at=timezone.now())
    if not result.claimed:
        return result
    rows = list(
        Invitation.objects.filter(claim=waiting, status=InvitationStatus.SENDING)
        .select_related("survey", "guest", "property").order_by("pk")
    )
    consented = email_consent_in_force([r.guest_id for r in rows if r.guest_id])
    sendable = []
    for row in rows:
        reason = _skip_reason(row, consented, now)
        if reason:
            Invitation.objects.filter(pk=row.pk, claim=waiting).update(status=InvitationStatus.SKIPPED, error=reason,
                                                                       claim="")
            result.skipped += 1
        else:
            sendable.append(row)
    if not sendable:
        return result
    # One SMTP session for the whole batch: opened here, so send() does not open and close one per message.
    connection = mail_connection()
    _reopen(connection)
    heartbeat = ClaimHeartbeat(Invitation.objects.filter(claim__in=[PENDING + token, token],
                                                         status=InvitationStatus.SENDING))
    accepted: Invitation | None = None  # sent, not yet recorded
    try:
        for row in sendable:
            try:
                message = invitation_email(row, connection=connection)
            except Exception as exc:  # a row that cannot be rendered fails alone; it must not stop the batch
                logger.exception("Survey invitation %s could not be rendered", row.pk)
                Invitation.objects.filter(pk=row.pk, claim=waiting).update(
                    status=InvitationStatus.FAILED, error=f"rendering: {exc}"[:300], claim="")
                result.failed += 1
                continue
            with transaction.atomic():
                _record_sent(accepted, token)
                accepted = None
                handed = Invitation.objects.filter(pk=row.pk, claim=waiting, status=InvitationStatus.SENDING).update(
                    claim=token)
                heartbeat.beat()
            if not handed:  # our lease ran out and another worker took the row over: it sends it, not us
                continue
            try:
                message.send(fail_silently=False)
            except (smtplib.SMTPException, OSError) as exc:
                logger.warning("Survey invitation %s failed: %s", row.pk, exc)
                Invitation.objects.filter(pk=row.pk, claim=token).update(
                    status=InvitationStatus.FAILED, error=str(exc)[:300], claim="")
                result.failed += 1
                connection.close()  # the session may be broken: start a fresh one for the next message
                _reopen(connection)
                continue
            row.status, row.sent_at, row.email, row.error = InvitationStatus.SENT, timezone.now(), row.guest.email, ""
            accepted = row
            result.sent += 1
    finally:
        connection.close()
        try:
            with transaction.atomic():
                _record_sent(accepted, token)
        finally:
            # Rows never handed over (an error stopped the batch) wait for the next dispatch.
            Invitation.objects.filter(claim=waiting, status=InvitationStatus.SENDING).update(
                status=InvitationStatus.PENDING, claim="", queued_at=None)
    return result


def _record_sent(row: Invitation | None, claim: str) -> None:
    """The row the server accepted is `sent` (only if still ours), counted in the survey's statistics."""
    if row is None:
        return
    if Invitation.objects.filter(pk=row.pk, claim=claim, status=InvitationStatus.SENDING).update(
            status=InvitationStatus.SENT, sent_at=row.sent_at, email=row.email, error="", claim=""):
        stats_add([(row.survey_id, StatMetric.SENT, local_day(row.sent_at, row.property), row.property_id or 0, 0, 0)])


def _reopen(connection: Any) -> None:
    """Open the mail connection; if the server is down, each send() will try (and fail) on its own."""
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("Mail server not reachable: %s", exc)


def _skip_reason(row: Invitation, consented: set[int], now: dt.datetime) -> str:
    """Why an invitation must not be mailed now ("" when it may)."""
    if row.guest is None or row.guest.merged_into_id:
        return "no guest"
    if not row.guest.email:
        return "no email address"
    if row.guest_id not in consented:
        return "no email consent"
    if row.expires_at <= now:
        return "expired before sending"
    if row.survey.status != SurveyStatus.ACTIVE:
        return "survey not active"
    return ""


def invitations_enqueue(*, invitation_ids: Sequence[int] | None = None, now: dt.datetime | None = None,
                        batch_size: int = BATCH_SIZE) -> int:
    """Queue pending invitations for the worker in batches (the given ids, or all waiting ones). Returns ids queued.

    Rows queued more than REQUEUE_AFTER ago but still pending (a lost message) are queued again;
    queuing twice is harmless because sending claims each row.
    """
    from concierge.surveys.tasks import send_invitations

    now = now or timezone.now()
    qs = Invitation.objects.filter(status=InvitationStatus.PENDING).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER))
    if invitation_ids is not None:
        qs = qs.filter(pk__in=list(invitation_ids))
    ids = list(qs.order_by("pk").values_list("pk", flat=True)[:MAX_QUEUE_PER_DISPATCH])
    for start in range(0, len(ids), 1000):
        Invitation.objects.filter(pk__in=ids[start:start + 1000]).update(queued_at=now)
    for start in range(0, len(ids), batch_size):
        send_invitations.delay(ids[start:start + batch_size])
    return len(ids)


def invitations_release_stale(*, now: dt.datetime | None = None, invitation_ids: Sequence[int] | None = None) -> int:
    """Take over the rows of dead workers (claims whose lease ran out): they go back to `pending` to be sent again.

    Rows never handed to the mail server are simply queued again. The row that was in flight (handed over, outcome
    not recorded: the server may or may not have it) is queued again once, marked `IN_DOUBT`; its mail carries the
    same Message-ID, so a duplicate is recognisable. In doubt a second time (a message that keeps killing workers),
    it becomes failed. Returns the rows released.
    """
    cutoff = (now or timezone.now()) - claim_lease()
    stale = Invitation.objects.filter(status=InvitationStatus.SENDING, claimed_at__lt=cutoff)
    if invitation_ids is not None:
        stale = stale.filter(pk__in=list(invitation_ids))
    released = stale.filter(claim__startswith=PENDING).update(status=InvitationStatus.PENDING, claim="",
                                                              queued_at=None)
    in_doubt = stale.exclude(claim__startswith=PENDING)
    failed = in_doubt.filter(error=IN_DOUBT).update(
        status=InvitationStatus.FAILED, claim="", error="interrupted twice while sending; not resent automatically")
    return released + failed + in_doubt.update(status=InvitationStatus.PENDING, claim="", queued_at=None,
                                               error=IN_DOUBT)


invitations_fail_stale = invitations_release_stale  # the former name (rows are no longer failed, but released)


@transaction.atomic
def invitations_retry_failed(*, actor: Any, survey: Survey) -> int:
    """Put the survey's failed invitations back in the queue (staff decided to resend)."""
    ids = list(Invitation.objects.filter(survey=survey, status=InvitationStatus.FAILED,
                                         expires_at__gt=timezone.now()).values_list("pk", flat=True))
    Invitation.objects.filter(pk__in=ids).update(status=InvitationStatus.PENDING, queued_at=None, error="")
    _queue_after_commit(ids)
    return len(ids)


@dataclass
class DispatchResult:
    post_stay: int
    runs: int
    stale: int
    queued: int


def surveys_dispatch(*, now: dt.datetime | None = None) -> DispatchResult:
    """The periodic job: make due post-stay and periodic invitations, then queue everything waiting."""
    now = now or timezone.now()
    post_stay = post_stay_invitations_create(now=now)
    runs = survey_runs_execute_due(now=now)
    stale = invitations_release_stale(now=now)
    queued = invitations_enqueue(now=now)
    return DispatchResult(post_stay=post_stay, runs=runs, stale=stale, queued=queued)
