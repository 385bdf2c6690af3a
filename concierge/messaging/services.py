"""Sending messages to guests: suppression first, render in the guest's language, deliver once, log on the timeline.

Flow of one message (`send_message`, or `send_queued` for the backlog):

1. The idempotency key is UNIQUE on the outbox: a second call with the same key returns the first row and sends
   nothing, even when two workers race (the loser's INSERT fails and it reads the winner's row).
2. The row is created `queued` with the text rendered in the guest's language.
3. Delivery claims the row with a conditional UPDATE (queued -> sending) and a lease, so only one live worker ever
   sends it (a dead worker's claims are taken over once the lease ran out: `messages_release_stale`); then it
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
from dataclasses import dataclass, field
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
from concierge.core.leases import ClaimHeartbeat, claim_lease, mail_connection
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


class _Facts:
    """What suppression reads from the database, one query each (one message at a time)."""

    def last_consent(self, guest_id: int, channel: str) -> Any:
        return selectors.last_consent(guest_id=guest_id, channel=channel)

    def rule(self, property_id: int | None) -> SuppressionRule:
        return selectors.rule_for(property_id)

    def marketing_sent(self, guest_id: int, since: dt.datetime, exclude_pk: int | None) -> int:
        return selectors.marketing_sent_since(guest_id=guest_id, since=since, exclude_pk=exclude_pk)


class _BatchFacts(_Facts):
    """The same facts for a claimed batch, read with a few set-based queries when the batch starts.

    Consent and rules are as of the start of the batch (a batch lasts seconds); the monthly counts start from the
    database and count every message of the batch handed to the provider (`count_send`), so the cap holds.
    """

    def __init__(self, rows: list[Message], now: dt.datetime) -> None:
        from django.db.models import Count

        guest_ids = {row.guest_id for row in rows if row.guest_id}
        channels = {row.channel for row in rows}
        self.consent: dict[tuple[int, str], ConsentRecord] = {}
        for record in (ConsentRecord.objects.filter(guest_id__in=guest_ids, channel__in=channels)
                       .order_by("guest_id", "channel", "-recorded_at", "-id")
                       .only("guest_id", "channel", "granted", "source", "recorded_at")):
            self.consent.setdefault((record.guest_id, record.channel), record)
        property_ids = {row.property_id for row in rows if row.property_id}
        self.rules = {rule.property_id: rule for rule in SuppressionRule.objects.filter(property_id__in=property_ids)}
        self.sent: dict[dt.datetime, dict[int, int]] = {}
        marketing = [row for row in rows if row.purpose == Purpose.MARKETING and row.guest_id]
        for since in {month_start(tz=selectors.property_timezone(row.property), now=now) for row in marketing}:
            self.sent[since] = dict(
                Message.objects.filter(guest_id__in={row.guest_id for row in marketing}, purpose=Purpose.MARKETING,
                                       status=MessageStatus.SENT, sent_at__gte=since)
                .values_list("guest_id").annotate(n=Count("id")).values_list("guest_id", "n"))
        self.addresses: dict[tuple[int, str], str] = {}
        other = {row.channel for row in rows} - {Channel.EMAIL, Channel.SMS}
        if other:
            from concierge.messaging.models import ChannelAddress

            for guest_id, channel, address in (ChannelAddress.objects.filter(guest_id__in=guest_ids, channel__in=other)
                                               .order_by("id").values_list("guest_id", "channel", "address")):
                self.addresses.setdefault((guest_id, channel), address)

    def last_consent(self, guest_id: int, channel: str) -> Any:
        return self.consent.get((guest_id, channel))

    def rule(self, property_id: int | None) -> SuppressionRule:
        return selectors.DEFAULT_RULE if property_id is None else self.rules.get(property_id, selectors.DEFAULT_RULE)

    def marketing_sent(self, guest_id: int, since: dt.datetime, exclude_pk: int | None) -> int:
        counts = self.sent.get(since)
        if counts is None:  # not prefetched (another time zone): ask the database
            return super().marketing_sent(guest_id, since, exclude_pk)
        return counts.get(guest_id, 0)

    def count_send(self, message: Message) -> None:
        if message.purpose == Purpose.MARKETING and message.guest_id:
            for counts in self.sent.values():
                counts[message.guest_id] = counts.get(message.guest_id, 0) + 1

    def address(self, guest: Guest | None, channel: str) -> str:
        if guest is None:
            return ""
        if channel in (Channel.EMAIL, Channel.SMS):
            return selectors.channel_address(guest=guest, channel=channel)
        return self.addresses.get((guest.pk, channel), "")


DB_FACTS = _Facts()


def suppression_decision(*, guest: Guest | None, channel: str, purpose: str, property_: Any, recipient: str,
                         now: dt.datetime, message_pk: int | None = None, facts: _Facts = DB_FACTS) -> Decision:
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
    record = facts.last_consent(guest.pk, channel)
    if record is not None and not record.granted:
        return Decision(Reason.UNSUBSCRIBED if record.source == UNSUBSCRIBE_SOURCE else Reason.NO_CONSENT)
    if purpose == Purpose.MARKETING and record is None:
        return Decision(Reason.NO_CONSENT)
    if not recipient:
        return Decision(Reason.NO_ADDRESS)
    if purpose != Purpose.MARKETING:
        return Decision()
    rule = facts.rule(getattr(property_, "pk", None))
    tz = selectors.property_timezone(property_)
    if rule.monthly_cap is not None:
        sent = facts.marketing_sent(guest.pk, month_start(tz=tz, now=now), message_pk)
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
    message = message_build(guest=guest, template=_template(template_code, channel), idempotency_key=idempotency_key,
                            context=context, source=source, source_id=source_id, purpose=purpose, property=property,
                            now=now)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # Another worker inserted the same key between our look-up and our INSERT: theirs is the message.
        return Message.objects.get(idempotency_key=idempotency_key)
    if defer:
        return message
    claim = uuid.uuid4().hex[:24]
    if _claim(Q(pk=message.pk), claim, now or timezone.now(), limit=1):
        _deliver(Message.objects.select_related("guest", "property", "template").get(pk=message.pk),
                 now=now, channels={})
    message.refresh_from_db()
    return message


def message_build(*, guest: Guest, template: MessageTemplate, idempotency_key: str,
                  context: dict[str, Any] | None = None, source: str = "", source_id: int | None = None,
                  purpose: str | None = None, property: Any = None,  # noqa: A002
                  now: dt.datetime | None = None) -> Message:
    """The unsaved `queued` outbox row `send_message` would create (rendered in the guest's language).

    For callers that queue many messages at once through `messages_enqueue_bulk` (journeys, campaigns): the row is
    the same as `send_message(..., defer=True)` makes, field for field. Look the template up once per batch with
    `message_template(code, channel)`.
    """
    channel = template.channel
    property_ = _property(guest, property)
    rendered = render_for_guest(template=template, guest=guest, property_=property_, context=context)
    return Message(
        guest=guest, property=property_, channel=channel, purpose=purpose or template.purpose, template=template,
        language=rendered.language, subject=rendered.subject, body=rendered.body,
        recipient=selectors.channel_address(guest=guest, channel=channel),
        unsubscribe_url=unsubscribe_url(guest_id=guest.pk, channel=channel),
        source=source[:40], source_id=source_id, idempotency_key=idempotency_key[:200],
        created_at=now or timezone.now(), status=MessageStatus.QUEUED,
    )


def message_template(code: str, channel: str) -> MessageTemplate:
    """The active template for a code and channel; ValidationError (naming the field) if there is none."""
    return _template(code, channel)


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


# A claimed row is `sending` with claim "~<token>" while it waits in its batch (never handed to a provider: safe to
# queue again), and "<token>" from the moment it is handed over (in doubt after a crash: never sent again).
PENDING = "~"


def _claim(condition: Q, claim: str, now: dt.datetime, *, limit: int) -> int:
    """Take due queued rows for this worker with one conditional UPDATE: a row is only ever claimed once.

    On PostgreSQL the candidates are locked with SKIP LOCKED, so parallel workers take different rows instead of
    queueing behind each other; the conditional UPDATE (status still queued) is what guarantees a single owner.
    """
    from django.db import connection

    due = Q(status=MessageStatus.QUEUED) & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    with transaction.atomic():
        candidates = Message.objects.filter(condition & due).order_by("not_before", "created_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return 0
        return Message.objects.filter(due, pk__in=ids).update(status=MessageStatus.SENDING, claim=PENDING + claim,
                                                              claimed_at=timezone.now())


def _envelope(message: Message, recipient: str) -> Envelope:
    data: dict[str, Any] = {}
    if message.channel == Channel.EMAIL and hooks.EMAIL_HTML_HOOKS:
        from concierge.messaging.channels.email import html_from_text

        data["html"] = hooks.rewrite_html(message, html_from_text(message.body))
    return Envelope(
        to=recipient, subject=message.subject, body=message.body, language=message.language,
        reference=message.idempotency_key, provider_template_id=message.template.provider_template_id
        if message.template else "", unsubscribe_url=message.unsubscribe_url,
        from_name=rendering.build_context(guest=message.guest, property_=message.property,
                                          language=message.language)["property"]["name"],
        reply_to=getattr(message.property, "email", "") or "",
        data=data,
    )


def _timeline_entry(message: Message, sent_at: dt.datetime) -> Any:
    """The "sent" timeline row of a message (as `activity_log` writes it), unsaved: batches insert them together."""
    from concierge.core.models import Activity

    summary = LocalizedText(SENT_TIMELINE, {"channel": Channel(message.channel).label,
                                            "subject": message.subject or getattr(message.template, "name", "")})
    return Activity(
        actor=None, kind=ActivityKind.EMAIL if message.channel == Channel.EMAIL else ActivityKind.MESSAGE,
        summary=summary.render_in("en")[:300], guest=message.guest, property=message.property,
        body=message.body[:2000], occurred_at=sent_at,
        data={"message_id": message.pk, "channel": message.channel, "purpose": message.purpose,
              "source": message.source, "source_id": message.source_id, "summary_i18n": summary.as_data()},
    )


def _retry_or_fail(rows: Any, message: Message, exc: ChannelError, attempts: int) -> str:
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


def _deliver(message: Message, *, now: dt.datetime | None, channels: dict[str, MessageChannel]) -> str:
    """Check suppression and send one claimed (`sending`) row (`send_message` without defer). The final status."""
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
    envelope = _envelope(message, recipient)
    # Handed over from here on: the claim loses its "pending" mark (a crash now leaves the row in doubt).
    rows.update(attempts=F("attempts") + 1, recipient=recipient, claim=message.claim.lstrip(PENDING))
    try:
        receipt = channel.send(envelope)
    except ChannelError as exc:
        return _retry_or_fail(rows, message, exc, message.attempts + 1)
    sent_at = timezone.now()
    with transaction.atomic():
        rows.update(status=MessageStatus.SENT, sent_at=sent_at, provider_message_id=receipt.provider_message_id[:200],
                    reason="", error="", not_before=None, claim="")
        _timeline_entry(message, sent_at).save()
        # In the same transaction (a savepoint per hook): observers' rows commit with the "sent" status.
        message.sent_at = sent_at
        hooks.notify(hooks.DELIVERY_HOOKS, message, MessageStatus.SENT, "")
    return MessageStatus.SENT


@dataclass
class _Chunk:
    """The writes of a batch not yet committed: outcomes of sent rows, and the rows about to be handed over."""

    sent: list[tuple[Message, str, dt.datetime]] = field(default_factory=list)
    suppressed: dict[str, list[int]] = field(default_factory=dict)
    deferred: dict[tuple[str, dt.datetime], list[int]] = field(default_factory=dict)
    handing: list[tuple[Message, str]] = field(default_factory=list)


def _notify_sent(messages: list[Message]) -> None:
    """DELIVERY_HOOKS for sent rows: a hook with a `for_batch` attribute gets the whole list in one call."""
    for hook in hooks.DELIVERY_HOOKS:
        batch = getattr(hook, "for_batch", None)
        if batch is not None:
            hooks.notify([batch], messages)
        else:
            for message in messages:
                hooks.notify([hook], message, MessageStatus.SENT, "")


def _mark_sent(sent: list[tuple[Message, str, dt.datetime]], claim: str) -> None:
    """One UPDATE for the rows the provider accepted (each with its own time and provider id), only if still ours."""
    from django.db import connection
    from django.db.models import Case, CharField, DateTimeField, Value, When

    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Message._meta.db_table)
        values = ", ".join(["(%s, %s::timestamptz, %s)"] * len(sent))
        params: list[Any] = [x for m, pid, at in sent for x in (m.pk, at, pid[:200])]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS m SET status = %s, reason = '', error = '', not_before = NULL, claim = '', "  # noqa: S608
                f"sent_at = v.sent_at, provider_message_id = v.pid FROM (VALUES {values}) AS v(id, sent_at, pid) "
                f"WHERE m.id = v.id AND m.status = %s AND m.claim = %s",
                [MessageStatus.SENT, *params, MessageStatus.SENDING, claim])
        return
    Message.objects.filter(pk__in=[m.pk for m, _id, _at in sent], status=MessageStatus.SENDING, claim=claim).update(
        status=MessageStatus.SENT, reason="", error="", not_before=None, claim="",
        sent_at=Case(*[When(pk=m.pk, then=Value(at)) for m, _id, at in sent], output_field=DateTimeField()),
        provider_message_id=Case(*[When(pk=m.pk, then=Value(pid[:200])) for m, pid, _at in sent],
                                 output_field=CharField()))


def _relaxed_commit() -> None:
    """PostgreSQL, `MESSAGING_SYNCHRONOUS_COMMIT` off: this transaction's commit does not wait for the WAL flush.

    A killed *worker* loses nothing by it (the database server has the commit); only a crash of the database
    server itself can lose the last ~0.6 s of outcomes, whose messages are then in doubt and sent again with the
    same Message-ID, as after a killed worker. It keeps per-message commits cheap (no disk flush per message)."""
    from django.db import connection

    if connection.vendor == "postgresql" and not getattr(settings, "MESSAGING_SYNCHRONOUS_COMMIT", False):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _commit_chunk(chunk: _Chunk, claim: str, heartbeat: ClaimHeartbeat | None = None) -> None:
    """One transaction: record what the provider accepted (sent + timeline + hooks), suppressed and deferred rows,
    then mark the next rows as handed over. Every UPDATE is conditional on the row still being ours: rows another
    worker took over (our lease ran out) are dropped from `chunk.handing` and not sent by us."""
    from concierge.core.models import Activity

    if not (chunk.sent or chunk.suppressed or chunk.deferred or chunk.handing):
        return
    waiting = Message.objects.filter(status=MessageStatus.SENDING, claim=PENDING + claim)
    with transaction.atomic():
        _relaxed_commit()
        if chunk.sent:
            _mark_sent(chunk.sent, claim)
            Activity.objects.bulk_create([_timeline_entry(m, at) for m, _id, at in chunk.sent], batch_size=500)
            for message, _id, at in chunk.sent:
                message.sent_at = at
            _notify_sent([message for message, _id, _at in chunk.sent])
        for reason, ids in chunk.suppressed.items():
            waiting.filter(pk__in=ids).update(status=MessageStatus.SUPPRESSED, reason=reason, claim="")
        for (reason, until), ids in chunk.deferred.items():
            waiting.filter(pk__in=ids).update(status=MessageStatus.QUEUED, reason=reason, not_before=until, claim="")
        if chunk.handing:
            ids = [m.pk for m, _r in chunk.handing]
            handed = waiting.filter(pk__in=ids).update(attempts=F("attempts") + 1, claim=claim)
            if handed < len(ids):
                ours = set(Message.objects.filter(pk__in=ids, status=MessageStatus.SENDING, claim=claim)
                           .values_list("pk", flat=True))
                chunk.handing = [(m, r) for m, r in chunk.handing if m.pk in ours]
            for message, recipient in chunk.handing:
                if recipient != message.recipient:
                    Message.objects.filter(pk=message.pk).update(recipient=recipient)
                message.recipient = recipient
        if heartbeat is not None:
            heartbeat.beat()
    chunk.sent, chunk.suppressed, chunk.deferred = [], {}, {}


def send_queued(*, limit: int | None = None, now: dt.datetime | None = None,
                rate_per_second: float | None = None, source: str | None = None,
                source_id: int | None = None) -> BatchResult:
    """Send due queued messages in one batch (the every-minute task). Safe to run in parallel and twice.

    Throttled to `MESSAGING_RATE_PER_SECOND` (providers rate-limit; SMTP servers greylist bursts); emails share one
    SMTP connection for the batch. `source` / `source_id` restrict the batch to one sender's messages (a campaign
    draining its own queue).

    The database work: one claim (UPDATE of up to `MESSAGING_BATCH_SIZE` rows, with a lease renewed by a
    heartbeat), the suppression facts of the whole batch in a few set-based queries, then one transaction per chunk
    of `MESSAGING_COMMIT_EVERY` messages (default 1: per message) that records the previous chunk's outcomes (sent
    rows, timeline entries, delivery hooks, suppressed and deferred rows) and marks the next chunk as handed over.

    Guarantee (docs/messaging.md, "Killed workers"): a row is marked `sent` in the commit right after the provider
    accepted it. Rows of the batch never handed over go back to `queued` (at the end of the batch, after an error,
    or via `messages_release_stale` once the lease of a killed worker ran out). After a kill, the rows handed over
    whose outcome was not committed — with per-message commits, the single message in flight — are in doubt: they
    are sent again with the same Message-ID / Idempotency-Key (no loss; a duplicate is recognisable, and HTTP
    gateways de-duplicate on the key). An SMTP error is recorded per message (retry or failed).
    """
    from concierge.messaging.channels import EmailChannel

    limit = limit or getattr(settings, "MESSAGING_BATCH_SIZE", 200)
    rate = rate_per_second if rate_per_second is not None else getattr(settings, "MESSAGING_RATE_PER_SECOND", 20)
    commit_every = max(1, int(getattr(settings, "MESSAGING_COMMIT_EVERY", 1)))
    check_time = now or timezone.now()
    claim = uuid.uuid4().hex[:24]
    only = Q()
    if source is not None:
        only &= Q(source=source)
    if source_id is not None:
        only &= Q(source_id=source_id)
    result = BatchResult(claimed=_claim(only, claim, check_time, limit=limit))
    if not result.claimed:
        return result
    rows = list(Message.objects.filter(claim=PENDING + claim, status=MessageStatus.SENDING)
                .select_related("guest", "property", "template").order_by("not_before", "created_at", "id"))
    interval = 1.0 / rate if rate else 0.0
    chunk = _Chunk()
    heartbeat = ClaimHeartbeat(Message.objects.filter(claim__in=[PENDING + claim, claim], status=MessageStatus.SENDING))
    connection = None
    not_started: set[int] = set()  # marked as handed over, but the loop stopped before their turn
    try:
        facts = _BatchFacts(rows, check_time)
        connection = mail_connection()
        if any(row.channel == Channel.EMAIL for row in rows):
            _open(connection)  # one SMTP connection (session) for the whole batch
        channels: dict[str, MessageChannel] = {Channel.EMAIL: EmailChannel(connection=connection)}
        for start in range(0, len(rows), commit_every):
            # Decide the chunk's rows, then commit (previous outcomes + "handed over" for these) before sending.
            for message in rows[start:start + commit_every]:
                when = now or timezone.now()
                recipient = facts.address(message.guest, message.channel)
                decision = suppression_decision(guest=message.guest, channel=message.channel,
                                                purpose=message.purpose, property_=message.property,
                                                recipient=recipient, now=when, message_pk=message.pk, facts=facts)
                if decision.not_before is not None:
                    chunk.deferred.setdefault((decision.reason, decision.not_before), []).append(message.pk)
                    result.deferred += 1
                elif not decision.send:
                    chunk.suppressed.setdefault(decision.reason, []).append(message.pk)
                    result.suppressed += 1
                else:
                    chunk.handing.append((message, recipient))
                    facts.count_send(message)  # the cap counts messages being sent too
            _commit_chunk(chunk, claim, heartbeat)
            handing, chunk.handing = chunk.handing, []
            not_started.update(message.pk for message, _recipient in handing)
            for message, recipient in handing:
                not_started.discard(message.pk)
                started = time.monotonic()
                channel = channels.get(message.channel) or channels.setdefault(message.channel,
                                                                              get_channel(message.channel))
                try:
                    receipt = channel.send(_envelope(message, recipient))
                except ChannelError as exc:
                    # Recorded at once (rare): its own conditional UPDATE, then the hooks.
                    status = _retry_or_fail(Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING,
                                                                   claim=claim),
                                            message, exc, message.attempts + 1)
                    if status == MessageStatus.FAILED:
                        result.failed += 1
                    else:
                        result.deferred += 1
                    if message.channel == Channel.EMAIL and exc.retryable:
                        _open(connection, reopen=True)  # the session may be broken: start a new one
                else:
                    chunk.sent.append((message, receipt.provider_message_id, timezone.now()))
                    result.sent += 1
                if interval:
                    time.sleep(max(0.0, interval - (time.monotonic() - started)))
        _commit_chunk(chunk, claim)
    finally:
        try:
            if chunk.sent:  # an error mid-chunk: what the provider accepted is still recorded as sent
                _commit_chunk(_Chunk(sent=chunk.sent), claim)
        finally:
            # Rows never handed over (an error stopped the batch) go back to the queue for the next run.
            Message.objects.filter(claim=PENDING + claim, status=MessageStatus.SENDING).update(
                status=MessageStatus.QUEUED, claim="")
            if not_started:
                Message.objects.filter(pk__in=not_started, claim=claim, status=MessageStatus.SENDING).update(
                    status=MessageStatus.QUEUED, claim="", attempts=F("attempts") - 1)
            if connection is not None:
                connection.close()
    return result


def _open(connection: Any, *, reopen: bool = False) -> None:
    """Open the email backend's connection now, so the batch's messages share it (Django's backend otherwise opens
    and closes one per message). A failure here is left to each message's send, which reports it per row."""
    import smtplib

    try:
        if reopen:
            connection.close()
        connection.open()
    except (OSError, smtplib.SMTPException):
        logger.warning("email connection could not be opened; each message will report the error", exc_info=True)
        connection.close()


