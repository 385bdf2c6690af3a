"""Writes of the Contracts module: create/update, rates, the status workflow, renewal and the daily job.

Every status change goes through `_transition`, which locks the contract row, checks the move against
`TRANSITIONS`, writes one `ContractEvent` and one timeline entry on the company, all in one transaction.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.contracts.choices import ContractEventKind, ContractStatus
from concierge.contracts.models import Contract, ContractEvent, ContractRate
from concierge.core.choices import ActivityKind
from concierge.core.i18n import LocalizedText
from concierge.core.services import activity_log
from concierge.guests.services import StaleVersionError

S = ContractStatus

# The legal moves: target status -> statuses it may be reached from.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.SENT: (S.DRAFT,),
    S.SIGNED: (S.SENT,),
    S.ACTIVE: (S.SIGNED,),
    S.EXPIRED: (S.ACTIVE,),
    S.TERMINATED: (S.ACTIVE, S.SIGNED),
    S.CANCELLED: (S.DRAFT, S.SENT, S.SIGNED),
}

# Fields a user may change while the contract is a draft or sent.
EDITABLE_FIELDS = (
    "title", "owner", "kind", "start_date", "end_date", "currency", "commission_percent", "allotment_per_night",
    "room_night_commitment", "payment_terms", "terms", "notes",
)


def reminder_days() -> tuple[int, ...]:
    """Days before expiry at which a renewal reminder is due (setting CONTRACT_RENEWAL_REMINDER_DAYS)."""
    days = getattr(settings, "CONTRACT_RENEWAL_REMINDER_DAYS", (60, 30))
    return tuple(sorted({int(d) for d in days}))


@dataclass(frozen=True)
class RateInput:
    """One negotiated rate row as entered (form, API or renewal)."""

    property_id: int
    room_type: str
    season_start: dt.date
    season_end: dt.date
    rate: Decimal
    season_name: str = ""
    breakfast_included: bool = False


# --- validation ---------------------------------------------------------------------------------------------------


def _validate_dates(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end < start:
        raise ValidationError({"end_date": [_("The end date must not be before the start date.")]})


def rates_validate(*, start_date: dt.date, end_date: dt.date, property_ids: Iterable[int],
                   rates: Sequence[RateInput]) -> None:
    """Check rate rows: a property of the contract, a room type, season dates in order and within the contract,
    a rate ≥ 0, and no two seasons overlapping for the same property and room type.

    Errors name the field and the row ("Rate row 2: …") so a formset or an API client can point at it.
    """
    allowed = set(property_ids)
    errors: dict[str, list[str]] = {}

    def add(field: str, row: int, message: str) -> None:
        errors.setdefault(field, []).append(_("Rate row %(row)s: %(message)s") % {"row": row, "message": message})

    for index, r in enumerate(rates, start=1):
        if r.property_id not in allowed:
            add("property", index, _("the property is not one of the contract's properties."))
        if not (r.room_type or "").strip():
            add("room_type", index, _("enter a room type."))
        if r.season_end < r.season_start:
            add("season_end", index, _("the season end is before the season start."))
        if r.season_start < start_date or r.season_start > end_date:
            add("season_start", index, _("the season must start within the contract's validity."))
        if r.season_end > end_date or r.season_end < start_date:
            add("season_end", index, _("the season must end within the contract's validity."))
        if r.rate is None or r.rate < 0:
            add("rate", index, _("the rate must be zero or more."))
    keyed = sorted(enumerate(rates, start=1),
                   key=lambda item: (item[1].property_id, item[1].room_type.strip().lower(), item[1].season_start))
    for (_i, a), (j, b) in zip(keyed, keyed[1:]):
        same = a.property_id == b.property_id and a.room_type.strip().lower() == b.room_type.strip().lower()
        if same and b.season_start <= a.season_end:
            add("season_start", j, _("the season overlaps another season of the same property and room type."))
    if errors:
        raise ValidationError(errors)


# --- create / update ----------------------------------------------------------------------------------------------


def _next_number(year: int) -> str:
    prefix = f"HT{year}-"
    last = (Contract.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    seq = int(last.rsplit("-", 1)[1]) + 1 if last and last.rsplit("-", 1)[1].isdigit() else 1
    return f"{prefix}{seq:04d}"


def _log(*, contract: Contract, actor: Any, msgid: str, params: dict[str, Any], kind: str,
         from_status: str = "", to_status: str = "", reason: str = "", effective_on: dt.date | None = None) -> None:
    """One history row on the contract and one entry on the company's timeline."""
    ContractEvent.objects.create(contract=contract, kind=kind, from_status=from_status, to_status=to_status,
                                 reason=reason[:500], effective_on=effective_on,
                                 by=actor if getattr(actor, "pk", None) else None)
    activity_log(actor=actor, kind=ActivityKind.NOTE, company=contract.company,
                 summary=LocalizedText(msgid, {"number": contract.number, **params}), body=reason,
                 data={"source": "contracts", "contract": contract.pk, "event": kind,
                       "from": from_status, "to": to_status})


