"""Sending messages to guests: suppression first, render in the guest's language, deliver once, log on the timeline.

Flow of one message (`send_message`, or `send_queued` for the backlog):

1. The idempotency key is UNIQUE on the outbox: a second call with the same key returns the first row and sends
   nothing, even when two workers race (the loser's INSERT fails and it reads the winner's row).
2. The row is created `queued` with the text rendered in the guest's language.
3. Delivery claims the row with a conditional UPDATE (queued -> sending), so only one worker ever sends it; then it
   checks suppression *at send time* (an unsubscribe a minute ago counts), and calls the channel adapter outside
   any transaction (a slow provider never holds database locks).
4. The row ends `sent` (timeline entry written), `suppressed` (with the reason), `failed`, or back to `queued` with
   `not_before` (quiet hours, or the provider asked us to retry later).
"""
from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.core.choices import ActivityKind
from concierge.core.i18n import LocalizedText
from concierge.core.services import activity_log
from concierge.guests.choices import ConsentChannel, GuestStatus
from concierge.guests.models import ConsentRecord, Guest
from concierge.messaging import hooks, rendering, selectors
from concierge.messaging.channels import ChannelError, Envelope, MessageChannel, get_channel
from concierge.messaging.choices import Channel, MessageStatus, Purpose, Reason
from concierge.messaging.models import Message, MessageTemplate, SuppressionRule
from concierge.messaging.tokens import unsubscribe_url

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SOURCE = "unsubscribe link"
SENT_TIMELINE = gettext_noop("%(channel)s sent: %(subject)s")
UNSUBSCRIBED_TIMELINE = gettext_noop("Unsubscribed from %(channel)s (one-click link)")


@dataclass(frozen=True)
class Decision:
    """What suppression says about a message now: send, suppress (reason), or wait until `not_before`."""

    reason: str = ""
    not_before: dt.datetime | None = None

    @property
    def send(self) -> bool:
        return not self.reason


@dataclass(frozen=True)
class Preview:
    """A message rendered without sending, with the decision suppression would take right now."""

    language: str
    subject: str
    body: str
    recipient: str
    decision: Decision


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    suppressed: int = 0
    deferred: int = 0
    failed: int = 0


# --- rules ------------------------------------------------------------------------------------------------------


def guest_is_erased(guest: Guest) -> bool:
    """Erasure marks a profile with `erased_at` or the status "erased" (whichever the erasure feature sets)."""
    return bool(getattr(guest, "erased_at", None)) or guest.status == "erased"


def quiet_hours_end(*, rule: SuppressionRule, tz: Any, now: dt.datetime) -> dt.datetime | None:
    """When quiet hours end, if `now` falls inside them (in the property's time zone); None otherwise."""
    start, end = rule.quiet_start, rule.quiet_end
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(tz)
    t = local.time()
    if start < end:  # e.g. 12:00-14:00
        inside, day = start <= t < end, local.date()
    else:  # over midnight, e.g. 21:00-08:00
        inside = t >= start or t < end
        day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    if not inside:
        return None
    return dt.datetime.combine(day, end, tzinfo=tz).astimezone(dt.UTC)


def month_start(*, tz: Any, now: dt.datetime) -> dt.datetime:
    local = now.astimezone(tz)
    return dt.datetime.combine(local.date().replace(day=1), dt.time(0), tzinfo=tz).astimezone(dt.UTC)


def suppression_decision(*, guest: Guest | None, channel: str, purpose: str, property_: Any, recipient: str,
                         now: dt.datetime, message_pk: int | None = None) -> Decision:
    """The rules, in order: who the guest is, consent, an address, then (marketing only) the cap and quiet hours.

    Marketing needs an explicit grant on the channel; transactional messages go unless the guest refused the
    channel. Unsuitable, erased and merged profiles never receive anything.
    """
    if guest is None or guest_is_erased(guest):
        return Decision(Reason.ERASED)
    if guest.merged_into_id:
        return Decision(Reason.MERGED)
    if guest.status == GuestStatus.UNSUITABLE:
        return Decision(Reason.UNSUITABLE)
    record = selectors.last_consent(guest_id=guest.pk, channel=channel)
    if record is not None and not record.granted:
        return Decision(Reason.UNSUBSCRIBED if record.source == UNSUBSCRIBE_SOURCE else Reason.NO_CONSENT)
    if purpose == Purpose.MARKETING and record is None:
        return Decision(Reason.NO_CONSENT)
    if not recipient:
        return Decision(Reason.NO_ADDRESS)
    if purpose != Purpose.MARKETING:
        return Decision()
    rule = selectors.rule_for(getattr(property_, "pk", None))
    tz = selectors.property_timezone(property_)
    if rule.monthly_cap is not None:
        sent = selectors.marketing_sent_since(guest_id=guest.pk, since=month_start(tz=tz, now=now),
                                              exclude_pk=message_pk)
        if sent >= rule.monthly_cap:
            return Decision(Reason.CAP_REACHED)
    until = quiet_hours_end(rule=rule, tz=tz, now=now)
    if until is not None:
        return Decision(Reason.QUIET_HOURS, not_before=until)
    return Decision()


