"""Reads for guest profiles: check-in recognition search, the guest card, performance, timeline."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from django.db import connection
from django.db.models import Count, DecimalField, Exists, F, Max, OuterRef, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.core.choices import CONTACT_KINDS
from concierge.core.models import Activity
from concierge.core.phones import digits_only, normalize_phone
from concierge.guests.choices import ConsentChannel, SearchKeyKind
from concierge.guests.identity import id_number_hash, looks_like_id_number, normalize_id_number
from concierge.guests.models import (
    Alert,
    Company,
    ConsentRecord,
    Guest,
    GuestProperty,
    IdentityDocument,
    Preference,
    SearchKey,
)
from concierge.guests.names import has_cjk, hanzi_key, latin_key

_PROBE_LIMIT = 50


# --- recognition search --------------------------------------------------------------------------------------


@dataclass
class SearchHit:
    """One ranked result of the recognition search."""

    kind: str  # "guest" or "company"
    id: int
    score: int
    matched: str  # why it matched, in words
    obj: Any = None


# Key kinds that company_search_keys_rebuild writes; every other kind only ever belongs to guests.
_COMPANY_KEY_KINDS = frozenset({SearchKeyKind.COMPANY, SearchKeyKind.PHONE})


def _probe(user: Any, kinds: tuple[str, ...], key: str, *, exact: bool) -> list[tuple[int | None, int | None, str]]:
    """Look keys up on the (kind, key) index: exact (most recent first) or by prefix.

    For a user scoped to some properties, guest keys and company keys are probed separately, each
    with one EXISTS: PostgreSQL runs that as an index nested-loop semi-join that stops at the LIMIT,
    whereas an OR of the two EXISTS is planned as a hashed subplan over every guest link of the
    user's properties, on every probe (~10 ms at 100k guests, ~100 ms at 1M).
    """
    if not key:
        return []
    qs = SearchKey.objects.filter(kind__in=kinds)
    if exact:
        qs = qs.filter(key=key).order_by("-rank_hint")
    elif connection.vendor == "postgresql":
        qs = qs.filter(key__startswith=key).exclude(key=key)  # LIKE 'k%' on the varchar_pattern_ops index
    else:
        qs = qs.filter(key__gt=key, key__lt=key + "\U0010ffff")  # SQLite: BINARY range on the same index
    columns = ("guest_id", "company_id", "kind", "rank_hint")
    property_ids = user.property_ids()
    if property_ids is None:
        rows = list(qs.values_list(*columns)[:_PROBE_LIMIT])
    else:
        rows = []
        if set(kinds) - {SearchKeyKind.COMPANY}:
            guest_keys = qs.filter(guest__isnull=False).filter(
                Exists(GuestProperty.objects.filter(guest_id=OuterRef("guest_id"), property_id__in=property_ids))
            )
            rows += guest_keys.values_list(*columns)[:_PROBE_LIMIT]
        if set(kinds) & _COMPANY_KEY_KINDS:
            through = Company.properties.through
            company_keys = qs.filter(company__isnull=False).filter(
                Exists(through.objects.filter(company_id=OuterRef("company_id"), property_id__in=property_ids))
            )
            rows += company_keys.values_list(*columns)[:_PROBE_LIMIT]
        if exact:
            rows.sort(key=lambda row: -row[3])  # stable: keeps each branch's order among equal ranks
    return [row[:3] for row in rows[:_PROBE_LIMIT]]


def _add(hits: dict[tuple[str, int], SearchHit], rows: list, score: int, reason: str) -> None:
    for guest_id, company_id, _kind in rows:
        kind, pk = ("guest", guest_id) if guest_id else ("company", company_id)
        current = hits.get((kind, pk))
        if current is None or current.score < score:
            hits[(kind, pk)] = SearchHit(kind=kind, id=pk, score=score, matched=reason)


def recognition_search(*, user: Any, query: str, limit: int = 20) -> list[SearchHit]:
    """Find guests and companies from what front desk types: ID number, phone, name in any script, email.

    Scores: ID number 100, phone 95, email 95, Chinese name 90, full pinyin/Latin name 85,
    initials 70, company 80; prefix matches score lower than exact ones.
    """
    text = (query or "").strip()[:100]
    if not text:
        return []
    hits: dict[tuple[str, int], SearchHit] = {}

    if looks_like_id_number(text):
        for guest_id in guest_ids_by_id_number(user=user, number=text):
            hits[("guest", guest_id)] = SearchHit("guest", guest_id, 100, _("ID number"))
    if "@" in text:
        email = text.lower()
        _add(hits, _probe(user, (SearchKeyKind.EMAIL,), email, exact=True), 95, _("email"))
        _add(hits, _probe(user, (SearchKeyKind.EMAIL,), email, exact=False), 60, _("email starts with"))
    digits = digits_only(text)
    if len(digits) >= 4 and len(digits) >= len(re.sub(r"[\s\-+().]", "", text)) - 1:
        try:
            e164 = normalize_phone(text)
        except Exception:  # noqa: BLE001 - any unparsable input just means "not a full number"
            e164 = ""
        if e164:
            _add(hits, _probe(user, (SearchKeyKind.PHONE,), e164.lstrip("+"), exact=True), 95, _("phone"))
        _add(hits, _probe(user, (SearchKeyKind.PHONE,), digits, exact=True), 95, _("phone"))
        _add(hits, _probe(user, (SearchKeyKind.PHONE,), digits, exact=False), 60, _("phone starts with"))
    if has_cjk(text):
        hz = hanzi_key(text)
        _add(hits, _probe(user, (SearchKeyKind.HANZI,), hz, exact=True), 90, _("Chinese name"))
        _add(hits, _probe(user, (SearchKeyKind.HANZI,), hz, exact=False), 75, _("Chinese name starts with"))
        _add(hits, _probe(user, (SearchKeyKind.COMPANY,), hz, exact=True), 80, _("company"))
        _add(hits, _probe(user, (SearchKeyKind.COMPANY,), hz, exact=False), 65, _("company starts with"))
    elif re.search(r"[A-Za-z]", text) and "@" not in text:
        key = latin_key(text)
        _add(hits, _probe(user, (SearchKeyKind.NAME,), key, exact=True), 85, _("name (pinyin/Latin)"))
        if len(key) <= 5:
            _add(hits, _probe(user, (SearchKeyKind.INITIALS,), key, exact=True), 70, _("initials"))
        _add(hits, _probe(user, (SearchKeyKind.COMPANY,), key, exact=True), 80, _("company"))
        if len(key) >= 2:
            _add(hits, _probe(user, (SearchKeyKind.NAME,), key, exact=False), 65, _("name starts with"))
            _add(hits, _probe(user, (SearchKeyKind.COMPANY,), key, exact=False), 55, _("company starts with"))
    return _resolve_hits(user, hits, limit)


def _resolve_hits(user: Any, hits: dict[tuple[str, int], SearchHit], limit: int) -> list[SearchHit]:
    guest_ids = [pk for kind, pk in hits if kind == "guest"]
    company_ids = [pk for kind, pk in hits if kind == "company"]
    guests = {
        g.pk: g
        for g in Guest.objects.visible_to(user).filter(pk__in=guest_ids).select_related("company", "owner")
    }
    companies = {c.pk: c for c in Company.objects.visible_to(user).filter(pk__in=company_ids)}
    resolved: list[SearchHit] = []
    for (kind, pk), hit in hits.items():
        obj = guests.get(pk) if kind == "guest" else companies.get(pk)
        if obj is None:
            continue
        if kind == "guest" and obj.merged_into_id:
            continue
        hit.obj = obj
        resolved.append(hit)

    def sort_key(hit: SearchHit) -> tuple:
        last = getattr(hit.obj, "last_stay_on", None) or dt.date.min
        return (-hit.score, -last.toordinal(), hit.kind, hit.id)

    resolved.sort(key=sort_key)
    return resolved[:limit]


def guest_ids_by_id_number(*, user: Any, number: str) -> list[int]:
    """Guests holding an ID document with exactly this number (blind-index look-up, scoped)."""
    digest = id_number_hash(normalize_id_number(number))
    docs = IdentityDocument.objects.filter(number_hash=digest)
    property_ids = user.property_ids()
    if property_ids is not None:
        docs = docs.filter(
            Exists(GuestProperty.objects.filter(guest_id=OuterRef("guest_id"), property_id__in=property_ids))
        )
    return list(docs.values_list("guest_id", flat=True).distinct()[:_PROBE_LIMIT])


def guests_by_phone(*, user: Any, phone: str) -> QuerySet:
    """Visible guests whose primary or additional phone equals `phone` (any input format)."""
    e164 = normalize_phone(phone)
    ids = SearchKey.objects.filter(kind=SearchKeyKind.PHONE, key=e164.lstrip("+"), guest__isnull=False)
    return Guest.objects.visible_to(user).live().filter(pk__in=ids.values("guest_id"))


# --- guest card ----------------------------------------------------------------------------------------------


@dataclass
class StayTotals:
    stays: int = 0
    room_nights: int = 0
    room_revenue: Decimal = Decimal("0")
    other_revenue: Decimal = Decimal("0")
    total_revenue: Decimal = Decimal("0")
    adr: Decimal = Decimal("0")
    last_stay_on: dt.date | None = None


@dataclass
class LastContact:
    actor_name: str
    kind: str
    occurred_at: dt.datetime
    days_ago: int
    summary: str


@dataclass
class GuestCard:
    guest: Guest
    alerts: list[Alert]
    preferences: list[Preference]
    last_stay: Any
    upcoming_stay: Any
    totals: StayTotals
    property_ranks: list[dict[str, Any]]
    documents: list[IdentityDocument]
    consents: dict[str, bool | None]
    last_contact: LastContact | None
    open_items: list[dict[str, Any]] = field(default_factory=list)
    insights: list[dict[str, Any]] = field(default_factory=list)


# Later modules (cases, contracts, ...) register callables (guest, user) -> list of {"label", "url"} here.
OPEN_ITEM_PROVIDERS: list[Callable[[Guest, Any], list[dict[str, Any]]]] = []

# Analytics modules (value, lifetime value, next-best offers, ...) register callables (guest, user) -> list of
# {"label", "value", "hint" (optional), "url" (optional), "icon" (optional bootstrap-icons name), "testid"
# (optional)} here; the card shows them under "Insights". A provider must cost at most one or two indexed queries.
CARD_INSIGHT_PROVIDERS: list[Callable[[Guest, Any], list[dict[str, Any]]]] = []


def stay_totals(stays: QuerySet) -> StayTotals:
    """Stays, nights, revenue and ADR of a stays queryset, computed by one aggregate query."""
    from concierge.stays.choices import PRODUCTIVE_STATUSES

    money = DecimalField(max_digits=16, decimal_places=2)
    zero = Value(Decimal("0"), output_field=money)
    agg = stays.filter(status__in=PRODUCTIVE_STATUSES).aggregate(
        stays=Count("id"),
        room_nights=Coalesce(Sum("room_nights"), 0),
        room_revenue=Coalesce(Sum("room_revenue"), zero),
        other_revenue=Coalesce(Sum(F("fnb_revenue") + F("other_revenue"), output_field=money), zero),
        last_stay_on=Max("arrival"),
    )
    cent = Decimal("0.01")
    totals = StayTotals(**agg)
    totals.room_revenue = Decimal(totals.room_revenue).quantize(cent)
    totals.other_revenue = Decimal(totals.other_revenue).quantize(cent)
    totals.total_revenue = totals.room_revenue + totals.other_revenue
    if totals.room_nights:
        totals.adr = (totals.room_revenue / totals.room_nights).quantize(Decimal("0.01"))
    return totals


def last_contact(*, guest: Guest | None = None, company: Company | None = None) -> LastContact | None:
    """Who last called, mailed, visited or messaged this customer, and how long ago."""
    qs = Activity.objects.filter(kind__in=CONTACT_KINDS).select_related("actor")
    qs = qs.filter(guest=guest) if guest is not None else qs.filter(company=company)
    entry = qs.order_by("-occurred_at").first()
    if entry is None:
        return None
    days = (timezone.now() - entry.occurred_at).days
    name = str(entry.actor) if entry.actor else _("someone")
    return LastContact(name, entry.get_kind_display(), entry.occurred_at, days, entry.display_summary)


def current_consents(guest: Guest) -> dict[str, bool | None]:
    """Newest decision per channel (None = never asked)."""
    result: dict[str, bool | None] = {c.value: None for c in ConsentChannel}
    for record in ConsentRecord.objects.filter(guest=guest).order_by("channel", "-recorded_at", "-id"):
        if result.get(record.channel) is None:
            result[record.channel] = record.granted
    return result


def guest_card(*, guest: Guest, user: Any) -> GuestCard:
    """Everything front desk needs at check-in, in a handful of queries."""
    from concierge.stays.choices import StayStatus
    from concierge.stays.models import GuestPropertyStats, Stay

    stays = Stay.objects.visible_to(user).filter(guest=guest).select_related("property")
    today = timezone.localdate()
    # A reservation arriving today is the upcoming stay, not the last one: only stays that happened count.
    last_stay = stays.filter(arrival__lte=today, status__in=[StayStatus.IN_HOUSE, StayStatus.CHECKED_OUT]).first()
    upcoming = (
        stays.filter(arrival__gte=today, status=StayStatus.RESERVED).order_by("arrival").first()
    )
    alerts = sorted(
        Alert.objects.filter(guest=guest, is_active=True).select_related("created_by"),
        key=lambda a: (a.severity_rank, -a.created_at.timestamp()),
    )
    preferences = list(Preference.objects.filter(guest=guest, is_active=True).order_by("category", "-recorded_at"))
    ranks = list(
        GuestPropertyStats.objects.filter(guest=guest)
        .select_related("property")
        .values("property__code", "property__name_zh", "property__name_en", "revenue_rank", "total_revenue")
    )
    open_items: list[dict[str, Any]] = []
    if upcoming:
        open_items.append({"label": _("Reservation %(arrival)s at %(property)s") % {
            "arrival": upcoming.arrival.isoformat(), "property": upcoming.property.code}, "url": ""})
    for provider in OPEN_ITEM_PROVIDERS:
        open_items.extend(provider(guest, user))
    insights: list[dict[str, Any]] = []
    for insight_provider in CARD_INSIGHT_PROVIDERS:
        insights.extend(insight_provider(guest, user))
    return GuestCard(
        guest=guest,
        alerts=alerts,
        preferences=preferences,
        last_stay=last_stay,
        upcoming_stay=upcoming,
        totals=stay_totals(stays),
        property_ranks=ranks,
        documents=list(IdentityDocument.objects.filter(guest=guest)),
        consents=current_consents(guest),
        last_contact=last_contact(guest=guest),
        open_items=open_items,
        insights=insights,
    )


def timeline(*, user: Any, guest: Guest | None = None, company: Company | None = None) -> QuerySet:
    """Timeline entries of a guest or company visible to `user`, newest first (paginate the result)."""
    qs = Activity.objects.visible_to(user).select_related("actor", "property")
    if guest is not None:
        return qs.filter(guest=guest)
    return qs.filter(company=company)


def resolve_guest(pk: int, user: Any) -> Guest:
    """A visible guest by id; a merged tombstone resolves to its survivor. Raises Guest.DoesNotExist.

    A merge moves the tombstone's property links to the survivor, so to a property-scoped user the
    tombstone itself is invisible: the chain is followed unscoped, and the surviving profile must be visible.
    """
    visible = Guest.objects.visible_to(user)
    guest = visible.filter(pk=pk).first()
    if guest is not None and not guest.merged_into_id:
        return guest
    guest = Guest.objects.get(pk=pk)
    seen = {guest.pk}
    while guest.merged_into_id and guest.merged_into_id not in seen:
        seen.add(guest.merged_into_id)
        guest = Guest.objects.get(pk=guest.merged_into_id)
    return visible.get(pk=guest.pk)


def company_property_ranks(*, company: Company, user: Any, months: int = 12) -> list[dict[str, Any]]:
    """The company's revenue rank among all companies at each visible property over the last `months`.

    Two aggregate queries per property the company used: its own total, and how many companies beat it.
    """
    from concierge.stays.choices import PRODUCTIVE_STATUSES
    from concierge.stays.models import Stay

    since = timezone.localdate() - dt.timedelta(days=round(months * 30.44))
    money = DecimalField(max_digits=16, decimal_places=2)
    revenue = Sum(F("room_revenue") + F("fnb_revenue") + F("other_revenue"), output_field=money)
    stays = Stay.objects.visible_to(user).filter(status__in=PRODUCTIVE_STATUSES, arrival__gte=since)
    own = list(
        stays.filter(company=company).values("property_id", "property__code").annotate(total=revenue).order_by("property__code")
    )
    ranks = []
    for row in own:  # one row per property the company used: a handful
        better = (
            stays.filter(property_id=row["property_id"], company__isnull=False)
            .values("company_id").annotate(total=revenue).filter(total__gt=row["total"]).count()
        )
        companies = stays.filter(property_id=row["property_id"], company__isnull=False).values("company_id").distinct().count()
        ranks.append({"property_code": row["property__code"], "total_revenue": row["total"], "rank": better + 1,
                      "companies": companies})
    return ranks