@transaction.atomic
def contract_create(*, actor: Any, company: Any, start_date: dt.date, end_date: dt.date, title: str,
                    properties: Iterable[Any], rates: Sequence[RateInput] = (), number: str = "",
                    **values: Any) -> Contract:
    """A new draft contract with its properties and rates. The number is generated unless given."""
    _validate_dates(start_date, end_date)
    property_list = list(properties)
    if not property_list:
        raise ValidationError({"properties": [_("Choose at least one property.")]})
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown contract fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    rates_validate(start_date=start_date, end_date=end_date, property_ids=[p.pk for p in property_list], rates=rates)
    values.setdefault("owner", company.owner)
    contract = Contract(company=company, start_date=start_date, end_date=end_date, title=title,
                        created_by=actor if getattr(actor, "pk", None) else None, **values)
    for _attempt in range(5):  # two creators may pick the same next number: retry with the following one
        contract.number = number or _next_number(start_date.year)
        try:
            with transaction.atomic():
                contract.save()
            break
        except IntegrityError:
            if number:
                raise ValidationError({"number": [_("This contract number is already used.")]}) from None
    else:
        raise ValidationError({"number": [_("Could not allocate a contract number; try again.")]})
    contract.properties.set(property_list)
    _rates_replace(contract, rates)
    _log(contract=contract, actor=actor, kind=ContractEventKind.CREATED, to_status=contract.status,
         msgid=gettext_noop("Contract %(number)s created"), params={})
    return contract


def _rates_replace(contract: Contract, rates: Sequence[RateInput]) -> None:
    contract.rates.all().delete()
    ContractRate.objects.bulk_create([
        ContractRate(contract=contract, property_id=r.property_id, room_type=r.room_type.strip(),
                     season_name=r.season_name, season_start=r.season_start, season_end=r.season_end, rate=r.rate,
                     breakfast_included=r.breakfast_included)
        for r in rates
    ])


def _lock(contract: Contract, expected_version: int | None = None) -> Contract:
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersionError(
            {"version": [_("This contract was changed by someone else. Reload it and apply your change again.")]}
        )
    return locked


@transaction.atomic
def contract_update(*, actor: Any, contract: Contract, expected_version: int | None = None,
                    properties: Iterable[Any] | None = None, rates: Sequence[RateInput] | None = None,
                    **values: Any) -> Contract:
    """Change a draft or sent contract (terms are frozen once signed; renew instead). With `expected_version`,
    refuses to overwrite someone else's newer edit (StaleVersionError → 409 in the API)."""
    locked = _lock(contract, expected_version)
    if not locked.is_editable:
        raise ValidationError(_("A %(status)s contract can no longer be edited; renew it to change terms.")
                              % {"status": locked.get_status_display()})
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown contract fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    for name, value in values.items():
        setattr(locked, name, value)
    _validate_dates(locked.start_date, locked.end_date)
    property_list = list(properties) if properties is not None else list(locked.properties.all())
    if not property_list:
        raise ValidationError({"properties": [_("Choose at least one property.")]})
    current_rates = rates if rates is not None else [
        RateInput(property_id=r.property_id, room_type=r.room_type, season_start=r.season_start,
                  season_end=r.season_end, rate=r.rate, season_name=r.season_name,
                  breakfast_included=r.breakfast_included)
        for r in locked.rates.all()
    ]
    rates_validate(start_date=locked.start_date, end_date=locked.end_date,
                   property_ids=[p.pk for p in property_list], rates=current_rates)
    locked.version += 1  # the row is locked (select_for_update), so a plain increment is safe
    locked.save()
    if properties is not None:
        locked.properties.set(property_list)
    if rates is not None:
        _rates_replace(locked, rates)
    return locked


