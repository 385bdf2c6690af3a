"""Reads of the customer-value module: scopes a user may pick, freshness, Pareto, ranking, RFM grid and the
region / province / industry breakdowns. Everything is counted, summed and ranked by the database.

A scope is one property, or the whole group (`property=None`), which only users who see every property get.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Case, CharField, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from concierge.analytics.models import BreakdownFigure, BreakdownRefresh, CustomerValue, ValueRefresh, ValueSummary
from concierge.analytics.permissions import can_view_value
from concierge.core.querysets import with_known_count
from concierge.core.regions import _LATIN, _SUFFIXES, PROVINCE_REGION, REGION_LABELS, region_case
from concierge.guests.models import Guest, Industry
from concierge.properties.models import Property
from concierge.stays.choices import PRODUCTIVE_STATUSES
from concierge.stays.models import Stay

GROUP = "group"
MONEY = DecimalField(max_digits=18, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)


# --- scopes and freshness ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a value screen shows: one property, or the group when `property` is None."""

    key: str
    label: str
    property: Property | None = None


def value_scopes(user: Any) -> list[Scope]:
    """The scopes `user` may pick: the group (group-wide users only), then each property they see."""
    if not can_view_value(user):
        return []
    ids = user.property_ids()
    properties = Property.objects.filter(is_active=True).order_by("code")
    if ids is not None:
        properties = properties.filter(pk__in=ids)
    scopes = [Scope(GROUP, _("Whole group"))] if ids is None else []
    scopes.extend(Scope(p.code, f"{p.code} · {p}", p) for p in properties)
    return scopes


def scope_for(user: Any, key: str | None) -> Scope | None:
    """The scope named `key` if `user` may see it (the first one when `key` is empty); None otherwise."""
    scopes = value_scopes(user)
    if not scopes:
        return None
    if not key:
        return scopes[0]
    return next((s for s in scopes if s.key == key), None)


def freshness(scope: Scope) -> dt.datetime | None:
    """When the rows of this scope were last rebuilt (None: never)."""
    condition = Q(property__isnull=True)
    if scope.property is not None:
        condition = Q(property=scope.property) | Q(property__isnull=True, all_scopes=True)
    run = (ValueRefresh.objects.filter(condition, finished_at__isnull=False)
           .order_by("-finished_at").values_list("finished_at", flat=True).first())
    return run


def scope_values(scope: Scope) -> QuerySet:
    """The materialised customer-value rows of a scope."""
    if scope.property is None:
        return CustomerValue.objects.filter(property__isnull=True)
    return CustomerValue.objects.filter(property=scope.property)


# --- Pareto --------------------------------------------------------------------------------------------------


@dataclass
class ParetoDecile:
    decile: int  # 1 = the top tenth of customers by revenue
    customers: int
    customer_share: float  # cumulative, %
    revenue: Decimal  # of this tenth
    revenue_share: float  # of this tenth, %
    cumulative_share: float  # %


@dataclass
class Pareto:
    customers: int
    revenue: Decimal
    profit: Decimal
    top20_share: float | None
    deciles: list[ParetoDecile] = field(default_factory=list)
    curve: list[tuple[float, float]] = field(default_factory=list)  # (% of customers, % of revenue)


def _rank_at(n: int, share: float) -> int:
    return max(1, min(n, math.ceil(n * share - 1e-9)))


def summary_for(scope: Scope) -> ValueSummary | None:
    """The figures the last refresh wrote for this scope (None before the first refresh that wrote them)."""
    return ValueSummary.objects.filter(property=scope.property).first()


def pareto_figures(rows: QuerySet) -> dict[str, Any]:
    """The Pareto figures of a scope's value rows, from the database in three queries: a count, one pass of
    conditional sums (revenue of the top k customers for each tenth, exact), and an indexed lookup of the
    running share at 100 ranks. Stored by the refresh as `ValueSummary`; read live only before that."""
    n = rows.count()
    figures: dict[str, Any] = {"customers": n, "revenue": Decimal("0"), "profit": Decimal("0"),
                               "decile_revenue": [], "curve": []}
    if not n:
        return figures
    decile_ranks = [_rank_at(n, d / 10) for d in range(1, 11)]
    sums = rows.aggregate(
        revenue=Coalesce(Sum("total_revenue"), ZERO), profit=Coalesce(Sum("profit"), ZERO),
        **{f"top{d}": Coalesce(Sum("total_revenue", filter=Q(value_rank__lte=rank)), ZERO)
           for d, rank in enumerate(decile_ranks, start=1)})
    curve_ranks = [_rank_at(n, p / 100) for p in range(1, 101)]
    shares = dict(rows.filter(value_rank__in=set(curve_ranks)).values_list("value_rank", "cumulative_share"))
    figures.update(
        revenue=Decimal(sums["revenue"]), profit=Decimal(sums["profit"]),
        decile_revenue=[str(Decimal(sums[f"top{d}"])) for d in range(1, 11)],
        curve=[float(shares.get(r) or 0) for r in curve_ranks])
    return figures