# --- rendering and preview --------------------------------------------------------------------------------------


def _template(code: str, channel: str) -> MessageTemplate:
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel “%(channel)s”.") % {"channel": channel}},
                              code="unknown_channel")
    template = selectors.active_template(code=code, channel=channel)
    if template is None:
        raise ValidationError(
            {"template_code": _("No active template “%(code)s” for channel %(channel)s.")
             % {"code": code, "channel": channel}}, code="unknown_template")
    return template


def _property(guest: Guest, property_: Any) -> Any:
    if property_ is not None:
        return property_
    from concierge.properties.models import Property

    property_id = selectors.home_property_id(guest)
    return Property.objects.filter(pk=property_id).first() if property_id else None


def render_for_guest(*, template: MessageTemplate, guest: Guest, property_: Any, context: dict[str, Any] | None,
                     language: str | None = None, subject: str | None = None, body: str | None = None
                     ) -> rendering.Rendered:
    """Render the template (or the given unsaved subject/body) for the guest, in the guest's language by default."""
    language = language or rendering.guest_language(guest)
    link = unsubscribe_url(guest_id=guest.pk, channel=template.channel) if guest.pk else ""
    ctx = rendering.build_context(guest=guest, property_=property_, language=language, unsubscribe_url=link,
                                  extra=context)
    return rendering.render_parts(subject=template.subject_in(language) if subject is None else subject,
                                  body=template.body_in(language) if body is None else body,
                                  language=language, context=ctx)


def preview_message(*, guest: Guest, template_code: str | None = None, channel: str | None = None,
                    template: MessageTemplate | None = None, context: dict[str, Any] | None = None,
                    language: str | None = None, property: Any = None,  # noqa: A002
                    purpose: str | None = None, now: dt.datetime | None = None) -> Preview:
    """Render exactly what `send_message` would send, and say whether it would be sent now. Sends nothing."""
    if template is None:
        template = _template(template_code or "", channel or "")
    property_ = _property(guest, property)
    rendered = render_for_guest(template=template, guest=guest, property_=property_, context=context,
                                language=language)
    recipient = selectors.channel_address(guest=guest, channel=template.channel)
    decision = suppression_decision(guest=guest, channel=template.channel, purpose=purpose or template.purpose,
                                    property_=property_, recipient=recipient, now=now or timezone.now())
    return Preview(language=rendered.language, subject=rendered.subject, body=rendered.body, recipient=recipient,
                   decision=decision)


def preview_texts(*, template: MessageTemplate, guest: Guest, property_: Any = None) -> dict[str, rendering.Rendered]:
    """Both languages of an (unsaved) template for one guest: the live preview of the edit page."""
    property_ = _property(guest, property_)
    return {language: render_for_guest(template=template, guest=guest, property_=property_, context={
        "survey_url": "https://example.com/s/…", "offer_url": "https://example.com/o/…", "offer_code": "ABC123"},
        language=language) for language in ("zh-hans", "en")}


# --- sending ----------------------------------------------------------------------------------------------------


