"""The trigger registry: what enrols guests (or companies) into a journey, each as one set-based query.

A trigger turns (journey, now) into a QuerySet of candidate occurrences, each row annotated with the run columns
it knows (`r_guest`, `r_company`, `r_stay`, `r_property`, `r_owner`) and `r_key`, the occurrence key, which
includes the subject (guest, stay, case, contract) so that UNIQUE(journey, occurrence_key) means "once per guest
per occurrence". `services.journey_enrol` turns that QuerySet into one INSERT … SELECT … ON CONFLICT DO NOTHING:
no Python loop over guests, and a second evaluation (or a concurrent one) inserts nothing new.

Event-like triggers (checkout, first stay, tier change, complaint resolved, no stay) look back `window_days` so a
job that was down for a while catches up, but a journey switched on today does not reach years into the past.
Merged, unsuitable and erased profiles are never candidates.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField, CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concierge.journeys.choices import TierDirection, TriggerKind

# Checkout time assumed for a stay's departure date (the ledger stores dates only), in local time.
CHECKOUT_TIME = dt.time(12, 0)

RUN_COLUMNS = ("guest", "company", "stay", "property", "owner")


@dataclass(frozen=True)
class Param:
    """One setting of a trigger: a whole number within bounds, or a choice."""

    name: str
    label: Promise
    default: Any
    low: int = 0
    high: int = 10_000
    choices: tuple[tuple[str, Any], ...] = ()

    def clean(self, raw: Any) -> Any:
        if self.choices:
            value = "" if raw is None else str(raw)
            if value not in {code for code, _label in self.choices}:
                raise ValidationError({self.name: gettext("Choose one of the offered values.")}, code="invalid")
            return value
        if raw in (None, ""):
            return self.default
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            raise ValidationError({self.name: gettext("Enter a whole number.")}, code="invalid") from None
        if value < self.low or value > self.high:
            raise ValidationError({self.name: gettext("Enter a number from %(low)s to %(high)s.") % {
                "low": self.low, "high": self.high}}, code="out_of_range")
        return value


@dataclass(frozen=True)
class Trigger:
    kind: str
    params: tuple[Param, ...]
    candidates: Callable[[Any, dt.datetime, dict[str, Any]], QuerySet]
    describe: Callable[[dict[str, Any]], str]
    subject: str = "guest"  # or "company"
    unavailable: Callable[[], str] = field(default=lambda: "")  # a reason when the data it needs does not exist

    @property
    def label(self) -> str:
        return str(TriggerKind(self.kind).label)

    def clean_params(self, raw: dict[str, Any] | None) -> dict[str, Any]:
        """The params in stored form; ValidationError keyed by param name (the form shows it on the field)."""
        raw = raw or {}
        cleaned: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for param in self.params:
            try:
                cleaned[param.name] = param.clean(raw.get(param.name))
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


REGISTRY: dict[str, Trigger] = {}


def register(trigger: Trigger) -> None:
    REGISTRY[trigger.kind] = trigger


def get(kind: str) -> Trigger:
    try:
        return REGISTRY[kind]
    except KeyError:
        raise ValidationError({"trigger_kind": gettext("Unknown trigger “%(kind)s”.") % {"kind": kind}},
                              code="unknown_trigger") from None


# --- shared filters -----------------------------------------------------------------------------------------------


def eligible_guest_q(prefix: str = "") -> Q:
    """Profiles a journey may enrol: not merged, not unsuitable, not erased (see messaging.guest_is_erased)."""
    from concierge.guests.models import Guest

    q = Q(**{f"{prefix}merged_into__isnull": True}) & ~Q(**{f"{prefix}status__in": ["unsuitable", "erased"]})
    if any(f.name == "erased_at" for f in Guest._meta.get_fields()):
        q &= Q(**{f"{prefix}erased_at__isnull": True})
    return q


def condition_q(journey: Any) -> Q | None:
    """The journey's condition as a Q on Guest (saved segment first, else the inline definition), or None."""
    from concierge.segments.conditions import clean_definition, compile_definition

    definition = journey.segment.definition if journey.segment_id else journey.condition
    if not definition or not definition.get("items"):
        return None
    return compile_definition(clean_definition(definition))


def _guest_rows(journey: Any, base: Q) -> QuerySet:
    """Guests matching `base`, eligible, in the journey's property (if any) and condition."""
    from concierge.guests.models import Guest, GuestProperty

    qs = Guest.objects.filter(base & eligible_guest_q())
    if journey.property_id:
        qs = qs.filter(Exists(GuestProperty.objects.filter(guest_id=OuterRef("pk"), property_id=journey.property_id)))
    condition = condition_q(journey)
    if condition is not None:
        qs = qs.filter(condition)
    return qs