IN_DOUBT = "worker stopped while sending; sent again with the same Message-ID"


def messages_release_stale(*, older_than: dt.timedelta | None = None) -> int:
    """Take over the rows of dead workers (claims whose lease ran out), so every message is still sent.

    Rows never handed to a provider (claim still pending) are queued again. A row handed over whose outcome was not
    recorded (the one in flight when the worker died: the provider may or may not have it) is queued again too, as
    a retry: it goes out with the same Message-ID / Idempotency-Key, so the receiving side can recognise the
    duplicate; after `MESSAGING_MAX_ATTEMPTS` hand-overs it becomes failed instead. Returns the rows released.
    """
    cutoff = timezone.now() - (older_than if older_than is not None else claim_lease())
    stale = Message.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=cutoff)
    released = stale.filter(claim__startswith=PENDING).update(status=MessageStatus.QUEUED, claim="")
    in_doubt = stale.exclude(claim__startswith=PENDING)
    failed = in_doubt.filter(attempts__gte=getattr(settings, "MESSAGING_MAX_ATTEMPTS", 5)).update(
        status=MessageStatus.FAILED, reason=Reason.PROVIDER_ERROR, error="worker stopped while sending", claim="")
    return released + failed + in_doubt.update(status=MessageStatus.QUEUED, reason=Reason.RETRY, error=IN_DOUBT,
                                               not_before=None, claim="")


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