def send_message(*, guest: Guest, template_code: str, channel: str, idempotency_key: str,
                 context: dict[str, Any] | None = None, source: str = "", source_id: int | None = None,
                 purpose: str | None = None, property: Any = None,  # noqa: A002 - the hotel, as everywhere
                 now: dt.datetime | None = None, defer: bool = False) -> Message:
    """Send one templated message to a guest on one channel, once per `idempotency_key`.

    Returns the outbox row: `sent`, `suppressed` (reason), `failed`, or `queued` (quiet hours, retry, or
    `defer=True`, which leaves delivery to the `send_queued` task: campaigns sending thousands use that).
    `purpose` defaults to the template's. Call it outside a transaction when not deferring: delivery is network I/O.
    """
    if not idempotency_key:
        raise ValidationError({"idempotency_key": _("An idempotency key is required.")}, code="required")
    existing = Message.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    template = _template(template_code, channel)
    property_ = _property(guest, property)
    rendered = render_for_guest(template=template, guest=guest, property_=property_, context=context)
    message = Message(
        guest=guest, property=property_, channel=channel, purpose=purpose or template.purpose, template=template,
        language=rendered.language, subject=rendered.subject, body=rendered.body,
        recipient=selectors.channel_address(guest=guest, channel=channel),
        unsubscribe_url=unsubscribe_url(guest_id=guest.pk, channel=channel),
        source=source[:40], source_id=source_id, idempotency_key=idempotency_key[:200],
        created_at=now or timezone.now(),
    )
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # Another worker inserted the same key between our look-up and our INSERT: theirs is the message.
        return Message.objects.get(idempotency_key=idempotency_key)
    if defer:
        return message
    claim = uuid.uuid4().hex
    if _claim(Q(pk=message.pk), claim, now or timezone.now(), limit=1):
        _deliver(Message.objects.select_related("guest", "property", "template").get(pk=message.pk),
                 now=now, channels={})
    message.refresh_from_db()
    return message


def messages_enqueue_bulk(*, messages: list[Message], batch_size: int = 2000) -> int:
    """Insert prepared, already rendered `queued` rows in bulk (campaigns: thousands per statement).

    Rows whose idempotency key already exists are skipped by the database (ON CONFLICT DO NOTHING on the UNIQUE
    key), so running the same enqueue twice, or from two workers at once, never creates a second message.
    Delivery is left to `send_queued`, which checks suppression again at send time. Returns how many rows were
    offered (not how many were new: the database does not say that for skipped conflicts).
    """
    from django.db import connection

    for message in messages:
        if not message.idempotency_key:
            raise ValidationError({"idempotency_key": _("An idempotency key is required.")}, code="required")
        message.status = MessageStatus.QUEUED
    if connection.vendor == "postgresql" and messages:
        _copy_messages(messages)
    else:
        Message.objects.bulk_create(messages, batch_size=batch_size, ignore_conflicts=True)
    return len(messages)