def _pareto_from(figures: dict[str, Any]) -> Pareto:
    n = figures["customers"]
    result = Pareto(customers=n, revenue=Decimal("0"), profit=Decimal("0"), top20_share=None)
    if not n:
        return result
    cent = Decimal("0.01")
    revenue = Decimal(figures["revenue"]).quantize(cent)
    result.revenue, result.profit = revenue, Decimal(figures["profit"]).quantize(cent)

    def pct(amount: Decimal) -> float:
        return round(float(amount * 100 / revenue), 2) if revenue else 0.0

    previous_rank, previous_revenue = 0, Decimal("0")
    for decile, cumulative_text in enumerate(figures["decile_revenue"], start=1):
        rank = _rank_at(n, decile / 10)
        cumulative = Decimal(cumulative_text).quantize(cent)
        part = cumulative - previous_revenue
        result.deciles.append(ParetoDecile(
            decile=decile, customers=rank - previous_rank, customer_share=round(rank * 100 / n, 1),
            revenue=part, revenue_share=pct(part), cumulative_share=pct(cumulative)))
        previous_rank, previous_revenue = rank, cumulative
    result.top20_share = result.deciles[1].cumulative_share
    curve_ranks = [_rank_at(n, p / 100) for p in range(1, 101)]
    result.curve = [(0.0, 0.0)] + [
        (round(r * 100 / n, 2), round(share * 100, 2)) for r, share in zip(curve_ranks, figures["curve"])]
    return result


def pareto(scope: Scope) -> Pareto:
    """Pareto table and curve of a scope: from the refresh's summary row, or computed live before there is one."""
    summary = summary_for(scope)
    if summary is not None:
        return _pareto_from({"customers": summary.customers, "revenue": summary.revenue, "profit": summary.profit,
                             "decile_revenue": summary.decile_revenue, "curve": summary.curve})
    return _pareto_from(pareto_figures(scope_values(scope)))


def customer_count(scope: Scope) -> int | None:
    """Customers of a scope as of the last refresh, without counting them (None: unknown, count live)."""
    summary = summary_for(scope)
    return summary.customers if summary is not None else None


# --- ranking and RFM -----------------------------------------------------------------------------------------


def value_ranking(scope: Scope) -> QuerySet:
    """Customers of a scope by revenue, best first (paginate the result). The paginator's count comes from the
    refresh's summary when there is one: counting a million rows per page view is what made the first page slow."""
    # Ordered by (property_id, value_rank), the key of the customer_value_rank index: PostgreSQL does not treat the
    # group scope's "property_id IS NULL" as fixing the first key column, so ORDER BY value_rank alone sorted the
    # whole million-row scope for each page (0.5 s) instead of reading the index in order (a few ms).
    rows = scope_values(scope).select_related("guest").order_by("property_id", "value_rank")
    known = customer_count(scope)
    return with_known_count(rows, known) if known is not None else rows


@dataclass
class RfmCell:
    r: int
    f: int
    customers: int
    avg_monetary: Decimal
    revenue: Decimal


def rfm_cell_rows(rows: QuerySet) -> list[list[Any]]:
    """[r, f, customers, average revenue, revenue] per R × F cell of a scope's value rows (one GROUP BY, ≤ 25
    rows; money as decimal strings so the refresh can store them as JSON)."""
    cells = (rows.values("r_score", "f_score")
             .annotate(n=Count("id"), avg_m=Avg("total_revenue"), revenue=Sum("total_revenue"))
             .order_by("r_score", "f_score"))
    cent = Decimal("0.01")
    return [[row["r_score"], row["f_score"], row["n"], str(Decimal(row["avg_m"] or 0).quantize(cent)),
             str(Decimal(row["revenue"] or 0).quantize(cent))] for row in cells]


def rfm_grid(scope: Scope) -> list[RfmCell]:
    """The R × F grid of a scope: customers and average revenue per cell (the refresh's summary, or live)."""
    summary = summary_for(scope)
    cells = summary.rfm_cells if summary is not None else rfm_cell_rows(scope_values(scope))
    return [RfmCell(r=r, f=f, customers=n, avg_monetary=Decimal(avg), revenue=Decimal(revenue))
            for r, f, n, avg, revenue in cells]


