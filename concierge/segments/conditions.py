"""The condition registry: every field a segment can filter on, its operators, its value and its SQL.

A definition is a tree::

    {"op": "and" | "or", "items": [
        {"field": "region", "operator": "in", "value": ["east"]},
        {"op": "or", "items": [...]},
    ]}

Each field compiles to a `Q` on `Guest`. Everything that looks at other tables (stays, tags, preferences, survey
answers, customer value, lifetime value) is an `EXISTS` or an `IN (SELECT … GROUP BY … HAVING …)` on indexed
columns, so PostgreSQL plans semi/anti-joins and a count over a million guests stays within a second. Nothing here
loops over guests in Python.

Conditions are numbered by their position: "2" is the second item of the top group, "2.1" the first item of the
group in position 2. Validation messages name that number ("condition 3: value must be a month 1–12").
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from django.core.exceptions import ValidationError
from django.db.models import Avg, Case, CharField, Count, Exists, F, Min, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Upper
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from concierge.core import regions

MAX_DEPTH = 4
MAX_CONDITIONS = 60
GROUP_OPS = ("and", "or")


class ConditionError(Exception):
    """A value that does not fit its field (the message is translated and shown with the condition number)."""


# --- operators and value kinds ------------------------------------------------------------------------------------

OPERATOR_LABELS: dict[str, Promise] = {
    "in": _("is any of"),
    "not_in": _("is none of"),
    "all": _("has all of"),
    "empty": _("is empty"),
    "gte": _("at least"),
    "lte": _("at most"),
    "eq": _("exactly"),
    "lt": _("below"),
    "before": _("before"),
    "after": _("on or after"),
    "within_days": _("within the last … days"),
    "not_within_days": _("more than … days ago"),
    "never": _("never"),
    "this_month": _("this month"),
    "next_month": _("next month"),
    "contains": _("contains"),
    "not_contains": _("does not contain"),
}

# Value kinds (each has a widget in templates/segments/partials/value_<kind>.html and a cleaner below).
MULTI = "multi"            # list of choice values
CODES = "codes"            # list of free codes, typed comma-separated
DATE = "date"              # one date
DAYS = "days"              # a whole number of days
NONE = "none"              # no value
MONTHS = "months"          # list of months 1–12
AMOUNT_PERIOD = "amount_period"  # {"amount", "from", "to", "last_days"}
MULTI_PERIOD = "multi_period"    # {"values", "from", "to", "last_days"}
PREFERENCE = "preference"  # {"category", "text"}
SURVEY = "survey"          # {"measure", "scale", "amount", "from", "to", "last_days"}
RFM_SCORE = "rfm_score"    # {"score": r|f|m, "amount": 1–5}
NUMBER = "number"          # a number
CELLS = "cells"            # RFM cells such as "555", typed comma-separated

Choices = list[tuple[str, str]]


@dataclass(frozen=True)
class FieldSpec:
    """One field of the builder: label, operators, value kind per operator, choices, and the SQL it compiles to."""

    key: str
    label: Promise
    section: Promise
    operators: tuple[str, ...]
    kind: str
    build: Callable[[str, Any], Q]
    choices: Callable[[Any], Choices] | None = None
    kinds: dict[str, str] = field(default_factory=dict)  # operator -> kind, where it differs from `kind`
    strict_choices: bool = True  # values must be among the choices (False: the choices are only suggestions)
    help: Promise | str = ""

    def kind_for(self, operator: str) -> str:
        return self.kinds.get(operator, self.kind)

    def choice_list(self, user: Any = None) -> Choices:
        return [(str(v), str(label)) for v, label in self.choices(user)] if self.choices else []


REGISTRY: dict[str, FieldSpec] = {}


def _register(spec: FieldSpec) -> None:
    REGISTRY[spec.key] = spec


# --- helpers --------------------------------------------------------------------------------------------------


def _all() -> Q:
    # An explicit "true": `Q()` would vanish when OR-ed with a sibling and change the meaning of the group.
    return Q(pk__isnull=False)


def _none() -> Q:
    return Q(pk__in=[])


def _today() -> dt.date:
    return timezone.localdate()


def _parse_date(raw: Any, what: str) -> dt.date:
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except (TypeError, ValueError):
        raise ConditionError(gettext("%(what)s must be a date (YYYY-MM-DD)") % {"what": what}) from None


def _parse_int(raw: Any, what: str, *, low: int | None = None, high: int | None = None) -> int:
    try:
        number = int(str(raw).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            message = gettext("%(what)s must be a whole number from %(low)s to %(high)s")
        elif low is not None:
            message = gettext("%(what)s must be a whole number of at least %(low)s")
        else:
            message = gettext("%(what)s must be a whole number")
        raise ConditionError(message % {"what": what, "low": low, "high": high})
    return number


def _parse_decimal(raw: Any, what: str, *, low: Decimal | None = None, high: Decimal | None = None) -> Decimal:
    try:
        number = Decimal(str(raw).strip())
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, TypeError, ValueError):
        raise ConditionError(gettext("%(what)s must be a number") % {"what": what}) from None
    if (low is not None and number < low) or (high is not None and number > high):
        raise ConditionError(gettext("%(what)s must lie between %(low)s and %(high)s") % {
            "what": what, "low": low, "high": high})
    return number


def _period(value: dict[str, Any]) -> tuple[dt.date | None, dt.date | None]:
    """(from, to) of a cleaned period: fixed dates, or the last N days up to today."""
    if value.get("last_days"):
        today = _today()
        return today - dt.timedelta(days=int(value["last_days"])), today
    start = dt.date.fromisoformat(value["from"]) if value.get("from") else None
    end = dt.date.fromisoformat(value["to"]) if value.get("to") else None
    return start, end


def _clean_period(raw: dict[str, Any]) -> dict[str, Any]:
    start = _parse_date(raw["from"], gettext("the start")) if raw.get("from") not in (None, "") else None
    end = _parse_date(raw["to"], gettext("the end")) if raw.get("to") not in (None, "") else None
    last_days = raw.get("last_days")
    last = None
    if last_days not in (None, ""):
        last = _parse_int(last_days, gettext("the number of days"), low=1, high=36500)
    if last and (start or end):
        raise ConditionError(gettext("give either dates or a number of days, not both"))
    if start and end and start > end:
        raise ConditionError(gettext("the start is after the end"))
    return {"from": start.isoformat() if start else None, "to": end.isoformat() if end else None, "last_days": last}


def _describe_period(value: dict[str, Any]) -> str:
    if value.get("last_days"):
        return gettext("in the last %(days)s days") % {"days": value["last_days"]}
    start, end = value.get("from"), value.get("to")
    if start and end:
        return gettext("from %(start)s to %(end)s") % {"start": start, "end": end}
    if start:
        return gettext("since %(start)s") % {"start": start}
    if end:
        return gettext("until %(end)s") % {"end": end}
    return gettext("at any time")


def _aware_bounds(start: dt.date | None, end: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Local-midnight datetimes for a date range on a timestamp column (so its index can be used)."""
    tz = timezone.get_current_timezone()
    low = dt.datetime.combine(start, dt.time.min, tzinfo=tz) if start else None
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz) if end else None
    return low, high