def _with_guest_filters(journey: Any, qs: QuerySet, guest_field: str = "guest") -> QuerySet:
    """Rows of another model (stays, cases, tier changes) whose guest is eligible and matches the condition."""
    from concierge.guests.models import Guest, GuestProperty

    qs = qs.filter(Q(**{f"{guest_field}__isnull": False}) & eligible_guest_q(f"{guest_field}__"))
    condition = condition_q(journey)
    if condition is not None:
        qs = qs.filter(Exists(Guest.objects.filter(condition, pk=OuterRef(f"{guest_field}_id"))))
    if journey.property_id and not hasattr(qs.model, "property"):
        qs = qs.filter(Exists(GuestProperty.objects.filter(guest_id=OuterRef(f"{guest_field}_id"),
                                                           property_id=journey.property_id)))
    return qs


def _home_property(journey: Any, guest_ref: str) -> Any:
    """The property a guest-based run is for: the journey's, else the guest's most recent property link (the one
    messaging would pick), resolved once at enrolment so no step has to look it up again."""
    from concierge.guests.models import GuestProperty

    if journey.property_id:
        return Value(journey.property_id, output_field=BigIntegerField())
    return Subquery(GuestProperty.objects.filter(guest_id=OuterRef(guest_ref)).order_by("-first_seen", "-id")
                    .values("property_id")[:1])


def _key(prefix: str, *parts: Any) -> Concat:
    """An occurrence key such as "stay:123" built in SQL (parts are column names or Values)."""
    pieces: list[Any] = [Value(prefix)]
    for index, part in enumerate(parts):
        if index:
            pieces.append(Value(":"))
        pieces.append(part if not isinstance(part, str) else Cast(part, CharField()))
    return Concat(*pieces, output_field=CharField())


def _local(now: dt.datetime) -> dt.datetime:
    return timezone.localtime(now)


# --- triggers -----------------------------------------------------------------------------------------------------

DAYS = Param("days", _("days"), 0, 0, 365)
WINDOW = Param("window_days", _("catch-up window (days)"), 2, 1, 366)


def _birthday(journey: Any, now: dt.datetime, params: dict[str, Any]) -> QuerySet:
    target = _local(now).date() + dt.timedelta(days=params["days"])
    days = Q(birthday__month=target.month, birthday__day=target.day)
    if target.month == 2 and target.day == 28 and not _is_leap(target.year):
        days |= Q(birthday__month=2, birthday__day=29)  # 29 February birthdays are celebrated on the 28th
    return _guest_rows(journey, Q(birthday__isnull=False) & days).annotate(
        r_guest=F("pk"), r_property=_home_property(journey, "pk"), r_key=_key(f"birthday:{target.year}:", "pk"))


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _stays(journey: Any) -> QuerySet:
    from concierge.stays.models import Stay

    qs = Stay.objects.all()
    if journey.property_id:
        qs = qs.filter(property_id=journey.property_id)
    return qs


def _stay_columns(qs: QuerySet, prefix: str) -> QuerySet:
    return qs.annotate(r_guest=F("guest_id"), r_stay=F("pk"), r_property=F("property_id"), r_key=_key(prefix, "pk"))


def _checkout(journey: Any, now: dt.datetime, params: dict[str, Any]) -> QuerySet:
    """Stays checked out whose departure (at 12:00 local) + N hours has passed, within the catch-up window."""
    latest = (_local(now) - dt.timedelta(hours=params["hours"]) - dt.timedelta(hours=12)).date()
    earliest = latest - dt.timedelta(days=params["window_days"])
    qs = _stays(journey).filter(status="checked_out", departure__gte=earliest, departure__lte=latest)
    return _stay_columns(_with_guest_filters(journey, qs), "stay:")


def _pre_arrival(journey: Any, now: dt.datetime, params: dict[str, Any]) -> QuerySet:
    """Reserved stays arriving within the next N days (a booking made later than N days ahead is still asked)."""
    today = _local(now).date()
    qs = _stays(journey).filter(status="reserved", arrival__gt=today,
                                arrival__lte=today + dt.timedelta(days=params["days"]))
    return _stay_columns(_with_guest_filters(journey, qs), "arrival:")


def _no_stay(journey: Any, now: dt.datetime, params: dict[str, Any]) -> QuerySet:
    """Guests whose last stay (guests.last_stay_on) passed N months ago within the catch-up window.

    The key holds the last stay date: after a new stay and another lapse, the guest is enrolled again.
    """
    threshold = _local(now).date() - relativedelta(months=params["months"])
    earliest = threshold - dt.timedelta(days=params["window_days"])
    base = Q(last_stay_on__lte=threshold, last_stay_on__gt=earliest)
    return _guest_rows(journey, base).annotate(r_guest=F("pk"), r_property=_home_property(journey, "pk"),
                                               r_key=_key("lapsed:", "pk", "last_stay_on"))


def _first_stay(journey: Any, now: dt.datetime, params: dict[str, Any]) -> QuerySet:
    """A guest's first checked-out stay (group-wide), checked out within the catch-up window."""
    from concierge.stays.models import Stay

    today = _local(now).date()
    earlier = Stay.objects.filter(guest_id=OuterRef("guest_id"), status="checked_out").filter(
        Q(departure__lt=OuterRef("departure")) | Q(departure=OuterRef("departure"), pk__lt=OuterRef("pk")))
    qs = _stays(journey).filter(status="checked_out", departure__gte=today - dt.timedelta(days=params["window_days"]),
                                departure__lte=today).filter(~Exists(earlier))
    return _stay_columns(_with_guest_filters(journey, qs), "first:")