def rfm_cell_members(scope: Scope, *, r: int, f: int, m: int | None = None) -> QuerySet:
    """Customers in an R × F cell (optionally one M score), best first; uses the (property, rfm_cell) index."""
    ms = [m] if m else range(1, 6)
    cells = [f"{r}{f}{score}" for score in ms]
    return scope_values(scope).filter(rfm_cell__in=cells).select_related("guest").order_by("value_rank")


# --- breakdowns ----------------------------------------------------------------------------------------------

DIMENSIONS = ("region", "province", "industry")
NO_INDUSTRY = "none"


def _province_case() -> Case:
    """The short Chinese province name of a guest's address written in Chinese (short or full form)."""
    whens = []
    for province in PROVINCE_REGION:
        names = [province, *(province + suffix for suffix in _SUFFIXES)]
        whens.append(When(guest__province__in=names, then=Value(province)))
    return Case(*whens, default=Value(""), output_field=CharField())


def _province_label(key: str) -> str:
    if not key:
        return str(REGION_LABELS["unknown"])
    if (get_language() or "").startswith("zh"):
        return key
    latin = next((name for name, zh in _LATIN.items() if zh == key), key)
    return latin.title()


@dataclass
class BreakdownRow:
    key: str
    label: str
    revenue: Decimal
    room_revenue: Decimal
    nights: int
    stays: int
    customers: int
    adr: Decimal | None
    prev_revenue: Decimal
    prev_nights: int
    revenue_growth: float | None  # % vs the previous year
    nights_growth: float | None


@dataclass
class Breakdown:
    dimension: str
    year: int
    rows: list[BreakdownRow]
    total: BreakdownRow | None
    source: str = "live"  # or "materialised"
    refreshed_at: dt.datetime | None = None


def _growth(current: Decimal | int, previous: Decimal | int) -> float | None:
    if not previous:
        return None
    return round(float((Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)), 1)


def _row(key: str, label: str, data: dict[str, Any]) -> BreakdownRow:
    cent = Decimal("0.01")
    revenue = Decimal(data["revenue"] or 0).quantize(cent)
    room = Decimal(data["room"] or 0).quantize(cent)
    prev_revenue = Decimal(data["prev_revenue"] or 0).quantize(cent)
    nights = int(data["nights"] or 0)
    prev_nights = int(data["prev_nights"] or 0)
    return BreakdownRow(
        key=key, label=label, revenue=revenue, room_revenue=room, nights=nights, stays=int(data["stays"] or 0),
        customers=int(data["customers"] or 0), adr=(room / nights).quantize(cent) if nights else None,
        prev_revenue=prev_revenue, prev_nights=prev_nights, revenue_growth=_growth(revenue, prev_revenue),
        nights_growth=_growth(nights, prev_nights))


def breakdown_key(dimension: str) -> Any:
    """The grouping key of a breakdown dimension, as an expression over stays ("total": one constant group)."""
    if dimension == "region":
        return region_case(prefix="guest__")
    if dimension == "province":
        return _province_case()
    if dimension == "industry":
        return Coalesce("company__industry_id", "guest__company__industry_id")
    if dimension == "total":
        return Value("", output_field=CharField())
    raise ValueError(f"unknown dimension {dimension!r}")


def breakdown_stays() -> QuerySet:
    """The stays every breakdown counts: productive stays of guests that are not merged."""
    return Stay.objects.filter(status__in=PRODUCTIVE_STATUSES, guest__isnull=False, guest__merged_into__isnull=True)


def _revenue() -> Any:
    return F("room_revenue") + F("fnb_revenue") + F("other_revenue")


def year_measures() -> dict[str, Any]:
    """What the breakdown refresh stores per year and key."""
    return {"revenue": Sum(_revenue(), output_field=MONEY), "room": Sum("room_revenue", output_field=MONEY),
            "nights": Sum("room_nights"), "stays": Count("id"), "customers": Count("guest_id", distinct=True)}


def latest_breakdown_refresh() -> BreakdownRefresh | None:
    return BreakdownRefresh.objects.order_by("-finished_at", "-id").first()


def _label_for(dimension: str, keys: list[Any]) -> Any:
    if dimension == "industry":
        names = {i.pk: str(i) for i in Industry.objects.filter(pk__in=[k for k in keys if k])}

        def label(k: Any) -> str:
            return names.get(k, "") if k else _("No industry")
        return label
    if dimension == "province":
        return _province_label

    def region_label(k: Any) -> str:
        return str(REGION_LABELS.get(k, k))
    return region_label