# --- status workflow ----------------------------------------------------------------------------------------------


def _transition(*, actor: Any, contract: Contract, to: str, reason: str = "", effective_on: dt.date | None = None,
                expected_version: int | None = None, extra: dict[str, Any] | None = None,
                check: Callable[[Contract], None] | None = None) -> Contract:
    """Move `contract` to `to` if the graph allows it, then run the move's own `check` on the locked row (dates,
    rates), so an illegal move is always reported as such first."""
    with transaction.atomic():
        locked = _lock(contract, expected_version)
        allowed_from = TRANSITIONS.get(to, ())
        if locked.status not in allowed_from:
            raise ValidationError(
                {"status": [_("A %(current)s contract cannot be moved to %(target)s (allowed from: %(allowed)s).") % {
                    "current": locked.get_status_display(), "target": S(to).label,
                    "allowed": ", ".join(str(S(s).label) for s in allowed_from)}]},
                code="illegal_transition",
            )
        if check is not None:
            check(locked)
        old = locked.status
        locked.status = to
        for name, value in (extra or {}).items():
            setattr(locked, name, value)
        locked.version += 1
        locked.save()
        _log(contract=locked, actor=actor, kind=ContractEventKind.TRANSITION, from_status=old, to_status=to,
             reason=reason, effective_on=effective_on,
             msgid=gettext_noop("Contract %(number)s: %(from)s → %(to)s"),
             params={"from": S(old).label, "to": S(to).label})
    return locked


def _today() -> dt.date:
    return timezone.localdate()


def contract_send(*, actor: Any, contract: Contract, sent_on: dt.date | None = None,
                  expected_version: int | None = None) -> Contract:
    """Draft → sent (to the customer for signature). A contract without rates cannot be sent."""
    def check(locked: Contract) -> None:
        if not locked.rates.exists():
            raise ValidationError({"rates": [_("Add at least one negotiated rate before sending the contract.")]})

    sent_on = sent_on or _today()
    return _transition(actor=actor, contract=contract, to=S.SENT, effective_on=sent_on,
                       expected_version=expected_version, extra={"sent_on": sent_on}, check=check)


def contract_sign(*, actor: Any, contract: Contract, signed_on: dt.date | None = None,
                  expected_version: int | None = None) -> Contract:
    """Sent → signed, on `signed_on` (default today; not in the future). The daily job activates it on its start."""
    signed_on = signed_on or _today()

    def check(locked: Contract) -> None:
        if signed_on > _today():
            raise ValidationError({"signed_on": [_("The signing date cannot be in the future.")]})

    return _transition(actor=actor, contract=contract, to=S.SIGNED, effective_on=signed_on,
                       expected_version=expected_version, extra={"signed_on": signed_on}, check=check)


def contract_activate(*, actor: Any, contract: Contract, expected_version: int | None = None) -> Contract:
    """Signed → active, from its start date on (normally done by the daily job)."""
    def check(locked: Contract) -> None:
        if locked.start_date > _today():
            raise ValidationError({"start_date": [_("The contract starts on %(date)s; it can be activated from then.")
                                                  % {"date": locked.start_date.isoformat()}]})

    return _transition(actor=actor, contract=contract, to=S.ACTIVE, effective_on=max(contract.start_date, _today()),
                       expected_version=expected_version, extra={"activated_on": _today()}, check=check)