def _copy_messages(messages: list[Message]) -> None:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT … SELECT … ON CONFLICT DO NOTHING.

    Several times faster than a multi-row INSERT built by the ORM (no per-value SQL compilation); the conflict
    rule on the UNIQUE idempotency key is the same.
    """
    from django.db import connection

    fields = [f for f in Message._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Message._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE _message_load ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA")
        with cursor.cursor.copy(f"COPY _message_load ({columns}) FROM STDIN") as copy:
            for message in messages:
                copy.write_row([getattr(message, f.attname) for f in fields])
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _message_load "  # noqa: S608
                       f"ON CONFLICT ({connection.ops.quote_name('idempotency_key')}) DO NOTHING")
        cursor.execute("DROP TABLE _message_load")


def _claim(condition: Q, claim: str, now: dt.datetime, *, limit: int) -> int:
    """Take due queued rows for this worker with one conditional UPDATE: a row is only ever claimed once."""
    due = Q(status=MessageStatus.QUEUED) & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    with transaction.atomic():
        ids = list(Message.objects.filter(condition & due).order_by("not_before", "created_at", "id")
                   .values_list("pk", flat=True)[:limit])
        if not ids:
            return 0
        return Message.objects.filter(due, pk__in=ids).update(status=MessageStatus.SENDING, claim=claim,
                                                                     claimed_at=timezone.now())


def _deliver(message: Message, *, now: dt.datetime | None, channels: dict[str, MessageChannel]) -> str:
    """Check suppression and send one claimed (`sending`) row. Returns the final status."""
    check_time = now or timezone.now()
    guest = message.guest
    if guest is not None:
        guest.refresh_from_db(fields=["status", "merged_into", "email", "phone"])
    recipient = selectors.channel_address(guest=guest, channel=message.channel) if guest else ""
    decision = suppression_decision(guest=guest, channel=message.channel, purpose=message.purpose,
                                    property_=message.property, recipient=recipient, now=check_time,
                                    message_pk=message.pk)
    rows = Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING)
    if decision.not_before is not None:
        rows.update(status=MessageStatus.QUEUED, reason=decision.reason, not_before=decision.not_before, claim="")
        return MessageStatus.QUEUED
    if not decision.send:
        rows.update(status=MessageStatus.SUPPRESSED, reason=decision.reason, claim="")
        return MessageStatus.SUPPRESSED
    channel = channels.get(message.channel) or get_channel(message.channel)
    data: dict[str, Any] = {}
    if message.channel == Channel.EMAIL and hooks.EMAIL_HTML_HOOKS:
        from concierge.messaging.channels.email import html_from_text

        data["html"] = hooks.rewrite_html(message, html_from_text(message.body))
    envelope = Envelope(
        to=recipient, subject=message.subject, body=message.body, language=message.language,
        reference=message.idempotency_key, provider_template_id=message.template.provider_template_id
        if message.template else "", unsubscribe_url=message.unsubscribe_url,
        from_name=rendering.build_context(guest=guest, property_=message.property,
                                          language=message.language)["property"]["name"],
        reply_to=getattr(message.property, "email", "") or "",
        data=data,
    )
    rows.update(attempts=F("attempts") + 1, recipient=recipient)
    try:
        receipt = channel.send(envelope)
    except ChannelError as exc:
        attempts = message.attempts + 1
        max_attempts = getattr(settings, "MESSAGING_MAX_ATTEMPTS", 5)
        logger.warning("Message %s via %s failed (%s, attempt %s): %s", message.pk, message.channel, exc.code,
                       attempts, exc)
        if exc.retryable and attempts < max_attempts:
            retry_at = timezone.now() + dt.timedelta(minutes=5 * 2 ** (attempts - 1))
            rows.update(status=MessageStatus.QUEUED, reason=Reason.RETRY, error=f"{exc.code}: {exc}"[:300],
                        not_before=retry_at, claim="")
            return MessageStatus.QUEUED
        rows.update(status=MessageStatus.FAILED, reason=Reason.PROVIDER_ERROR, error=f"{exc.code}: {exc}"[:300],
                    claim="")
        hooks.notify(hooks.DELIVERY_HOOKS, message, MessageStatus.FAILED, exc.code)
        return MessageStatus.FAILED
    sent_at = timezone.now()
    with transaction.atomic():
        rows.update(status=MessageStatus.SENT, sent_at=sent_at, provider_message_id=receipt.provider_message_id[:200],
                    reason="", error="", not_before=None, claim="")
        label = Channel(message.channel).label
        activity_log(
            actor=None, kind=ActivityKind.EMAIL if message.channel == Channel.EMAIL else ActivityKind.MESSAGE,
            summary=LocalizedText(SENT_TIMELINE, {"channel": label,
                                                  "subject": message.subject or getattr(message.template, "name", "")}),
            guest=guest, property=message.property, body=message.body[:2000], occurred_at=sent_at,
            data={"message_id": message.pk, "channel": message.channel, "purpose": message.purpose,
                  "source": message.source, "source_id": message.source_id},
        )
        # In the same transaction (a savepoint per hook): observers' rows commit with the "sent" status.
        message.sent_at = sent_at
        hooks.notify(hooks.DELIVERY_HOOKS, message, MessageStatus.SENT, "")
    return MessageStatus.SENT


def send_queued(*, limit: int | None = None, now: dt.datetime | None = None,
                rate_per_second: float | None = None, source: str | None = None,
                source_id: int | None = None) -> BatchResult:
    """Send due queued messages in one batch (the every-minute task). Safe to run in parallel and twice.

    Throttled to `MESSAGING_RATE_PER_SECOND` (providers rate-limit; SMTP servers greylist bursts); emails share one
    SMTP connection for the batch. `source` / `source_id` restrict the batch to one sender's messages (a campaign
    draining its own queue).
    """
    from django.core.mail import get_connection

    from concierge.messaging.channels import EmailChannel

    limit = limit or getattr(settings, "MESSAGING_BATCH_SIZE", 200)
    rate = rate_per_second if rate_per_second is not None else getattr(settings, "MESSAGING_RATE_PER_SECOND", 20)
    check_time = now or timezone.now()
    claim = uuid.uuid4().hex
    only = Q()
    if source is not None:
        only &= Q(source=source)
    if source_id is not None:
        only &= Q(source_id=source_id)
    result = BatchResult(claimed=_claim(only, claim, check_time, limit=limit))
    if not result.claimed:
        return result
    rows = list(Message.objects.filter(claim=claim, status=MessageStatus.SENDING)
                .select_related("guest", "property", "template").order_by("not_before", "created_at", "id"))
    connection = get_connection()
    channels: dict[str, MessageChannel] = {Channel.EMAIL: EmailChannel(connection=connection)}
    interval = 1.0 / rate if rate else 0.0
    try:
        for row in rows:
            started = time.monotonic()
            status = _deliver(row, now=now, channels=channels)
            if status == MessageStatus.SENT:
                result.sent += 1
            elif status == MessageStatus.SUPPRESSED:
                result.suppressed += 1
            elif status == MessageStatus.QUEUED:
                result.deferred += 1
            else:
                result.failed += 1
            if status != MessageStatus.SUPPRESSED and interval:
                time.sleep(max(0.0, interval - (time.monotonic() - started)))
    finally:
        connection.close()
    return result


def messages_release_stale(*, older_than: dt.timedelta = dt.timedelta(minutes=30)) -> int:
    """Rows left `sending` by a dead worker become failed, never re-sent: a provider may already have them."""
    cutoff = timezone.now() - older_than
    return Message.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=cutoff).update(
        status=MessageStatus.FAILED, reason=Reason.PROVIDER_ERROR, error="worker stopped while sending", claim="")


# --- consent ----------------------------------------------------------------------------------------------------


@transaction.atomic
def guest_unsubscribe(*, guest_id: int, channel: str, now: dt.datetime | None = None,
                      reference: str = "") -> Guest | None:
    """The one-click link: record "no" for the channel (honoured by the very next send). Idempotent.

    A merged profile's old links act on the surviving profile. Returns the guest, or None if it no longer exists.
    `reference` (the `?ref=` of a message's link: its idempotency key) names the message whose link was used; it is
    passed to `hooks.UNSUBSCRIBE_HOOKS` (campaign reports) only when that message went to this guest on this channel.
    """
    token_guest_id = guest_id
    guest = Guest.objects.filter(pk=guest_id).first()
    seen: set[int] = set()
    while guest is not None and guest.merged_into_id and guest.pk not in seen:
        seen.add(guest.pk)
        guest = guest.merged_into
    if guest is None or channel not in ConsentChannel.values:
        return guest
    # Lock the guest row so two clicks (the button and the mail client's one-click POST) write one record.
    Guest.objects.select_for_update().filter(pk=guest.pk).first()
    if selectors.consent_in_force(guest_id=guest.pk, channel=channel) is False:
        return guest
    when = now or timezone.now()
    ConsentRecord.objects.create(guest=guest, channel=channel, granted=False, source=UNSUBSCRIBE_SOURCE,
                                 recorded_at=when)
    activity_log(actor=None, kind=ActivityKind.CONSENT, guest=guest, occurred_at=when,
                 summary=LocalizedText(UNSUBSCRIBED_TIMELINE, {"channel": ConsentChannel(channel).label}),
                 data={"channel": channel, "granted": False, "source": UNSUBSCRIBE_SOURCE})
    if hooks.UNSUBSCRIBE_HOOKS:
        message = (Message.objects.filter(idempotency_key=reference[:200], guest_id__in={token_guest_id, guest.pk},
                                          channel=channel).first() if reference else None)
        hooks.notify(hooks.UNSUBSCRIBE_HOOKS, guest, channel, message)
    return guest


# --- templates and rules (staff) --------------------------------------------------------------------------------


def message_template_save(*, actor: Any, template: MessageTemplate) -> MessageTemplate:
    """Create or update a template (placeholders are validated by the model on save)."""
    template.updated_by = actor if getattr(actor, "pk", None) else None
    try:
        template.validate_constraints()
    except ValidationError as exc:
        raise ValidationError({"code": exc.messages}, code="duplicate") from exc
    template.save()
    return template


def suppression_rule_set(*, actor: Any, property: Any, quiet_start: dt.time | None,  # noqa: A002
                         quiet_end: dt.time | None, monthly_cap: int | None) -> SuppressionRule:
    """Set a property's quiet hours (local time) and monthly marketing cap."""
    rule = SuppressionRule.objects.filter(property=property).first() or SuppressionRule(property=property)
    rule.quiet_start, rule.quiet_end, rule.monthly_cap = quiet_start, quiet_end, monthly_cap
    rule.updated_by = actor if getattr(actor, "pk", None) else None
    rule.full_clean()
    rule.save()
    return rule


def messaging_anonymize_guest(*, guest: Guest) -> int:
    """Erasure: the guest's outbox rows lose address and text (queued ones are suppressed first)."""
    Message.objects.filter(guest=guest, status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]).update(
        status=MessageStatus.SUPPRESSED, reason=Reason.ERASED)
    return Message.objects.filter(guest=guest).update(guest=None, recipient="", subject="", body="",
                                                      unsubscribe_url="")