def _materialised_groups(scope: Scope, dimension: str, year: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The grouped rows and the totals of `year` (with the year before) from `BreakdownFigure`."""
    figures = BreakdownFigure.objects.filter(property=scope.property, dimension__in=[dimension, "total"],
                                             year__in=[year, year - 1])
    empty = {"revenue": None, "room": None, "nights": None, "stays": None, "customers": None,
             "prev_revenue": None, "prev_nights": None}
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for figure in figures:
        data = groups.setdefault((figure.dimension, figure.key), {**empty})
        if figure.year == year:
            data.update(revenue=figure.revenue, room=figure.room_revenue, nights=figure.nights, stays=figure.stays,
                        customers=figure.customers)
        else:
            data.update(prev_revenue=figure.revenue, prev_nights=figure.nights)
    totals = groups.pop(("total", ""), {**empty})

    def key_value(key: str) -> Any:
        if dimension == "industry":
            return int(key) if key else None
        return key

    grouped = [{"key": key_value(key), **data} for (dim, key), data in groups.items() if dim == dimension]
    return grouped, totals


def _live_groups(user: Any, scope: Scope, dimension: str, year: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The same, grouped from the stays of both years (before the first refresh, or for an older year)."""
    start, middle, end = dt.date(year - 1, 1, 1), dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    stays = breakdown_stays().visible_to(user).filter(arrival__gte=start, arrival__lt=end)
    if scope.property is not None:
        stays = stays.filter(property=scope.property)
    current, previous = Q(arrival__gte=middle), Q(arrival__lt=middle)
    measures = {
        "revenue": Sum(_revenue(), filter=current, output_field=MONEY),
        "room": Sum("room_revenue", filter=current, output_field=MONEY),
        "nights": Sum("room_nights", filter=current),
        "stays": Count("id", filter=current),
        "customers": Count("guest_id", filter=current, distinct=True),
        "prev_revenue": Sum(_revenue(), filter=previous, output_field=MONEY),
        "prev_nights": Sum("room_nights", filter=previous),
    }
    grouped = list(stays.annotate(key=breakdown_key(dimension)).values("key").annotate(**measures).order_by())
    return grouped, stays.aggregate(**measures)


def breakdown(*, user: Any, scope: Scope, dimension: str, year: int) -> Breakdown:
    """Revenue, nights, ADR, stays and customers of `year` by region, province or industry, with growth vs
    the year before. Read from the figures the scheduled refresh stores (`BreakdownFigure`) when it covered both
    years; otherwise one GROUP BY over the scope's productive stays of both years, and the result says "live"."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    refresh = latest_breakdown_refresh()
    if refresh is not None and refresh.first_year <= year - 1 and year <= refresh.last_year:
        grouped, totals = _materialised_groups(scope, dimension, year)
        source, refreshed_at = "materialised", refresh.finished_at
    else:
        grouped, totals = _live_groups(user, scope, dimension, year)
        source, refreshed_at = "live", None
    label = _label_for(dimension, [g["key"] for g in grouped])
    rows = [_row(str(g["key"] or NO_INDUSTRY if dimension == "industry" else g["key"]), label(g["key"]), g)
            for g in grouped]
    rows.sort(key=lambda r: (-r.revenue, -r.prev_revenue, r.label))
    return Breakdown(dimension=dimension, year=year, rows=rows, total=_row("total", _("Total"), totals),
                     source=source, refreshed_at=refreshed_at)


def breakdown_years() -> list[int]:
    """Years offered in the year picker: this year and the four before."""
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - 5, -1))


# --- the guest card ------------------------------------------------------------------------------------------


def guest_value_insights(guest: Guest, user: Any) -> list[dict[str, Any]]:
    """Value rank and RFM cell of a guest in the scopes the user sees (one indexed query); for value roles."""
    if not can_view_value(user):
        return []
    from django.urls import reverse

    ids = user.property_ids()
    rows = CustomerValue.objects.filter(guest_id=guest.pk)
    rows = rows.filter(property__isnull=True) if ids is None else rows.filter(property_id__in=ids)
    items = []
    for row in rows.select_related("property").order_by("property_id")[:3]:
        where = row.property.code if row.property_id else _("group")
        items.append({
            "label": _("Value rank (%(scope)s)") % {"scope": where},
            "value": _("#%(rank)s · RFM %(cell)s") % {"rank": f"{row.value_rank:,}", "cell": row.rfm_cell},
            "hint": _("Revenue %(revenue)s, profit %(profit)s, refreshed %(when)s") % {
                "revenue": f"{row.total_revenue:,.0f}", "profit": f"{row.profit:,.0f}",
                "when": timezone.localtime(row.refreshed_at).strftime("%Y-%m-%d %H:%M")},
            "url": reverse("analytics:value_ranking") + f"?scope={row.property.code if row.property_id else GROUP}",
            "icon": "bi-gem",
            "testid": "insight-value",
        })
    return items