def contract_expire(*, actor: Any, contract: Contract, expected_version: int | None = None) -> Contract:
    """Active → expired, after its end date (normally done by the daily job)."""
    def check(locked: Contract) -> None:
        if locked.end_date >= _today():
            raise ValidationError({"end_date": [_("The contract is valid until %(date)s; it expires after that.")
                                                % {"date": locked.end_date.isoformat()}]})

    ended = contract.end_date + dt.timedelta(days=1)
    return _transition(actor=actor, contract=contract, to=S.EXPIRED, effective_on=ended,
                       expected_version=expected_version, extra={"ended_on": ended}, check=check)


def contract_terminate(*, actor: Any, contract: Contract, reason: str, effective_on: dt.date | None = None,
                       expected_version: int | None = None) -> Contract:
    """Active or signed → terminated early, with a reason and the date the termination takes effect."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the termination.")]})
    effective_on = effective_on or _today()

    def check(locked: Contract) -> None:
        if effective_on < locked.start_date and locked.status == S.ACTIVE:
            raise ValidationError(
                {"effective_on": [_("The termination cannot take effect before the contract starts.")]})

    return _transition(actor=actor, contract=contract, to=S.TERMINATED, reason=reason, effective_on=effective_on,
                       expected_version=expected_version, extra={"ended_on": effective_on, "end_reason": reason},
                       check=check)


def contract_cancel(*, actor: Any, contract: Contract, reason: str, expected_version: int | None = None) -> Contract:
    """Draft, sent or signed (not yet active) → cancelled, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the cancellation.")]})
    return _transition(actor=actor, contract=contract, to=S.CANCELLED, reason=reason, effective_on=_today(),
                       expected_version=expected_version, extra={"ended_on": _today(), "end_reason": reason})


# --- renewal ------------------------------------------------------------------------------------------------------


def _shift(start: dt.date, end: dt.date) -> relativedelta:
    """How far a renewal moves the dates: whole months when the validity is whole months (a year contract renews
    for the next year, leap days included), else its length in days."""
    after = end + dt.timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    if months > 0 and start + relativedelta(months=months) == after:
        return relativedelta(months=months)
    return relativedelta(days=(after - start).days)


@transaction.atomic
def contract_renew(*, actor: Any, contract: Contract) -> Contract:
    """A new draft for the next period, linked by `renewal_of`, with properties, terms and rates copied and all dates
    shifted by the validity's length. Refused while an earlier renewal is still open (not cancelled)."""
    locked = _lock(contract)
    if locked.status not in (S.SIGNED, S.ACTIVE, S.EXPIRED, S.TERMINATED):
        raise ValidationError({"status": [_("Only a signed, active, expired or terminated contract can be renewed.")]})
    if locked.renewals.exclude(status=S.CANCELLED).exists():
        raise ValidationError({"status": [_("This contract already has a renewal in progress.")]})
    delta = _shift(locked.start_date, locked.end_date)
    rates = [
        RateInput(property_id=r.property_id, room_type=r.room_type, season_start=r.season_start + delta,
                  season_end=r.season_end + delta, rate=r.rate, season_name=r.season_name,
                  breakfast_included=r.breakfast_included)
        for r in locked.rates.all()
    ]
    new = contract_create(
        actor=actor, company=locked.company, start_date=locked.start_date + delta, end_date=locked.end_date + delta,
        title=locked.title, properties=locked.properties.all(), rates=rates,
        **{name: getattr(locked, name) for name in EDITABLE_FIELDS
           if name not in ("title", "start_date", "end_date")},
    )
    new.renewal_of = locked
    new.save(update_fields=["renewal_of"])
    _log(contract=locked, actor=actor, kind=ContractEventKind.RENEWED,
         msgid=gettext_noop("Contract %(number)s renewed as %(new)s"), params={"new": new.number})
    return new


# --- the daily job ------------------------------------------------------------------------------------------------


@dataclass
class DailyRunResult:
    activated: int = 0
    expired: int = 0
    reminders: int = 0