def _tier_change(journey: Any, now: dt.datetime, params: dict[str, Any]) -> QuerySet:
    from concierge.loyalty.models import TierChange

    qs = TierChange.objects.filter(created_at__gte=now - dt.timedelta(days=params["window_days"]), created_at__lte=now)
    if params["direction"]:
        qs = qs.filter(kind=params["direction"])
    qs = _with_guest_filters(journey, qs, "membership__guest")
    return qs.annotate(r_guest=F("membership__guest_id"), r_property=_home_property(journey, "membership__guest_id"),
                       r_key=_key("tier:", "pk"))


def _contract_model() -> Any:
    try:
        from concierge.contracts.models import Contract  # type: ignore[attr-defined]
    except ImportError:
        return None
    names = {f.name for f in Contract._meta.get_fields()}
    return Contract if {"company", "owner", "end_date", "status"} <= names else None


def _contract_unavailable() -> str:
    return "" if _contract_model() is not None else gettext("Not available: the contracts module has no contracts yet.")


def _contract_expiring(journey: Any, now: dt.datetime, params: dict[str, Any]) -> QuerySet:
    Contract = _contract_model()
    if Contract is None:
        raise ValidationError({"trigger_kind": _contract_unavailable()}, code="unavailable")
    from concierge.guests.models import Company

    today = _local(now).date()
    qs = Contract.objects.filter(status__in=["signed", "active"], end_date__gte=today,
                                 end_date__lte=today + dt.timedelta(days=params["days"]), company__isnull=False)
    qs = qs.exclude(company__status="unsuitable")
    if journey.property_id:
        through = Company.properties.through
        qs = qs.filter(Exists(through.objects.filter(company_id=OuterRef("company_id"),
                                                     property_id=journey.property_id)))
    return qs.annotate(r_company=F("company_id"), r_owner=F("owner_id"), r_key=_key("contract:", "pk"))


def _complaint_resolved(journey: Any, now: dt.datetime, params: dict[str, Any]) -> QuerySet:
    """Complaints (cases of type complaint) resolved or closed within the catch-up window; one run per case."""
    from concierge.cases.choices import DONE_STATUSES, CaseType
    from concierge.cases.models import Case

    since = now - dt.timedelta(days=params["window_days"])
    qs = Case.objects.filter(case_type=CaseType.COMPLAINT, status__in=DONE_STATUSES).filter(
        Q(resolved_at__gte=since) | Q(resolved_at__isnull=True, closed_at__gte=since))
    if journey.property_id:
        qs = qs.filter(property_id=journey.property_id)
    qs = _with_guest_filters(journey, qs)
    return qs.annotate(r_guest=F("guest_id"), r_property=F("property_id"), r_owner=F("owner_id"),
                       r_key=_key("case:", "pk"))


def _n(params: dict[str, Any], name: str) -> Any:
    return params.get(name, "?")


register(Trigger(TriggerKind.BIRTHDAY, (DAYS,), _birthday,
                 lambda p: gettext("Birthday in %(days)s days") % {"days": _n(p, "days")}))
register(Trigger(TriggerKind.CHECKOUT, (Param("hours", _("hours after checkout"), 2, 0, 24 * 60), WINDOW),
                 _checkout, lambda p: gettext("Checkout + %(hours)s hours") % {"hours": _n(p, "hours")}))
register(Trigger(TriggerKind.PRE_ARRIVAL, (Param("days", _("days before arrival"), 3, 1, 365),), _pre_arrival,
                 lambda p: gettext("%(days)s days before arrival") % {"days": _n(p, "days")}))
register(Trigger(TriggerKind.NO_STAY, (Param("months", _("months without a stay"), 24, 1, 240),
                                       Param("window_days", _("catch-up window (days)"), 7, 1, 3660)),
                 _no_stay, lambda p: gettext("No stay for %(months)s months") % {"months": _n(p, "months")}))
register(Trigger(TriggerKind.FIRST_STAY, (WINDOW,), _first_stay, lambda p: gettext("First stay checked out")))
register(Trigger(TriggerKind.TIER_CHANGE, (Param("direction", _("direction"), "", choices=tuple(
    TierDirection.choices)), WINDOW), _tier_change,
    lambda p: str(dict(TierDirection.choices).get(p.get("direction", ""), ""))))
register(Trigger(TriggerKind.CONTRACT_EXPIRING, (Param("days", _("days before the end date"), 60, 0, 730),),
                 _contract_expiring,
                 lambda p: gettext("Contract ends within %(days)s days") % {"days": _n(p, "days")},
                 subject="company", unavailable=_contract_unavailable))
register(Trigger(TriggerKind.COMPLAINT_RESOLVED, (WINDOW,), _complaint_resolved,
                 lambda p: gettext("Complaint resolved or closed")))


def describe(journey: Any) -> str:
    trigger = REGISTRY.get(journey.trigger_kind)
    if trigger is None:
        return journey.trigger_kind
    return trigger.describe(journey.trigger_params or {})
