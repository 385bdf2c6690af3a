"""Reads of the dashboards: the overview and the customer-flow ledger from the materialised tables.

Nothing here touches the stays table: a page built from these selectors costs a handful of indexed queries on
small tables, however many stays there are.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from concierge.dashboards.choices import AccountKind, FlowClass
from concierge.dashboards.ledger import GROUP_COLUMNS, FlowLedger, ledger_from_cells
from concierge.dashboards.models import FlowSummary, NpsMonthly, PeriodStats, RefreshLog, TopAccount
from concierge.dashboards.services import REFRESH_NAME

ZERO = Decimal("0")


def nps_score(promoters: int, passives: int, detractors: int) -> float | None:
    """NPS = % promoters (9–10) − % detractors (0–6) of all 0–10 answers; None without answers."""
    total = promoters + passives + detractors
    if not total:
        return None
    return round(100.0 * (promoters - detractors) / total, 1)


@dataclass
class Freshness:
    refreshed_at: dt.datetime | None
    requested_at: dt.datetime | None
    duration_ms: int | None

    @property
    def pending(self) -> bool:
        """A refresh was asked for after the last one finished."""
        return self.requested_at is not None and (self.refreshed_at is None or self.requested_at > self.refreshed_at)


def freshness() -> Freshness:
    log = RefreshLog.objects.filter(name=REFRESH_NAME).first()
    if log is None:
        return Freshness(None, None, None)
    return Freshness(log.refreshed_at, log.requested_at, log.duration_ms)


def _scope(qs: QuerySet, property: Any, field_name: str = "property") -> QuerySet:  # noqa: A002
    if property is None:
        return qs.filter(**{f"{field_name}__isnull": True})
    return qs.filter(**{field_name: property})


@dataclass
class MonthPoint:
    month: int
    revenue: Decimal = ZERO
    room_nights: int = 0
    last_revenue: Decimal = ZERO
    last_room_nights: int = 0
    new: int = 0
    lost: int = 0
    nps: float | None = None
    nps_answers: int = 0


@dataclass
class AccountLine:
    kind: str
    rank: int
    name: str
    account_id: int
    revenue: Decimal
    stays: int
    room_nights: int


@dataclass
class Overview:
    """KPIs and chart series of one scope (a property, or the group when `property` is None) for one year."""

    year: int
    property: Any
    revenue: Decimal
    room_revenue: Decimal
    room_nights: int
    stays: int
    adr: Decimal | None
    active_customers: int
    new_customers: int
    lost_customers: int
    last_revenue: Decimal
    nps: float | None
    nps_answers: int
    lost_after_months: int | None
    months: list[MonthPoint] = field(default_factory=list)
    companies: list[AccountLine] = field(default_factory=list)
    guests: list[AccountLine] = field(default_factory=list)
    freshness: Any = None

    @property
    def has_nps(self) -> bool:
        return any(m.nps_answers for m in self.months)

    @property
    def revenue_change(self) -> float | None:
        """Year to date against the same months of last year (months with figures this year)."""
        months_so_far = [m for m in self.months if m.revenue or m.room_nights]
        last = sum((m.last_revenue for m in months_so_far), ZERO)
        if not last:
            return None
        return round(float((self.revenue - last) / last * 100), 1)


def overview(*, year: int, property: Any = None) -> Overview:  # noqa: A002
    """The management overview of `year` from the materialised tables (caller checks the scope is allowed)."""
    stats = _scope(PeriodStats.objects.filter(year__in=(year, year - 1)), property)
    by_month: dict[tuple[int, int | None], PeriodStats] = {(s.year, s.month): s for s in stats}
    months = [MonthPoint(month=m) for m in range(1, 13)]
    for point in months:
        now, last = by_month.get((year, point.month)), by_month.get((year - 1, point.month))
        if now is not None:
            point.revenue, point.room_nights = now.revenue, now.room_nights
        if last is not None:
            point.last_revenue, point.last_room_nights = last.revenue, last.room_nights
    total = by_month.get((year, None))
    last_total = by_month.get((year - 1, None))

    flows = (_scope(FlowSummary.objects.filter(year=year), property, "scope")
             .filter(flow__in=(FlowClass.NEW, FlowClass.LOST))
             .values("month", "flow", "lost_after_months").annotate(customers=Sum("customers")).order_by())
    new_total = lost_total = 0
    lost_after: int | None = None
    for row in flows:
        lost_after = row["lost_after_months"]
        if row["month"] is None:
            if row["flow"] == FlowClass.NEW:
                new_total = row["customers"]
            else:
                lost_total = row["customers"]
        else:
            point = months[row["month"] - 1]
            if row["flow"] == FlowClass.NEW:
                point.new = row["customers"]
            else:
                point.lost = row["customers"]

    promoters = passives = detractors = 0
    for row in _scope(NpsMonthly.objects.filter(year=year), property):
        point = months[row.month - 1]
        point.nps = nps_score(row.promoters, row.passives, row.detractors)
        point.nps_answers = row.promoters + row.passives + row.detractors
        promoters, passives, detractors = (promoters + row.promoters, passives + row.passives,
                                           detractors + row.detractors)

    accounts = _scope(TopAccount.objects.filter(year=year), property).select_related("company", "guest")
    companies, guests = [], []
    for account in accounts.order_by("kind", "rank"):
        if account.kind == AccountKind.COMPANY:
            companies.append(AccountLine(account.kind, account.rank, str(account.company), account.company_id,
                                         account.revenue, account.stays, account.room_nights))
        else:
            guest = account.guest
            name = guest.display_name if hasattr(guest, "display_name") else str(guest)
            guests.append(AccountLine(account.kind, account.rank, name, account.guest_id, account.revenue,
                                      account.stays, account.room_nights))

    nights = total.room_nights if total else 0
    room_revenue = total.room_revenue if total else ZERO
    return Overview(
        year=year, property=property, revenue=total.revenue if total else ZERO, room_revenue=room_revenue,
        room_nights=nights, stays=total.stays if total else 0,
        adr=(room_revenue / nights).quantize(Decimal("0.01")) if nights else None,
        active_customers=total.active_customers if total else 0, new_customers=new_total,
        lost_customers=lost_total, last_revenue=last_total.revenue if last_total else ZERO,
        nps=nps_score(promoters, passives, detractors), nps_answers=promoters + passives + detractors,
        lost_after_months=lost_after, months=months, companies=companies, guests=guests,
    )


def materialised_flow(
    *, year: int, month: int | None, property: Any, group_by: str | None, lost_after_months: int,  # noqa: A002
) -> FlowLedger | None:
    """The ledger from `FlowSummary` when that period, scope and N were materialised; else None (compute live).

    The current year is recomputed hourly; the ledger's "lost" depends on today, so the page says how fresh it is.
    """
    qs = _scope(FlowSummary.objects.filter(year=year, lost_after_months=lost_after_months), property, "scope")
    qs = qs.filter(month=month) if month else qs.filter(month__isnull=True)
    log = RefreshLog.objects.filter(name=REFRESH_NAME).first()
    if log is None or log.refreshed_at is None or str(year) not in (log.years or "").split(","):
        return None
    column = GROUP_COLUMNS.get(group_by, "") if group_by else ""
    dim = column.removesuffix("_id") if column else None
    values = (qs.values(dim, "flow") if dim else qs.values("flow")).annotate(
        c=Sum("customers"), r=Sum("revenue")).order_by()
    cells = [(row.get(dim) if dim else None, row["flow"], row["c"], row["r"]) for row in values]
    ledger = ledger_from_cells(cells=cells, year=year, month=month, property=property,
                               lost_after_months=lost_after_months, group_by=group_by,
                               as_of=timezone.localtime(log.refreshed_at).date())
    ledger.source = "materialised"
    ledger.refreshed_at = log.refreshed_at
    return ledger


def flow_guests(*, sql: str, params: list[Any], user: Any) -> QuerySet:
    """The visible guests whose ids the ledger SQL selects (drill-down), by name."""
    from django.db.models.expressions import RawSQL

    from concierge.guests.models import Guest

    return (Guest.objects.visible_to(user).filter(Q(id__in=RawSQL(sql, params))).select_related("owner")
            .order_by(F("last_stay_on").desc(nulls_last=True), "-id"))