def contracts_daily_run(*, today: dt.date | None = None) -> DailyRunResult:
    """Activate signed contracts whose start date has come, expire active ones past their end date, and create the
    renewal reminders that are due. Safe to run twice: each step only picks rows still in the old state (the
    transition re-checks under a row lock) and reminders are deduplicated per contract and threshold."""
    today = today or _today()
    result = DailyRunResult()
    for contract in Contract.objects.filter(status=S.SIGNED, start_date__lte=today).order_by("pk"):
        try:
            _transition(actor=None, contract=contract, to=S.ACTIVE, effective_on=contract.start_date,
                        extra={"activated_on": today})
            result.activated += 1
        except ValidationError:
            continue  # someone moved it meanwhile (cancelled, terminated): nothing to do
    for contract in Contract.objects.filter(status=S.ACTIVE, end_date__lt=today).order_by("pk"):
        ended = contract.end_date + dt.timedelta(days=1)
        try:
            _transition(actor=None, contract=contract, to=S.EXPIRED, effective_on=ended, extra={"ended_on": ended})
            result.expired += 1
        except ValidationError:
            continue
    result.reminders = renewal_reminders_run(today=today)
    return result


def renewal_reminders_run(*, today: dt.date | None = None) -> int:
    """For each signed/active contract ending within a reminder threshold (60 and 30 days by default), one worklist
    task for its owner and one timeline entry per threshold. The tightest threshold reached is used, so a contract
    found 20 days before expiry gets the 30-day reminder only. Contracts with an open renewal are skipped.
    Idempotent: the task's dedupe_key is per contract and threshold. Returns the number of new reminders."""
    from concierge.worklist.models import TaskKind
    from concierge.worklist.services import task_create

    today = today or _today()
    thresholds = reminder_days()
    if not thresholds:
        return 0
    candidates = (Contract.objects.filter(status__in=(S.SIGNED, S.ACTIVE), end_date__gte=today,
                                          end_date__lte=today + dt.timedelta(days=max(thresholds)))
                  .exclude(renewals__status__in=[s for s in S.values if s != S.CANCELLED])
                  .select_related("company", "owner").order_by("end_date", "pk"))
    created = 0
    for contract in candidates:
        days_left = (contract.end_date - today).days
        threshold = next(t for t in thresholds if days_left <= t)
        with transaction.atomic():
            task, is_new = task_create(
                title=_("Renew contract %(number)s with %(company)s (expires %(date)s)") % {
                    "number": contract.number, "company": contract.company, "date": contract.end_date.isoformat()},
                assignee=contract.owner, due_on=max(today, contract.end_date - dt.timedelta(days=14)),
                company=contract.company, kind=TaskKind.RENEWAL, source="contract_renewal", source_id=contract.pk,
                dedupe_key=f"contract:{contract.pk}:renewal:{threshold}",
            )
            if is_new:
                created += 1
                _log(contract=contract, actor=None, kind=ContractEventKind.REMINDER,
                     msgid=gettext_noop("Contract %(number)s expires in %(days)s days: renewal reminder"),
                     params={"days": days_left}, reason="", effective_on=today)
    return created


ACTIONS = ("send", "sign", "activate", "expire", "terminate", "cancel")


def contract_action(*, actor: Any, contract: Contract, action: str, reason: str = "",
                    effective_on: dt.date | None = None, signed_on: dt.date | None = None,
                    expected_version: int | None = None) -> Contract:
    """Run a workflow action by name (the pages and the API post an action name)."""
    common = {"actor": actor, "contract": contract, "expected_version": expected_version}
    if action == "send":
        return contract_send(**common)
    if action == "sign":
        return contract_sign(signed_on=signed_on, **common)
    if action == "activate":
        return contract_activate(**common)
    if action == "expire":
        return contract_expire(**common)
    if action == "terminate":
        return contract_terminate(reason=reason, effective_on=effective_on, **common)
    if action == "cancel":
        return contract_cancel(reason=reason, **common)
    raise ValidationError({"action": [_("Unknown action %(action)s.") % {"action": action}]})