def _compare(lookup_base: str, operator: str, amount: Any) -> dict[str, Any]:
    lookup = {"gte": "gte", "lte": "lte", "eq": "exact", "lt": "lt"}[operator]
    return {f"{lookup_base}__{lookup}": amount}


# --- the value cleaner (one per kind) --------------------------------------------------------------------------


def _as_list(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = raw.replace("，", ",").split(",")
    if not isinstance(raw, (list, tuple)):
        raw = [raw]
    return [str(v).strip() for v in raw if str(v).strip()]


def clean_value(spec: FieldSpec, operator: str, raw: Any, user: Any = None) -> Any:
    """The value in its stored form, or ConditionError with a message saying what is wrong."""
    kind = spec.kind_for(operator)
    if kind == NONE:
        return None
    if kind in (MULTI, CODES, CELLS):
        values = list(dict.fromkeys(_as_list(raw)))
        if not values:
            raise ConditionError(gettext("choose at least one value"))
        if spec.key == "province":
            values = list(dict.fromkeys(regions.province_key(v) for v in values))
            unknown = [v for v in values if v not in regions.PROVINCE_REGION]
            if unknown:
                raise ConditionError(gettext("unknown province “%(value)s”") % {"value": unknown[0]})
            return values
        if kind == CODES:
            values = [v.upper() for v in values]
            bad = [v for v in values if len(v) != 2 or not v.isalpha()]
            if bad:
                raise ConditionError(gettext("“%(value)s” is not a two-letter country code") % {"value": bad[0]})
            return list(dict.fromkeys(values))
        if kind == CELLS:
            bad = [v for v in values if len(v) != 3 or any(ch not in "12345" for ch in v)]
            if bad:
                raise ConditionError(gettext("“%(value)s” is not an RFM cell (three digits 1–5, e.g. 545)")
                                     % {"value": bad[0]})
            return values
        if spec.strict_choices and spec.choices is not None:
            allowed = {str(v) for v, _label in spec.choices(None)}
            unknown = [v for v in values if v not in allowed]
            if unknown:
                raise ConditionError(gettext("“%(value)s” is not a valid choice") % {"value": unknown[0]})
        return values
    if kind == DATE:
        return _parse_date(raw, gettext("the value")).isoformat()
    if kind == DAYS:
        return _parse_int(raw, gettext("the number of days"), low=1, high=36500)
    if kind == MONTHS:
        values = _as_list(raw)
        if not values:
            raise ConditionError(gettext("choose at least one month"))
        months = []
        for v in values:
            try:
                month = int(v)
            except ValueError:
                month = 0
            if not 1 <= month <= 12:
                raise ConditionError(gettext("value must be a month 1–12"))
            months.append(month)
        return sorted(set(months))
    if kind == NUMBER:
        low, high = (Decimal("0"), Decimal("1")) if spec.key == "p_alive" else (None, None)
        return float(_parse_decimal(raw, gettext("the value"), low=low, high=high))
    if not isinstance(raw, dict):
        raise ConditionError(gettext("the value is incomplete"))
    if kind == AMOUNT_PERIOD:
        if raw.get("amount") in (None, ""):
            raise ConditionError(gettext("enter an amount"))
        amount = _parse_decimal(raw["amount"], gettext("the amount"), low=Decimal("0"))
        if spec.key != "revenue" and amount != amount.to_integral_value():
            raise ConditionError(gettext("the amount must be a whole number"))
        return {"amount": str(amount) if spec.key == "revenue" else int(amount), **_clean_period(raw)}
    if kind == MULTI_PERIOD:
        values = _as_list(raw.get("values"))
        if not values:
            raise ConditionError(gettext("choose at least one value"))
        allowed = {str(v) for v, _label in spec.choices(None)} if spec.choices else set(values)
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ConditionError(gettext("“%(value)s” is not a valid choice") % {"value": unknown[0]})
        return {"values": values, **_clean_period(raw)}
    if kind == PREFERENCE:
        from concierge.guests.choices import PreferenceCategory

        category = str(raw.get("category") or "")
        text = str(raw.get("text") or "").strip()
        if category and category not in PreferenceCategory.values:
            raise ConditionError(gettext("“%(value)s” is not a preference category") % {"value": category})
        if not category and not text:
            raise ConditionError(gettext("choose a category or enter a text"))
        return {"category": category, "text": text[:200]}
    if kind == SURVEY:
        measure = raw.get("measure") or "avg"
        scale = str(raw.get("scale") or "5")
        if measure not in ("avg", "min"):
            raise ConditionError(gettext("measure must be the average or the lowest score"))
        if scale not in ("5", "10"):
            raise ConditionError(gettext("scale must be 1–5 or 0–10"))
        if raw.get("amount") in (None, ""):
            raise ConditionError(gettext("enter a score"))
        top = Decimal(scale)
        amount = _parse_decimal(raw["amount"], gettext("the score"), low=Decimal("0"), high=top)
        return {"measure": measure, "scale": scale, "amount": str(amount), **_clean_period(raw)}
    if kind == RFM_SCORE:
        score = raw.get("score")
        if score not in ("r", "f", "m"):
            raise ConditionError(gettext("choose R, F or M"))
        return {"score": score, "amount": _parse_int(raw.get("amount"), gettext("the score"), low=1, high=5)}
    raise ConditionError(gettext("the value is incomplete"))  # pragma: no cover - every kind is handled above


# --- profile fields ---------------------------------------------------------------------------------------------

PROFILE = _("Profile")
STAYS = _("Stays")
VALUE = _("Value & feedback")


def _region_choices(user: Any) -> Choices:
    return [(code, str(label)) for code, label in regions.REGION_LABELS.items()]


def _region_q(code: str, prefix: str) -> Q:
    """Addresses in a region. Like `core.regions.region_q`, but provinces written in pinyin or English count too."""
    return _regions_q([code], prefix)


def _regions_q(codes: list[str], prefix: str) -> Q:
    """Addresses in any of the regions: the OR of `_region_q` of each, with the provinces of all of them folded into
    one `IN` list (and one case-blind `IN` list for Latin spellings), so a sequential scan of a million guests
    evaluates two hashed array lookups per row instead of dozens of comparisons."""
    keys: list[str] = []
    q = _none()
    for code in codes:
        if code == regions.UNKNOWN:
            q |= ~_regions_q([*regions.REGIONS, regions.INTERNATIONAL], prefix)
        elif code == regions.INTERNATIONAL:
            q |= regions.region_q(code, prefix=prefix)
        else:
            keys.extend(k for k in regions.provinces_in(code) if k not in keys)
            if code == "hmt":
                q |= Q(**{f"{prefix}country__in": ["HK", "MO", "TW"]})
    if keys:
        q = _province_q(keys, prefix) | q
    return q


def region_case(*, prefix: str = "") -> Case:
    """The region code of each row as SQL (for GROUP BY), with the same folding as the region condition."""
    whens = [When(_region_q(code, prefix), then=Value(code)) for code in [*regions.REGIONS, regions.INTERNATIONAL]]
    return Case(*whens, default=Value(regions.UNKNOWN), output_field=CharField())


def _build_region(prefix: str) -> Callable[[str, Any], Q]:
    def build(operator: str, value: Any) -> Q:
        q = _regions_q(list(value), prefix)
        return q if operator == "in" else ~q
    return build


_register(FieldSpec("region", _("Region"), PROFILE, ("in", "not_in"), MULTI, _build_region(""), _region_choices,
                    help=_("From the guest's address (province, or country outside mainland China).")))
_register(FieldSpec("company_region", _("Company region"), PROFILE, ("in", "not_in"), MULTI,
                    _build_region("company__"), _region_choices, help=_("From the address of the guest's company.")))


def _build_in(column: str) -> Callable[[str, Any], Q]:
    def build(operator: str, value: Any) -> Q:
        if operator == "empty":
            return Q(**{f"{column}__isnull": True}) if column.endswith("_id") else Q(**{column: ""})
        q = Q(**{f"{column}__in": value})
        return q if operator == "in" else ~q
    return build


_register(FieldSpec("country", _("Country"), PROFILE, ("in", "not_in"), CODES, _build_in("country"),
                    help=_("Two-letter codes separated by commas, e.g. CN, HK, US.")))


def _province_choices(user: Any) -> Choices:
    return [(p, p) for _code, (_label, provinces) in regions.REGIONS.items() for p in provinces]


_SPACED = {"innermongolia": "inner mongolia", "hongkong": "hong kong"}


def _province_q(keys: list[str], prefix: str = "") -> Q:
    """Chinese spellings ("浙江", "浙江省") by an IN list; Latin ones ("Zhejiang", "zhejiang province") case-blind,
    so addresses imported in pinyin or English fold to the same province (as `province_key` does)."""
    names = []
    for key in keys:
        names.append(key)
        names.extend(key + suffix for suffix in regions._SUFFIXES)  # the same spellings `region_q` matches
    q = Q(**{f"{prefix}province__in": names})
    latin_spellings = [text for latin, key in regions._LATIN.items() if key in keys
                       for spelling in sorted({latin, _SPACED.get(latin, latin)})
                       for text in (spelling, f"{spelling} province")]
    if not latin_spellings:
        return q
    if not prefix:
        # `province__iexact` is UPPER(province) = UPPER('…') on PostgreSQL and LIKE on SQLite (both ASCII-blind for
        # these Latin spellings): the same rows as one UPPER(province) IN (…), which PostgreSQL hashes.
        return q | Q(In(Upper("province"), sorted({text.upper() for text in latin_spellings})))
    # Through a nullable join (the company) keep the plain lookups, whose negation Django makes NULL-safe.
    for text in latin_spellings:
        q |= Q(**{f"{prefix}province__iexact": text})
    return q


def _build_province(operator: str, value: Any) -> Q:
    q = _province_q(list(value))
    return q if operator == "in" else ~q


_register(FieldSpec("province", _("Province"), PROFILE, ("in", "not_in"), MULTI, _build_province, _province_choices))


def _industry_choices(user: Any) -> Choices:
    from concierge.guests.models import Industry

    return [(i.code, str(i)) for i in Industry.objects.all()]


def _build_industry(operator: str, value: Any) -> Q:
    from concierge.guests.models import Company

    companies = Company.objects.filter(industry__code__in=value).order_by()
    if operator == "in":
        # An uncorrelated `company_id IN (SELECT …)` (a hashed subplan over a few thousand companies): sanely
        # costed, where the correlated EXISTS was estimated per guest (and JIT-compiled for nothing).
        return Q(company_id__in=companies.values("pk"))
    return ~Q(Exists(companies.filter(pk=OuterRef("company_id"))))


_register(FieldSpec("industry", _("Industry"), PROFILE, ("in", "not_in"), MULTI, _build_industry, _industry_choices,
                    help=_("The industry of the guest's company.")))


def _channel_choices(user: Any) -> Choices:
    from concierge.guests.choices import SourceChannel

    return list(SourceChannel.choices)


_register(FieldSpec("channel", _("Source channel"), PROFILE, ("in", "not_in"), MULTI, _build_in("source_channel"),
                    _channel_choices))


def _tag_choices(user: Any) -> Choices:
    from concierge.guests.models import Tag

    return [(t, t) for t in Tag.objects.order_by("name").values_list("name", flat=True)[:500]]


def _build_tags(operator: str, value: Any) -> Q:
    from concierge.guests.models import Guest

    through = Guest.tags.through
    if operator == "all":
        q = _all()
        for name in value:
            q &= Q(Exists(through.objects.filter(guest_id=OuterRef("pk"), tag__name=name)))
        return q
    exists = Exists(through.objects.filter(guest_id=OuterRef("pk"), tag__name__in=value))
    return Q(exists) if operator == "in" else ~Q(exists)


_register(FieldSpec("tags", _("Tags"), PROFILE, ("in", "all", "not_in"), MULTI, _build_tags, _tag_choices,
                    strict_choices=False))


def _tier_choices(user: Any) -> Choices:
    from concierge.guests.models import Guest

    tiers = Guest.objects.exclude(tier="").order_by("tier").values_list("tier", flat=True).distinct()[:100]
    return [(t, t) for t in tiers]


_register(FieldSpec("tier", _("Tier"), PROFILE, ("in", "not_in", "empty"), MULTI, _build_in("tier"), _tier_choices,
                    kinds={"empty": NONE}, strict_choices=False))


def _owner_choices(user: Any) -> Choices:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
    if user is not None and getattr(user, "pk", None):
        ids = user.property_ids()
        if ids is not None:
            users = users.filter(properties__in=ids).distinct()
    return [(str(u.pk), u.get_full_name() or u.username) for u in users[:500]]


_register(FieldSpec("owner", _("Account manager"), PROFILE, ("in", "not_in", "empty"), MULTI, _build_in("owner_id"),
                    _owner_choices, kinds={"empty": NONE}))


def _status_choices(user: Any) -> Choices:
    from concierge.guests.choices import GuestStatus

    return list(GuestStatus.choices)


_register(FieldSpec("status", _("Status"), PROFILE, ("in", "not_in"), MULTI, _build_in("status"), _status_choices))


MONTH_LABELS = (_("January"), _("February"), _("March"), _("April"), _("May"), _("June"), _("July"), _("August"),
                _("September"), _("October"), _("November"), _("December"))


def _month_choices(user: Any) -> Choices:
    return [(str(i), str(label)) for i, label in enumerate(MONTH_LABELS, start=1)]


def _build_birthday(operator: str, value: Any) -> Q:
    today = _today()
    if operator == "this_month":
        months = [today.month]
    elif operator == "next_month":
        months = [today.month % 12 + 1]
    else:
        months = list(value)
    return Q(birthday__month__in=months)


_register(FieldSpec("birthday_month", _("Birthday month"), PROFILE, ("in", "this_month", "next_month"), MONTHS,
                    _build_birthday, _month_choices, kinds={"this_month": NONE, "next_month": NONE}))


def _preference_choices(user: Any) -> Choices:
    from concierge.guests.choices import PreferenceCategory

    return list(PreferenceCategory.choices)


def _build_preference(operator: str, value: Any) -> Q:
    from concierge.guests.models import Preference

    prefs = Preference.objects.filter(guest_id=OuterRef("pk"), is_active=True)
    if value.get("category"):
        prefs = prefs.filter(category=value["category"])
    if value.get("text"):
        prefs = prefs.filter(value__icontains=value["text"])
    return Q(Exists(prefs)) if operator == "contains" else ~Q(Exists(prefs))


_register(FieldSpec("preference", _("Preferences"), PROFILE, ("contains", "not_contains"), PREFERENCE,
                    _build_preference, _preference_choices,
                    help=_("An active preference of this category whose text contains the words.")))


# --- stays -----------------------------------------------------------------------------------------------------


def _productive_stays(value: dict[str, Any]) -> QuerySet:
    from concierge.stays.choices import PRODUCTIVE_STATUSES
    from concierge.stays.models import Stay

    stays = Stay.objects.filter(status__in=PRODUCTIVE_STATUSES, guest__isnull=False)
    start, end = _period(value)
    if start:
        stays = stays.filter(arrival__gte=start)
    if end:
        stays = stays.filter(arrival__lte=end)
    return stays


def _rolling_period(value: dict[str, Any]) -> bool:
    """Whether the period is "the last ROLLING_DAYS days" (the window of the rolling sums on CustomerValue)."""
    from concierge.analytics.models import ROLLING_DAYS

    return value.get("last_days") == ROLLING_DAYS and not value.get("from") and not value.get("to")


def _rolling_sums_current() -> Q:
    """SQL truth value: the latest finished group-wide customer-value refresh ran today, so its rolling sums cover
    exactly the days (as of that refresh) that summing the stays again would. Evaluated once per statement (an
    uncorrelated sub-select), which keeps a segment count one query."""
    from django.db.models import DateTimeField, Subquery
    from django.db.models.functions import Coalesce
    from django.db.models.lookups import GreaterThanOrEqual

    from concierge.analytics.models import ValueRefresh

    latest = (ValueRefresh.objects.filter(property__isnull=True, finished_at__isnull=False)
              .order_by("-finished_at").values("requested_at")[:1])
    today_start = dt.datetime.combine(_today(), dt.time.min, tzinfo=timezone.get_current_timezone())
    never = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # no refresh yet: not current (never NULL, so ~ works)
    return Q(GreaterThanOrEqual(Coalesce(Subquery(latest), Value(never, output_field=DateTimeField())),
                                today_start))


def _build_stay_aggregate(expression: Callable[[], Any], rolling_column: str) -> Callable[[str, Any], Q]:
    """Stays / nights / revenue in a period compared with an amount.

    "At least N" (N > 0) and "exactly N" (N > 0) are `id IN (SELECT guest_id … GROUP BY guest_id HAVING …)`, a
    hash semi-join on PostgreSQL. "At most N" and "exactly 0" also hold for guests without stays, so they are the
    negation of "more than N": `NOT EXISTS` correlated on the (guest, arrival) index, an anti-join.

    "In the last 365 days" reads the rolling sums the customer-value refresh keeps per guest (`rolling_column` of
    the group-wide `CustomerValue` rows; a partial index each) when that refresh ran today: the same days and
    stays as of the refresh, without summing a year of stays per count. Otherwise the stays are summed live.
    """

    def build(operator: str, value: Any) -> Q:
        amount = Decimal(str(value["amount"]))
        if operator == "gte" and amount <= 0:
            return _all()
        per_guest = _productive_stays(value).order_by().values("guest_id").annotate(total=expression())
        rolling = _rolling_period(value)
        current = _rolling_sums_current() if rolling else None
        rows = _customer_values().order_by()
        if operator in ("gte", "eq") and amount > 0:
            lookup = "gte" if operator == "gte" else "exact"
            live = per_guest.filter(**{f"total__{lookup}": amount}).values("guest_id")
            if not rolling:
                return Q(pk__in=live)
            # One semi-join over both sources; the freshness test becomes a one-time filter on each branch of the
            # UNION, so PostgreSQL runs only one of them.
            stored = rows.filter(current, **{f"{rolling_column}__{lookup}": amount}).values("guest_id")
            # UNION, not UNION ALL: its row estimate (the sum of both branches) lets the planner hash-join the
            # guests, where a UNION ALL gets a default 200 distinct values and a nested loop over 100,000s of rows.
            return Q(pk__in=stored.union(live.filter(~current)))
        live_more = Exists(per_guest.filter(guest_id=OuterRef("pk"), total__gt=amount).values("guest_id"))
        if not rolling:
            return ~Q(live_more)
        stored_more = Exists(rows.filter(guest_id=OuterRef("pk"), **{f"{rolling_column}__gt": amount}))
        # Correlated probes, each behind the one-time freshness test, so only one of them runs per guest.
        return (current & ~Q(stored_more)) | (~current & ~Q(live_more))

    return build


_register(FieldSpec("stays", pgettext_lazy("count", "Stays"), STAYS, ("gte", "lte", "eq"), AMOUNT_PERIOD,
                    _build_stay_aggregate(lambda: Count("id"), "stays_rolling"),
                    help=_("Stays in house or checked out, by arrival date. Empty period: all time.")))
_register(FieldSpec("nights", _("Room nights"), STAYS, ("gte", "lte", "eq"), AMOUNT_PERIOD,
                    _build_stay_aggregate(lambda: Sum("room_nights"), "room_nights_rolling")))
_register(FieldSpec("revenue", _("Revenue"), STAYS, ("gte", "lte", "eq"), AMOUNT_PERIOD,
                    _build_stay_aggregate(lambda: Sum(F("room_revenue") + F("fnb_revenue") + F("other_revenue")),
                                          "revenue_rolling"),
                    help=_("Room, F&B and other revenue of the stays.")))


def _market_segment_choices(user: Any) -> Choices:
    from concierge.stays.choices import MarketSegment

    return list(MarketSegment.choices)


def _build_market_segment(operator: str, value: Any) -> Q:
    exists = Exists(_productive_stays(value).filter(guest_id=OuterRef("pk"), market_segment__in=value["values"]))
    return Q(exists) if operator == "in" else ~Q(exists)


_register(FieldSpec("market_segment", _("Market segment"), STAYS, ("in", "not_in"), MULTI_PERIOD,
                    _build_market_segment, _market_segment_choices,
                    help=_("Has a stay (in house or checked out) in one of these market segments.")))


def _build_last_stay(operator: str, value: Any) -> Q:
    if operator == "never":
        return Q(last_stay_on__isnull=True)
    if operator == "before":
        return Q(last_stay_on__lt=value)
    if operator == "after":
        return Q(last_stay_on__gte=value)
    since = _today() - dt.timedelta(days=int(value))
    return Q(last_stay_on__gte=since) if operator == "within_days" else Q(last_stay_on__lt=since)


_register(FieldSpec("last_stay", _("Last stay"), STAYS, ("before", "after", "within_days", "not_within_days", "never"),
                    DATE, _build_last_stay, kinds={"within_days": DAYS, "not_within_days": DAYS, "never": NONE}))


# --- value and feedback --------------------------------------------------------------------------------------------


def _build_survey(operator: str, value: Any) -> Q:
    """Average or lowest score a guest gave in the period, on 1–5 ratings or on 0–10 questions."""
    from concierge.surveys.choices import FIVE_POINT_KINDS, QuestionKind
    from concierge.surveys.models import Answer

    kinds = list(FIVE_POINT_KINDS) if value["scale"] == "5" else [QuestionKind.NPS]
    answers = Answer.objects.filter(response__guest__isnull=False, score__isnull=False, question__kind__in=kinds)
    low, high = _aware_bounds(*_period(value))
    if low:
        answers = answers.filter(submitted_at__gte=low)
    if high:
        answers = answers.filter(submitted_at__lt=high)
    aggregate = Avg("score") if value["measure"] == "avg" else Min("score")
    per_guest = answers.order_by().values("response__guest_id").annotate(measure=aggregate)
    amount = Decimal(value["amount"])
    return Q(pk__in=per_guest.filter(**_compare("measure", operator, amount)).values("response__guest_id"))


_register(FieldSpec("survey_score", _("Survey score"), VALUE, ("gte", "lte"), SURVEY, _build_survey,
                    help=_("Guests without answers in the period match neither “at least” nor “at most”.")))


def _customer_values() -> QuerySet:
    """Group-wide customer values (one row per guest at most)."""
    from concierge.analytics.models import CustomerValue

    return CustomerValue.objects.filter(property__isnull=True)


def _among(rows: QuerySet, operator: str, positive: str) -> Q:
    """Guests with a row in `rows` (`positive` operator), or without one.

    The positive form is `id IN (SELECT guest_id FROM … WHERE …)`: PostgreSQL scans the (partial) index on the filtered
    column once and hash-joins, instead of probing the guest's row a hundred thousand times. The negative form stays
    a correlated `NOT EXISTS` (an anti-join; `NOT IN` would be a per-row hashed subplan)."""
    if operator == positive:
        return Q(pk__in=rows.order_by().values("guest_id"))
    return ~Q(Exists(rows.filter(guest_id=OuterRef("pk"))))


def _build_rfm_cell(operator: str, value: Any) -> Q:
    return _among(_customer_values().filter(rfm_cell__in=value), operator, "in")


def _build_rfm_score(operator: str, value: Any) -> Q:
    rows = _customer_values().filter(**_compare(f"{value['score']}_score", operator, value["amount"]))
    return _among(rows, operator, operator)


_register(FieldSpec("rfm_cell", _("RFM cell"), VALUE, ("in", "not_in"), CELLS, _build_rfm_cell,
                    help=_("Group-wide recency, frequency and monetary scores, e.g. 555, 545.")))
_register(FieldSpec("rfm_score", _("RFM score"), VALUE, ("gte", "lte", "eq"), RFM_SCORE, _build_rfm_score,
                    help=_("One of the group-wide scores, 1 (lowest) to 5 (highest).")))


def _churn_choices(user: Any) -> Choices:
    from concierge.clv.models import ChurnRisk

    return list(ChurnRisk.choices)


def _guest_clv() -> QuerySet:
    """Group-wide lifetime values (one row per guest at most)."""
    from concierge.clv.models import GuestClv

    return GuestClv.objects.filter(property__isnull=True)


def _build_churn(operator: str, value: Any) -> Q:
    return _among(_guest_clv().filter(churn_risk__in=value), operator, "in")


def _build_p_alive(operator: str, value: Any) -> Q:
    return _among(_guest_clv().filter(**_compare("p_alive", operator, value)), operator, operator)


_register(FieldSpec("churn_risk", _("Churn risk"), VALUE, ("in", "not_in"), MULTI, _build_churn, _churn_choices))
_register(FieldSpec("p_alive", _("Probability still active"), VALUE, ("lt", "gte"), NUMBER, _build_p_alive,
                    help=_("From the lifetime-value model, between 0 and 1.")))


# --- the tree ----------------------------------------------------------------------------------------------------


def empty_definition() -> dict[str, Any]:
    return {"op": "and", "items": []}


def _is_group(item: Any) -> bool:
    return isinstance(item, dict) and "items" in item


def clean_definition(definition: Any, user: Any = None) -> dict[str, Any]:
    """The definition with every value in its stored form; ValidationError listing every bad condition by number."""
    errors: list[str] = []
    count = [0]

    def condition(item: Any, number: str) -> dict[str, Any] | None:
        count[0] += 1
        if not isinstance(item, dict):
            errors.append(gettext("condition %(number)s: not a condition") % {"number": number})
            return None
        spec = REGISTRY.get(str(item.get("field") or ""))
        if spec is None:
            if not item.get("field"):
                errors.append(gettext("condition %(number)s: choose a field") % {"number": number})
            else:
                errors.append(gettext("condition %(number)s: unknown field “%(field)s”") % {
                    "number": number, "field": item.get("field")})
            return None
        operator = str(item.get("operator") or spec.operators[0])
        if operator not in spec.operators:
            errors.append(gettext("condition %(number)s: “%(operator)s” does not apply to %(field)s") % {
                "number": number, "operator": operator, "field": spec.label})
            return None
        try:
            value = clean_value(spec, operator, item.get("value"), user)
        except ConditionError as exc:
            errors.append(gettext("condition %(number)s: %(message)s") % {"number": number, "message": exc})
            return None
        return {"field": spec.key, "operator": operator, "value": value}

    def group(node: Any, prefix: str, depth: int) -> dict[str, Any]:
        op = node.get("op", "and") if isinstance(node, dict) else "and"
        if op not in GROUP_OPS:
            errors.append(gettext("group %(number)s: combine with “and” or “or”") % {"number": prefix or "1"})
            op = "and"
        items = node.get("items") if isinstance(node, dict) else None
        if not isinstance(items, list):
            errors.append(gettext("group %(number)s: “items” must be a list") % {"number": prefix or "1"})
            items = []
        if prefix and not items:
            errors.append(gettext("group %(number)s: add at least one condition") % {"number": prefix})
        cleaned = []
        for index, item in enumerate(items, start=1):
            number = f"{prefix}.{index}" if prefix else str(index)
            if _is_group(item):
                if depth >= MAX_DEPTH:
                    errors.append(gettext("group %(number)s: groups nest at most %(depth)s deep") % {
                        "number": number, "depth": MAX_DEPTH})
                    continue
                cleaned.append(group(item, number, depth + 1))
            else:
                result = condition(item, number)
                if result is not None:
                    cleaned.append(result)
        return {"op": op, "items": cleaned}

    if definition in (None, "") or definition == {}:
        definition = empty_definition()
    if not isinstance(definition, dict):
        raise ValidationError(gettext("The definition must be an object with “op” and “items”."), code="invalid")
    result = group(definition, "", 1)
    if count[0] > MAX_CONDITIONS:
        errors.append(gettext("A segment holds at most %(max)s conditions.") % {"max": MAX_CONDITIONS})
    if errors:
        raise ValidationError(errors, code="invalid_definition")
    return result


def compile_definition(definition: dict[str, Any]) -> Q:
    """The `Q` on Guest of a cleaned definition. An empty group matches every guest."""

    def node(item: dict[str, Any]) -> Q:
        if _is_group(item):
            parts = [node(child) for child in item["items"]]
            if not parts:
                return _all()
            result = parts[0]
            for part in parts[1:]:
                result = (result | part) if item.get("op") == "or" else (result & part)
            return result
        spec = REGISTRY[item["field"]]
        return spec.build(item["operator"], item["value"])

    return node(definition)


# --- in words ---------------------------------------------------------------------------------------------------


def _choice_labels(spec: FieldSpec, values: list[Any]) -> str:
    labels = dict(spec.choice_list()) if spec.choices and spec.key not in ("tags", "tier") else {}
    return ", ".join(labels.get(str(v), str(v)) for v in values)


def describe_condition(item: dict[str, Any]) -> str:
    """One condition in words, in the active language ("Region is any of East China, South China")."""
    spec = REGISTRY.get(item.get("field", ""))
    if spec is None:
        return str(item)
    operator, value = item["operator"], item.get("value")
    kind = spec.kind_for(operator)
    op_label = str(OPERATOR_LABELS.get(operator, operator))
    label = str(spec.label)
    if kind == NONE:
        return f"{label} {op_label}"
    if kind in (MULTI, CODES, CELLS, MONTHS):
        return f"{label} {op_label} {_choice_labels(spec, value)}"
    if kind == DATE:
        return f"{label} {op_label} {date_format(dt.date.fromisoformat(value), 'SHORT_DATE_FORMAT')}"
    if kind == DAYS:
        return f"{label} {op_label.replace('…', str(value))}"
    if kind == NUMBER:
        return f"{label} {op_label} {value}"
    if kind == AMOUNT_PERIOD:
        return f"{label} {op_label} {value['amount']} {_describe_period(value)}"
    if kind == MULTI_PERIOD:
        return f"{label} {op_label} {_choice_labels(spec, value['values'])} {_describe_period(value)}"
    if kind == PREFERENCE:
        category = dict(spec.choice_list()).get(value.get("category"), gettext("any category"))
        return f"{label} {op_label} {category}" + (f" “{value['text']}”" if value.get("text") else "")
    if kind == SURVEY:
        measure = gettext("average") if value["measure"] == "avg" else gettext("lowest")
        scale = gettext("1–5 ratings") if value["scale"] == "5" else gettext("0–10 scores")
        return f"{label} ({measure}, {scale}) {op_label} {value['amount']} {_describe_period(value)}"
    if kind == RFM_SCORE:
        return f"{label} {value['score'].upper()} {op_label} {value['amount']}"
    return f"{label} {op_label} {value}"


def describe_definition(definition: dict[str, Any]) -> str:
    """The whole tree in words, nested groups in parentheses."""

    def node(item: dict[str, Any], top: bool) -> str:
        if not _is_group(item):
            return describe_condition(item)
        joiner = pgettext("segment logic", "or") if item.get("op") == "or" else pgettext("segment logic", "and")
        joiner = f" {joiner} "
        text = joiner.join(node(child, False) for child in item["items"])
        return text if top or len(item["items"]) < 2 else f"({text})"

    if not definition or not definition.get("items"):
        return gettext("All guests")
    return node(definition, True)


def field_sections(user: Any = None) -> list[tuple[str, list[FieldSpec]]]:
    """Fields grouped for the builder's field select."""
    sections: dict[str, list[FieldSpec]] = {}
    for spec in REGISTRY.values():
        sections.setdefault(str(spec.section), []).append(spec)
    return list(sections.items())
