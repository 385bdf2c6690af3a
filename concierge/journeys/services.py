"""Writes of the journeys module: editing journeys and steps, enrolling runs, and moving runs through their steps.

Evaluation (`journeys_evaluate`, every 10 minutes from Celery beat, or "run now"):

1. Enrol, per enabled journey: the trigger's candidate query becomes one INSERT … SELECT … ON CONFLICT DO NOTHING
   on UNIQUE(journey, occurrence_key). A second or concurrent evaluation inserts nothing new.
2. Advance due runs in batches: each batch is claimed with SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite
   serialises writers anyway) inside a short transaction, so two workers never hold the same run. Each run is
   processed in a savepoint: one broken run is marked failed without undoing its batch.
3. Every action is idempotent on its own as well, so even a run processed twice acts once: messages carry the
   idempotency key `journey-run:<run>:step:<step>` (UNIQUE in the outbox), tasks the same `dedupe_key`, tags are a
   set, and points are guarded by the event row (UNIQUE(run, step)) written in the same transaction.

Messages are always queued (`defer=True`): delivery, suppression at send time, quiet hours and caps are the
messaging module's (`send_queued`, every minute). No network I/O happens while run rows are locked. In a batch, the
message steps of all its runs are queued together at the end of the batch (`messages_enqueue_bulk`: one COPY on
PostgreSQL, existing keys skipped), before the batch's events, which then point at the outbox rows holding their keys.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.guests.services import StaleVersionError
from concierge.journeys import triggers
from concierge.journeys.choices import OPEN_STATES, Outcome, RunState, StepKind
from concierge.journeys.models import Journey, JourneyRun, JourneyRunEvent, JourneyStep
from concierge.messaging.choices import Channel

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


# --- editing ------------------------------------------------------------------------------------------------------


def _clean_journey(journey: Journey) -> None:
    trigger = triggers.get(journey.trigger_kind)
    journey.trigger_params = trigger.clean_params(journey.trigger_params)
    if not (journey.name or "").strip():
        raise ValidationError({"name": _("A journey needs a name.")}, code="required")
    if not journey.segment_id and journey.condition:
        from concierge.segments.conditions import clean_definition

        try:
            journey.condition = clean_definition(journey.condition)
        except ValidationError as exc:
            raise ValidationError({"condition": exc.messages}, code="invalid_condition") from exc
    if journey.enabled and trigger.unavailable():
        raise ValidationError({"trigger_kind": trigger.unavailable()}, code="unavailable")


def journey_save(*, actor: Any, journey: Journey, expected_version: int | None = None) -> Journey:
    """Create or update a journey after checking the trigger settings and condition (errors keyed by field)."""
    _clean_journey(journey)
    with transaction.atomic():
        if journey.pk:
            current = Journey.objects.select_for_update().get(pk=journey.pk)
            if expected_version is not None and current.version != expected_version:
                raise StaleVersionError(_("Someone else changed this journey. Reload and try again."))
            journey.version = current.version + 1
        else:
            journey.created_by = actor if getattr(actor, "pk", None) else None
        journey.save()
    return journey


def journey_set_enabled(*, actor: Any, journey: Journey, enabled: bool) -> Journey:
    if enabled and triggers.get(journey.trigger_kind).unavailable():
        raise ValidationError({"enabled": triggers.get(journey.trigger_kind).unavailable()}, code="unavailable")
    Journey.objects.filter(pk=journey.pk).update(enabled=enabled, version=F("version") + 1, updated_at=timezone.now())
    journey.refresh_from_db()
    return journey


STEP_PARAMS: dict[str, tuple[str, ...]] = {
    StepKind.WAIT: ("days", "hours"),
    StepKind.SEND_MESSAGE: ("template_code", "channel", "survey_id"),
    StepKind.CREATE_TASK: ("title", "due_days"),
    StepKind.ADD_TAG: ("tag",),
    StepKind.AWARD_POINTS: ("points", "reason"),
}


def _int(raw: Any, name: str, *, low: int, high: int, default: int | None = None) -> int:
    if raw in (None, "") and default is not None:
        return default
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise ValidationError({name: _("Enter a whole number.")}, code="invalid") from None
    if value < low or value > high:
        raise ValidationError({name: _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}},
                              code="out_of_range")
    return value


def clean_step_params(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The settings of a step in stored form; ValidationError keyed by setting name."""
    from concierge.messaging.models import MessageTemplate

    if kind not in StepKind.values:
        raise ValidationError({"kind": _("Choose a kind of step.")}, code="invalid")
    if kind == StepKind.WAIT:
        days = _int(raw.get("days"), "days", low=0, high=3650, default=0)
        hours = _int(raw.get("hours"), "hours", low=0, high=24 * 365, default=0)
        if not days and not hours:
            raise ValidationError({"days": _("Wait at least one hour or one day.")}, code="required")
        return {"days": days, "hours": hours}
    if kind == StepKind.SEND_MESSAGE:
        code = (raw.get("template_code") or "").strip()
        channel = (raw.get("channel") or "").strip()
        if channel not in Channel.values:
            raise ValidationError({"channel": _("Choose a channel.")}, code="invalid")
        if not code:
            raise ValidationError({"template_code": _("Choose a message template.")}, code="required")
        if not MessageTemplate.objects.filter(code=code, channel=channel, is_active=True).exists():
            raise ValidationError({"template_code": _("No active template “%(code)s” for channel %(channel)s.")
                                   % {"code": code, "channel": channel}}, code="unknown_template")
        params: dict[str, Any] = {"template_code": code, "channel": channel}
        if raw.get("survey_id") not in (None, ""):
            from concierge.surveys.models import Survey

            survey_id = _int(raw.get("survey_id"), "survey_id", low=1, high=2**31)
            if not Survey.objects.filter(pk=survey_id).exists():
                raise ValidationError({"survey_id": _("Choose an existing survey.")}, code="invalid")
            params["survey_id"] = survey_id
        return params
    if kind == StepKind.CREATE_TASK:
        title = (raw.get("title") or "").strip()
        if not title:
            raise ValidationError({"title": _("A task needs a title.")}, code="required")
        return {"title": title[:200], "due_days": _int(raw.get("due_days"), "due_days", low=0, high=365, default=3)}
    if kind == StepKind.ADD_TAG:
        tag = (raw.get("tag") or "").strip()
        if not tag:
            raise ValidationError({"tag": _("Enter a tag.")}, code="required")
        if len(tag) > 60:
            raise ValidationError({"tag": _("A tag has at most 60 characters.")}, code="max_length")
        return {"tag": tag}
    points = _int(raw.get("points"), "points", low=1, high=1_000_000)
    reason = (raw.get("reason") or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the points.")}, code="required")
    return {"points": points, "reason": reason[:200]}


def _touch(journey: Journey) -> None:
    Journey.objects.filter(pk=journey.pk).update(version=F("version") + 1, updated_at=timezone.now())


def step_add(*, actor: Any, journey: Journey, kind: str, params: dict[str, Any]) -> JourneyStep:
    """Append a step (settings checked first)."""
    cleaned = clean_step_params(kind, params)
    with transaction.atomic():
        Journey.objects.select_for_update().get(pk=journey.pk)
        last = journey.steps.aggregate(m=Max("position"))["m"]
        step = JourneyStep.objects.create(journey=journey, kind=kind, params=cleaned,
                                          position=0 if last is None else last + 1)
        _touch(journey)
    return step


def _renumber(journey: Journey, ordered: list[JourneyStep]) -> None:
    for index, step in enumerate(ordered):
        if step.position != index:
            step.position = index
            step.save(update_fields=["position"])


def step_remove(*, actor: Any, step: JourneyStep) -> None:
    """Delete a step. Runs in flight continue by position (the audit keeps the kind of the deleted step)."""
    journey = step.journey
    with transaction.atomic():
        Journey.objects.select_for_update().get(pk=journey.pk)
        step.delete()
        _renumber(journey, list(journey.steps.order_by("position", "id")))
        _touch(journey)


def step_move(*, actor: Any, step: JourneyStep, offset: int) -> None:
    """Move a step up (-1) or down (+1)."""
    journey = step.journey
    with transaction.atomic():
        Journey.objects.select_for_update().get(pk=journey.pk)
        ordered = list(journey.steps.order_by("position", "id"))
        index = next(i for i, s in enumerate(ordered) if s.pk == step.pk)
        target = index + offset
        if 0 <= target < len(ordered):
            ordered[index], ordered[target] = ordered[target], ordered[index]
            _renumber(journey, ordered)
            _touch(journey)


# --- enrolment ----------------------------------------------------------------------------------------------------


@dataclass
class EnrolResult:
    journey_id: int
    created: int = 0
    candidates: int | None = None
    seconds: float = 0.0
    error: str = ""


def _insert_runs(journey: Journey, candidates: Any, now: dt.datetime) -> int:
    """INSERT … SELECT the candidate rows as runs, skipping occurrences already enrolled (ON CONFLICT DO NOTHING)."""
    annotations = candidates.query.annotations
    present = [c for c in triggers.RUN_COLUMNS if f"r_{c}" in annotations]
    inner = candidates.order_by().values(*[f"r_{c}" for c in present], "r_key")
    inner_sql, inner_params = inner.query.sql_with_params()
    table = connection.ops.quote_name(JourneyRun._meta.db_table)
    columns = [f"{c}_id" for c in triggers.RUN_COLUMNS] + [
        "journey_id", "occurrence_key", "state", "position", "next_at", "journey_version", "reason", "enrolled_at",
        "updated_at"]
    values = [f"c.r_{c}" if c in present else "NULL" for c in triggers.RUN_COLUMNS] + [
        "%s", "c.r_key", "%s", "0", "%s", "%s", "''", "%s", "%s"]
    stamp = connection.ops.adapt_datetimefield_value(now)
    sql = (f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(c) for c in columns)}) "
           f"SELECT {', '.join(values)} FROM ({inner_sql}) c WHERE true ON CONFLICT DO NOTHING")
    # The outer placeholders all sit in the SELECT list, before FROM (inner): they come first.
    params = (journey.pk, RunState.ACTIVE, stamp, journey.version, stamp, stamp, *inner_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def journey_enrol(*, journey: Journey, now: dt.datetime | None = None, count_candidates: bool = False) -> EnrolResult:
    """Enrol the trigger's current occurrences into runs (each occurrence once, ever)."""
    now = now or timezone.now()
    started = time.perf_counter()
    result = EnrolResult(journey_id=journey.pk)
    trigger = triggers.get(journey.trigger_kind)
    reason = trigger.unavailable()
    if reason:
        result.error = reason
        return result
    try:
        params = trigger.clean_params(journey.trigger_params)
        candidates = trigger.candidates(journey, now, params)
        if count_candidates:
            result.candidates = candidates.order_by().count()
        with transaction.atomic():
            result.created = _insert_runs(journey, candidates, now)
    except ValidationError as exc:
        result.error = "; ".join(exc.messages)
    Journey.objects.filter(pk=journey.pk).update(last_evaluated_at=now)
    result.seconds = time.perf_counter() - started
    return result


# --- advancing runs -----------------------------------------------------------------------------------------------


@dataclass
class AdvanceResult:
    processed: int = 0
    completed: int = 0
    waiting: int = 0
    exited: int = 0
    failed: int = 0
    actions: int = 0
    seconds: float = 0.0

    def add(self, other: "AdvanceResult") -> None:
        for name in ("processed", "completed", "waiting", "exited", "failed", "actions"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _Writes:
    """Event rows and run updates of one batch, written together at its end (one INSERT, a few UPDATEs)."""

    events: list[JourneyRunEvent] = field(default_factory=list)
    runs: list[JourneyRun] = field(default_factory=list)
    # Message steps of the batch: (run, step, context, event), queued together by `_queue_messages`.
    sends: list[tuple[JourneyRun, JourneyStep, dict[str, Any], JourneyRunEvent]] = field(default_factory=list)

    def flush(self, now: dt.datetime) -> None:
        if self.sends:
            _queue_messages(self.sends, now)
        JourneyRunEvent.objects.bulk_create(self.events, batch_size=1000, ignore_conflicts=True)
        groups: dict[tuple, list[int]] = {}
        for run in self.runs:
            groups.setdefault((run.state, run.position, run.next_at, run.finished_at, run.reason), []).append(run.pk)
        for (state, position, next_at, finished_at, reason), ids in groups.items():
            JourneyRun.objects.filter(pk__in=ids).update(state=state, position=position, next_at=next_at,
                                                         finished_at=finished_at, reason=reason, updated_at=now)


def _key(run: JourneyRun, step: JourneyStep) -> str:
    return f"journey-run:{run.pk}:step:{step.pk}"


def _record(run: JourneyRun, step: JourneyStep, outcome: str, now: dt.datetime, *, guard: bool = False,
            writes: _Writes | None = None, **values: Any) -> JourneyRunEvent | None:
    """Write the step's event; None when the step already has one (it acted before: the caller does nothing).

    In a batch (`writes`), events of steps whose action is idempotent by itself (message key, task dedupe key,
    tag set) are collected and inserted together, skipping duplicates; `guard` events (points, which have no key
    of their own) are inserted at once in a savepoint, before the action, and decide whether it happens.
    """
    if not guard and writes is not None:
        event = JourneyRunEvent(run=run, step=step, step_kind=step.kind, outcome=outcome, created_at=now, **values)
        writes.events.append(event)  # written with the batch (one INSERT for all its events)
        return event
    try:
        with transaction.atomic():
            return JourneyRunEvent.objects.create(run=run, step=step, step_kind=step.kind, outcome=outcome,
                                                  created_at=now, **values)
    except IntegrityError:
        return None


def _guest_blocked(guest: Any) -> str:
    from concierge.messaging.services import guest_is_erased

    if guest is None:
        return ""
    if guest_is_erased(guest):
        return _("The guest was erased.")
    if guest.merged_into_id:
        return _("The guest was merged into another profile.")
    if guest.status == "unsuitable":
        return _("The guest is marked unsuitable.")
    return ""


def _survey_url(run: JourneyRun, survey_id: int, now: dt.datetime) -> str:
    """A single-use survey link for the run's stay (reusing the stay's invitation to that survey, if any)."""
    from concierge.surveys.choices import InvitationSource, InvitationStatus
    from concierge.surveys.models import Invitation, Survey
    from concierge.surveys.services.inviting import guest_language, invitation_link
    from concierge.surveys.tokens import new_public_id

    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None or run.guest is None:
        return ""
    invitation = Invitation.objects.filter(survey=survey, stay_id=run.stay_id).first() if run.stay_id else None
    if invitation is None:
        # The journey's own message carries the link, so the invitation is recorded as sent (the survey
        # dispatcher must not mail it a second time).
        invitation = Invitation(
            survey=survey, guest=run.guest, stay_id=run.stay_id, property_id=run.property_id or survey.property_id,
            source=InvitationSource.POST_STAY, public_id=new_public_id(), language=guest_language(run.guest),
            status=InvitationStatus.SENT, email=run.guest.email, created_at=now, sent_at=now,
            expires_at=now + dt.timedelta(days=survey.link_valid_days))
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:
            invitation = Invitation.objects.get(survey=survey, stay_id=run.stay_id)
    return invitation_link(invitation)


def _queue_messages(sends: list[tuple[JourneyRun, JourneyStep, dict[str, Any], JourneyRunEvent]],
                    now: dt.datetime) -> None:
    """Queue the message steps of a whole batch at once: the rows `send_message(defer=True)` would create, with the
    same idempotency keys, inserted by `messages_enqueue_bulk` (an existing key is skipped: a run processed twice
    still has one message); then each step's event points at the outbox row that holds its key, with its status."""
    from concierge.messaging.models import Message
    from concierge.messaging.services import message_build, message_template, messages_enqueue_bulk

    templates: dict[tuple[str, str], Any] = {}
    keys = [_key(run, step) for run, step, _context, _event in sends]
    existing = set(Message.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    rows = []
    for (run, step, context, _event), key in zip(sends, keys, strict=True):
        if key in existing:
            continue
        code, channel = step.params["template_code"], step.params["channel"]
        if (code, channel) not in templates:
            templates[code, channel] = message_template(code, channel)
        rows.append(message_build(guest=run.guest, template=templates[code, channel], idempotency_key=key,
                                  context=context, source="journey", source_id=run.journey_id,
                                  property=run.property, now=now))
    if rows:
        messages_enqueue_bulk(messages=rows)
    saved = {key: (pk, status, reason, channel) for key, pk, status, reason, channel in Message.objects.filter(
        idempotency_key__in=keys).values_list("idempotency_key", "pk", "status", "reason", "channel")}
    for (_run, _step, _context, event), key in zip(sends, keys, strict=True):
        pk, status, reason, channel = saved[key]
        event.message_id = pk
        event.reason = reason or ""
        event.detail = {"status": status, "channel": channel}


def _do_send(run: JourneyRun, step: JourneyStep, now: dt.datetime, writes: _Writes | None) -> None:
    from concierge.messaging.services import send_message

    if run.guest is None:
        _record(run, step, Outcome.SKIPPED, now, writes=writes, reason=_("No guest to send to."))
        return
    context: dict[str, Any] = {}
    if step.params.get("survey_id"):
        context["survey_url"] = _survey_url(run, step.params["survey_id"], now)
    if writes is not None:
        # In a batch: the message is queued with the batch's others at flush (one bulk insert), before the events.
        event = _record(run, step, Outcome.DONE, now, writes=writes)
        writes.sends.append((run, step, context, event))
        return
    message = send_message(guest=run.guest, template_code=step.params["template_code"],
                           channel=step.params["channel"], idempotency_key=_key(run, step), context=context,
                           source="journey", source_id=run.journey_id, property=run.property, now=now, defer=True)
    _record(run, step, Outcome.DONE, now, writes=writes, message=message,
            reason=message.reason or "", detail={"status": message.status, "channel": message.channel})


def _task_owner(run: JourneyRun) -> Any:
    if run.guest is not None and run.guest.owner_id:
        return run.guest.owner
    company = run.company or (run.guest.company if run.guest is not None else None)
    if company is not None and company.owner_id:
        return company.owner
    return run.owner or run.journey.fallback_owner


def _do_task(run: JourneyRun, step: JourneyStep, now: dt.datetime, writes: _Writes | None) -> None:
    from concierge.worklist.services import task_create

    owner = _task_owner(run)
    subject = run.guest or run.company
    notes = _("Created by the journey “%(journey)s” for %(subject)s.") % {
        "journey": run.journey.name, "subject": subject}
    task, _created = task_create(
        title=step.params["title"], assignee=owner,
        due_on=timezone.localdate(now) + dt.timedelta(days=int(step.params.get("due_days") or 0)),
        guest=run.guest, company=run.company, property=run.property, notes=notes, source="journey",
        source_id=run.journey_id, dedupe_key=_key(run, step))
    _record(run, step, Outcome.DONE, now, writes=writes, task=task,
            reason="" if owner else _("Nobody to assign: no account manager and no fallback owner."))


def _do_tag(run: JourneyRun, step: JourneyStep, now: dt.datetime, writes: _Writes | None) -> None:
    from concierge.guests.models import Tag

    tag, _created = Tag.objects.get_or_create(name=step.params["tag"])
    if run.guest is not None:
        run.guest.tags.add(tag)  # a set: adding twice is a no-op
    elif run.company is not None:
        run.company.tags.add(tag)
    _record(run, step, Outcome.DONE, now, writes=writes, detail={"tag": tag.name})


def _do_points(run: JourneyRun, step: JourneyStep, now: dt.datetime, writes: _Writes | None) -> None:
    from concierge.loyalty.models import Membership
    from concierge.loyalty.services import points_adjust

    membership = Membership.objects.filter(guest=run.guest).first() if run.guest is not None else None
    if membership is None:
        _record(run, step, Outcome.SKIPPED, now, writes=writes, reason=_("The guest is not a loyalty member."))
        return
    # The event row comes first, in the same transaction as the points: if it exists, the points were given.
    event = _record(run, step, Outcome.DONE, now, guard=True)
    if event is None:
        return
    row = points_adjust(actor=None, membership=membership, points=int(step.params["points"]),
                        reason=step.params["reason"])
    event.detail = {"points": row.points, "transaction_id": row.pk}
    event.save(update_fields=["detail"])


ACTIONS = {
    StepKind.SEND_MESSAGE: _do_send,
    StepKind.CREATE_TASK: _do_task,
    StepKind.ADD_TAG: _do_tag,
    StepKind.AWARD_POINTS: _do_points,
}


def _advance_run(run: JourneyRun, steps: list[JourneyStep], now: dt.datetime, result: AdvanceResult,
                 writes: _Writes | None = None) -> None:
    """Run the steps from `run.position` until a wait step or the end. Called with the run row locked."""
    blocked = _guest_blocked(run.guest)
    if blocked:
        run.state, run.next_at, run.finished_at, run.reason = RunState.EXITED, None, now, blocked[:300]
        event = JourneyRunEvent(run=run, outcome=Outcome.EXITED, reason=run.reason, created_at=now)
        if writes is not None:
            writes.events.append(event)
        else:
            event.save()
        result.exited += 1
        return
    while run.position < len(steps):
        step = steps[run.position]
        run.position += 1
        if step.kind == StepKind.WAIT:
            until = now + dt.timedelta(days=int(step.params.get("days") or 0), hours=int(step.params.get("hours") or 0))
            _record(run, step, Outcome.WAITING, now, writes=writes, detail={"until": until.isoformat()})
            run.state, run.next_at = RunState.WAITING, until
            result.waiting += 1
            return
        ACTIONS[step.kind](run, step, now, writes)
        result.actions += 1
    run.state, run.next_at, run.finished_at = RunState.COMPLETED, None, now
    result.completed += 1


def _save_run(run: JourneyRun, now: dt.datetime) -> None:
    run.updated_at = now
    run.save(update_fields=["state", "position", "next_at", "finished_at", "reason", "updated_at"])


def _load_runs(ids: list[int]) -> list[JourneyRun]:
    return list(JourneyRun.objects.filter(pk__in=ids).order_by("next_at", "id").select_related(
        "journey", "journey__fallback_owner", "guest", "guest__owner", "guest__company__owner", "company__owner",
        "property", "owner"))


def _steps_of(run: JourneyRun, cache: dict[int, list[JourneyStep]]) -> list[JourneyStep]:
    if run.journey_id not in cache:
        cache[run.journey_id] = list(run.journey.steps.order_by("position", "id"))
    return cache[run.journey_id]


def _process_batch(ids: list[int], now: dt.datetime, result: AdvanceResult, steps_cache: dict[int, list]) -> None:
    """Advance the (locked) runs: the whole batch in one savepoint; if anything breaks, again run by run, so one
    broken run is marked failed (with the error) and the others go on."""
    trial = AdvanceResult()
    try:
        with transaction.atomic():
            writes = _Writes()
            for run in _load_runs(ids):
                _advance_run(run, _steps_of(run, steps_cache), now, trial, writes)
                writes.runs.append(run)
                trial.processed += 1
            writes.flush(now)
    except Exception:  # noqa: BLE001 - retried one by one below, where the failing run is recorded
        logger.info("journey batch failed; retrying run by run", exc_info=True)
    else:
        result.add(trial)
        return
    for run in _load_runs(ids):
        single = AdvanceResult()
        try:
            with transaction.atomic():
                _advance_run(run, _steps_of(run, steps_cache), now, single)
                _save_run(run, now)
        except Exception as exc:  # noqa: BLE001 - one broken run must not stop the others; it is recorded
            logger.exception("journey run %s failed", run.pk)
            message = exc.messages[0] if isinstance(exc, ValidationError) else f"{type(exc).__name__}: {exc}"
            run = JourneyRun.objects.get(pk=run.pk)
            run.state, run.next_at, run.finished_at, run.reason = RunState.FAILED, None, now, message[:300]
            JourneyRunEvent.objects.create(run=run, outcome=Outcome.FAILED, reason=run.reason, created_at=now)
            _save_run(run, now)
            single = AdvanceResult(failed=1)
        single.processed = 1
        result.add(single)


def runs_advance(*, now: dt.datetime | None = None, journey_ids: list[int] | None = None,
                 batch_size: int = BATCH_SIZE, limit: int | None = None) -> AdvanceResult:
    """Move every due run of enabled journeys forward, batch by batch (each batch claimed with SKIP LOCKED)."""
    now = now or timezone.now()
    started = time.perf_counter()
    result = AdvanceResult()
    steps_cache: dict[int, list] = {}
    seen: set[int] = set()
    while limit is None or result.processed < limit:
        with transaction.atomic():
            due = JourneyRun.objects.filter(state__in=OPEN_STATES, next_at__lte=now, journey__enabled=True)
            if journey_ids is not None:
                due = due.filter(journey_id__in=journey_ids)
            size = batch_size if limit is None else min(batch_size, limit - result.processed)
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True, of=("self",))
            ids = [pk for pk in due.order_by("next_at", "id").values_list("pk", flat=True)[:size] if pk not in seen]
            if not ids:  # nothing due (a processed run is never due again in the same pass: waits are ≥ 1 hour)
                break
            seen.update(ids)
            _process_batch(ids, now, result, steps_cache)
    result.seconds = time.perf_counter() - started
    return result


# --- the whole evaluation -----------------------------------------------------------------------------------------


@dataclass
class EvaluationResult:
    enrolments: list[EnrolResult] = field(default_factory=list)
    advance: AdvanceResult = field(default_factory=AdvanceResult)

    def as_dict(self) -> dict[str, Any]:
        return {
            "journeys": [{"journey_id": e.journey_id, "created": e.created, "candidates": e.candidates,
                          "seconds": round(e.seconds, 3), "error": e.error} for e in self.enrolments],
            "advance": {k: (round(v, 3) if isinstance(v, float) else v) for k, v in vars(self.advance).items()},
        }


def journeys_evaluate(*, now: dt.datetime | None = None, journey_ids: list[int] | None = None,
                      count_candidates: bool = False) -> EvaluationResult:
    """Enrol for every enabled journey (or the given ones), then advance due runs."""
    now = now or timezone.now()
    result = EvaluationResult()
    journeys = Journey.objects.filter(enabled=True).order_by("pk")
    if journey_ids is not None:
        journeys = journeys.filter(pk__in=journey_ids)
    for journey in journeys.select_related("segment"):
        result.enrolments.append(journey_enrol(journey=journey, now=now, count_candidates=count_candidates))
    result.advance = runs_advance(now=now, journey_ids=journey_ids)
    return result
