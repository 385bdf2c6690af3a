"""The customer-flow ledger: new, retained, won-back and lost customers of a year or a month, with their revenue.

Definitions (also shown on the page, with the group's current N):

* **Activity** — productive stays (in house or checked out) of guests that are not merged tombstones, dated by
  arrival, within the scope: the whole group, or one property (then "new" means new to that property).
* **Period P** — a calendar year, or a month of it.
* **N months** — `FlowSettings.lost_after_months` of the group (default 12). "More than N months" after a date
  D means after D + N calendar months (31 Jan + 1 month = "31 Feb", so 28 Feb and 3 Mar are within/after).
* **New** — the customer's first-ever stay in scope falls in P.
* **Retained** — stayed in P, not new, and their previous stay before their first stay in P lies within N months
  of it.
* **Won back** — stayed in P, not new, and that previous stay was more than N months earlier.
* **Lost** — became lost in P: their stay on L had no following stay in (L, L + N months], and L + N months falls
  in P (and before today). A customer is lost once per lapse; if they return later they are won back then.
* **Revenue** — for new, retained and won-back customers: their revenue (room + F&B + other) from stays that
  arrived in P. For lost customers: the revenue at stake, i.e. what they brought in the 12 months up to and
  including their last stay L.
* **Breakdowns** — a customer is counted once, under the property, market segment and account manager of the stay
  that classifies them (their first stay in P; for lost customers their last stay L). Revenue is split by each
  stay's own property, segment and account manager. The account manager of a stay is the billing company's owner
  for company stays (else the guest's owner).

Everything runs as one SQL statement per call, valid on PostgreSQL and SQLite, from one of two sources:

* the materialised sequence `FlowStay` (rebuilt by every dashboards refresh; `sequence_sql`): per stay its
  previous/next stay, the gap before its year's and month's first stay and its revenue at stake, so a period is
  two range scans on the arrival key (the rows arriving in P, the rows lapsing in P). Used whenever it was built;
  its figures are as of that rebuild (the page says "from the scheduled computation").
* live (`build_ledger_sql`): a window (LAG/LEAD over each guest's stays ordered by arrival) over the stays from
  N + 13 months before P to the end of P, plus an EXISTS for older stays. Before the first rebuild, for
  `source="live"`, and for a user's scope of several (not all) properties classified together.

Both give identical results (tests run every case through both). Dates are compared
as integer keys `(year*12 + month-1)*100 + day`, so "+ N months" is `+ N*100` and the period of a key is
`key / 1200` (year) or `key / 100` (month) — integer arithmetic both databases share.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.dashboards.choices import DEFAULT_LOST_AFTER_MONTHS, FlowClass, FlowGroupBy
from concierge.stays.choices import PRODUCTIVE_STATUSES

FLOW_ORDER = (FlowClass.NEW, FlowClass.RETAINED, FlowClass.WON_BACK, FlowClass.LOST)
REVENUE_AT_STAKE_MONTHS = 12


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole calendar months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def date_key(day: dt.date) -> int:
    """The integer key the SQL compares: (year*12 + month-1)*100 + day."""
    return (day.year * 12 + day.month - 1) * 100 + day.day


def _key_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return (f"((EXTRACT(YEAR FROM {column})::int * 12 + EXTRACT(MONTH FROM {column})::int - 1) * 100"
                f" + EXTRACT(DAY FROM {column})::int)")
    return (f"((CAST(strftime('%%Y', {column}) AS INTEGER) * 12 + CAST(strftime('%%m', {column}) AS INTEGER) - 1)"
            f" * 100 + CAST(strftime('%%d', {column}) AS INTEGER))")


def tune_session(cursor: Any) -> None:
    """PostgreSQL, inside a transaction: room for the window sort and hash joins in memory, and no JIT (its
    compile time costs more than it saves on this one-off statement). SET LOCAL ends with the transaction."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute("SET LOCAL jit = off")


def period_bounds(year: int, month: int | None) -> tuple[dt.date, dt.date]:
    """[start, end) of the year or month."""
    if month is None:
        return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    start = dt.date(year, month, 1)
    return start, add_months(start, 1)


@dataclass(frozen=True)
class LedgerQuery:
    """The shared SQL of the ledger: a CTE chain and its parameters. Callers add the final SELECT."""

    sql: str
    params: list[Any]
    grain: int  # 1200 (year) or 100 (month): key / grain is the period


def build_ledger_sql(
    *, start: dt.date, end: dt.date, grain: str, lost_after_months: int, as_of: dt.date,
    property_ids: list[int] | None, per_property: bool,
) -> LedgerQuery:
    """CTEs `s` (stays in the window with LAG/LEAD), `cls` (guest × period → class, with the classifying stay's
    dimensions), `lost` (lapses completing in a period) and `cells` (period, flow, property, segment, manager,
    customers, revenue). Periods of `grain` ("year" or "month") from `start` to `end` (exclusive) are covered.

    `per_property`: classify each guest within each property separately (the property scope) instead of
    across the group.
    """
    n100 = lost_after_months * 100
    g = 1200 if grain == "year" else 100
    window_start = add_months(start, -(lost_after_months + REVENUE_AT_STAKE_MONTHS + 1))
    statuses = [str(s) for s in PRODUCTIVE_STATUSES]
    status_marks = ", ".join(["%s"] * len(statuses))
    partition = "guest_id, property_id" if per_property else "guest_id"
    scope_sql, scope_params = "", []
    if property_ids is not None:
        scope_sql = f" AND st.property_id IN ({', '.join(['%s'] * len(property_ids))})" if property_ids else " AND 1=0"
        scope_params = list(property_ids)
    key = _key_sql("st.arrival")
    same_property = " AND o.property_id = c.property_id" if per_property else ""
    older_scope = scope_sql.replace("st.", "o.")
    join_property = " AND x.property_id = c.property_id" if per_property else ""
    join_property_l = " AND x.property_id = l.scope_property_id" if per_property else ""
    sql = f"""
WITH b AS (
    SELECT st.id, st.guest_id, st.property_id, st.arrival, st.market_segment AS segment,
           COALESCE(co.owner_id, g.owner_id) AS manager_id,
           (st.room_revenue + st.fnb_revenue + st.other_revenue) AS revenue,
           {key} AS k
    FROM stays_stay st
    JOIN guests_guest g ON g.id = st.guest_id
    LEFT JOIN guests_company co ON co.id = st.company_id
    WHERE st.status IN ({status_marks}) AND g.merged_into_id IS NULL
      AND st.arrival >= %s AND st.arrival < %s{scope_sql}
),
s AS (
    SELECT b.*, LAG(k) OVER w AS prev_k, LEAD(k) OVER w AS next_k
    FROM b
    WINDOW w AS (PARTITION BY {partition} ORDER BY arrival, id)
),
firsts AS (
    SELECT guest_id, property_id, segment, manager_id, k, prev_k, k / {g} AS period
    FROM s
    WHERE s.arrival >= %s AND (prev_k IS NULL OR prev_k / {g} < k / {g})
),
cls AS (
    SELECT c.guest_id, c.property_id, c.segment, c.manager_id, c.period,
           CASE WHEN c.prev_k IS NOT NULL AND c.k <= c.prev_k + {n100} THEN 'retained'
                WHEN c.prev_k IS NOT NULL THEN 'won_back'
                WHEN EXISTS (SELECT 1 FROM stays_stay o WHERE o.guest_id = c.guest_id AND o.arrival < %s
                             AND o.status IN ({status_marks}){same_property}{older_scope}) THEN 'won_back'
                ELSE 'new' END AS flow
    FROM firsts c
),
lost AS (
    SELECT s.guest_id, s.property_id, s.property_id AS scope_property_id, s.segment, s.manager_id, s.k,
           (s.k + {n100}) / {g} AS period
    FROM s
    WHERE (s.next_k IS NULL OR s.next_k > s.k + {n100})
      AND s.k + {n100} >= %s AND s.k + {n100} < %s AND s.k + {n100} < %s
),
cells AS (
    SELECT period, flow, property_id, segment, manager_id, COUNT(*) AS customers, 0 AS revenue
    FROM cls GROUP BY period, flow, property_id, segment, manager_id
    UNION ALL
    SELECT c.period, c.flow, x.property_id, x.segment, x.manager_id, 0, SUM(x.revenue)
    FROM cls c JOIN s x ON x.guest_id = c.guest_id{join_property} AND x.k / {g} = c.period
    GROUP BY c.period, c.flow, x.property_id, x.segment, x.manager_id
    UNION ALL
    SELECT period, 'lost', property_id, segment, manager_id, COUNT(*), 0
    FROM lost GROUP BY period, property_id, segment, manager_id
    UNION ALL
    SELECT l.period, 'lost', l.property_id, l.segment, l.manager_id, 0, SUM(x.revenue)
    FROM lost l JOIN s x ON x.guest_id = l.guest_id{join_property_l}
         AND x.k <= l.k AND x.k > l.k - {REVENUE_AT_STAKE_MONTHS * 100}
    GROUP BY l.period, l.property_id, l.segment, l.manager_id
)"""
    params: list[Any] = [
        *statuses, window_start, end, *scope_params,  # s
        start,  # firsts
        window_start, *statuses, *scope_params,  # cls
        date_key(start), date_key(end), date_key(as_of),  # lost
    ]
    return LedgerQuery(sql=sql, params=params, grain=g)


def sequence_sql(
    *, start: dt.date, end: dt.date, grain: str, lost_after_months: int, as_of: dt.date,
    property_id: int | None, per_property: bool,
) -> LedgerQuery:
    """The same CTEs as `build_ledger_sql` (`cls`, `lost`, `cells`, same columns and results), read from the
    materialised sequence `dashboards_flowstay` instead of a window over the stays: the rows arriving in the
    periods and the rows lapsing in them, two range scans on the arrival key, no window and no EXISTS.

    `per_property`: the property scope columns (classified within each property); `property_id` restricts the
    rows to one property (then `per_property` must be set: one property's stays classified among themselves).
    """
    n100 = lost_after_months * 100
    g = 1200 if grain == "year" else 100
    p = "p_" if per_property else ""
    gap = f"{p}{'y' if grain == 'year' else 'm'}_gap"
    scope_sql, scope_params = ("", []) if property_id is None else (" AND property_id = %s", [property_id])
    sql = f"""
WITH a AS (
    SELECT guest_id, property_id, segment, manager_id, revenue, k, k / {g} AS period,
           CASE WHEN {p}prev_k IS NULL OR {p}prev_k / {g} < k / {g} THEN 1 ELSE 0 END AS is_first,
           CASE WHEN {gap} IS NULL THEN 'new' WHEN {gap} <= {n100} THEN 'retained' ELSE 'won_back' END AS flow
    FROM dashboards_flowstay
    WHERE k >= %s AND k < %s{scope_sql}
),
cls AS (
    SELECT guest_id, property_id, segment, manager_id, period, flow FROM a WHERE is_first = 1
),
lost AS (
    SELECT guest_id, property_id, property_id AS scope_property_id, segment, manager_id, k, {p}stake AS stake,
           (k + {n100}) / {g} AS period
    FROM dashboards_flowstay
    WHERE k >= %s AND k < %s AND k < %s AND ({p}next_k IS NULL OR {p}next_k > k + {n100}){scope_sql}
),
cells AS (
    SELECT period, flow, property_id, segment, manager_id, SUM(is_first) AS customers, SUM(revenue) AS revenue
    FROM a GROUP BY period, flow, property_id, segment, manager_id
    UNION ALL
    SELECT period, 'lost', property_id, segment, manager_id, COUNT(*), SUM(stake)
    FROM lost GROUP BY period, property_id, segment, manager_id
)"""
    ks, ke = date_key(start), date_key(end)
    params: list[Any] = [ks, ke, *scope_params, ks - n100, ke - n100, date_key(as_of) - n100, *scope_params]
    return LedgerQuery(sql=sql, params=params, grain=g)


def sequence_refreshed_at() -> dt.datetime | None:
    """When the sequence table was last rebuilt (None: never, so the ledger runs live)."""
    from concierge.dashboards.models import RefreshLog
    from concierge.dashboards.services import REFRESH_NAME

    return RefreshLog.objects.filter(name=REFRESH_NAME).values_list("sequence_built_at", flat=True).first()


def _sequence_scope(property: Any, property_ids: list[int] | None) -> tuple[bool, int | None] | None:  # noqa: A002
    """(per_property, property_id) for the sequence table, or None when it cannot answer this scope (a user's
    subset of several properties classified together): then the live SQL runs."""
    if property is not None:
        return True, property.pk
    if property_ids is None:
        return False, None
    if len(property_ids) == 1:  # one property's stays classified among themselves = that property's scope
        return True, property_ids[0]
    from concierge.properties.models import Property

    if property_ids and set(property_ids) >= set(Property.objects.values_list("pk", flat=True)):
        return False, None
    return None


def ledger_query(
    *, year: int, month: int | None, property: Any, user: Any, lost_after_months: int,  # noqa: A002
    as_of: dt.date, source: str = "auto",
) -> tuple[LedgerQuery, dt.datetime | None]:
    """The ledger SQL of a period: from the sequence table when it was built (`source` "auto" or "sequence"),
    else the live window over the stays. Returns the query and the sequence's build time (None: live)."""
    start, end = period_bounds(year, month)
    grain = "month" if month else "year"
    property_ids = scope_property_ids(user=user, property=property)
    if source != "live":
        refreshed_at = sequence_refreshed_at()
        scope = _sequence_scope(property, property_ids)
        if scope is not None and (refreshed_at is not None or source == "sequence"):
            per_property, property_id = scope
            return sequence_sql(start=start, end=end, grain=grain, lost_after_months=lost_after_months,
                                as_of=as_of, property_id=property_id, per_property=per_property), refreshed_at
    return build_ledger_sql(start=start, end=end, grain=grain, lost_after_months=lost_after_months, as_of=as_of,
                            property_ids=property_ids, per_property=property is not None), None


# --- the result ---------------------------------------------------------------------------------------------------


@dataclass
class FlowCell:
    customers: int = 0
    revenue: Decimal = Decimal("0")


@dataclass
class FlowRow:
    """One line of the ledger: a breakdown key (or the total) with a cell per flow class."""

    key: Any
    label: str
    cells: dict[str, FlowCell] = field(default_factory=lambda: {c.value: FlowCell() for c in FLOW_ORDER})

    @property
    def new(self) -> FlowCell:
        return self.cells[FlowClass.NEW]

    @property
    def retained(self) -> FlowCell:
        return self.cells[FlowClass.RETAINED]

    @property
    def won_back(self) -> FlowCell:
        return self.cells[FlowClass.WON_BACK]

    @property
    def lost(self) -> FlowCell:
        return self.cells[FlowClass.LOST]

    @property
    def active(self) -> int:
        return self.new.customers + self.retained.customers + self.won_back.customers

    @property
    def net(self) -> int:
        """Customers gained (new + won back) minus customers lost."""
        return self.new.customers + self.won_back.customers - self.lost.customers


@dataclass
class FlowLedger:
    """The ledger of one period: totals, and rows per breakdown key when `group_by` was given."""

    year: int
    month: int | None
    property: Any
    lost_after_months: int
    group_by: str | None
    total: FlowRow
    rows: list[FlowRow]
    as_of: dt.date
    source: str = "live"  # or "materialised"
    refreshed_at: dt.datetime | None = None

    @property
    def start(self) -> dt.date:
        return period_bounds(self.year, self.month)[0]

    @property
    def end(self) -> dt.date:
        return period_bounds(self.year, self.month)[1] - dt.timedelta(days=1)


def dimension_labels(group_by: str | None, keys: list[Any]) -> dict[Any, str]:
    """Display names for the keys of a breakdown (properties, segments, account managers): one query at most."""
    from django.contrib.auth import get_user_model

    from concierge.properties.models import Property
    from concierge.stays.choices import MarketSegment

    unassigned = str(_("Unassigned"))
    wanted = [k for k in keys if k not in (None, "")]
    labels: dict[Any, str] = {None: unassigned, "": unassigned}
    if group_by == FlowGroupBy.PROPERTY:
        labels.update({p.pk: f"{p} ({p.code})" for p in Property.objects.filter(pk__in=wanted)})
    elif group_by == FlowGroupBy.SEGMENT:
        choices = dict(MarketSegment.choices)
        labels.update({k: str(choices.get(k, k)) for k in wanted})
    elif group_by == FlowGroupBy.MANAGER:
        labels.update({u.pk: str(u) for u in get_user_model().objects.filter(pk__in=wanted)})
    return labels


def ledger_from_cells(
    *, cells: list[tuple[Any, str, int, Any]], year: int, month: int | None, property: Any,  # noqa: A002
    lost_after_months: int, group_by: str | None, as_of: dt.date,
) -> FlowLedger:
    """Assemble a FlowLedger from aggregated (key, flow, customers, revenue) rows (already GROUPed in SQL)."""
    total = FlowRow(key=None, label=str(_("Total")))
    by_key: dict[Any, FlowRow] = {}
    labels = dimension_labels(group_by, [c[0] for c in cells]) if group_by else {}
    for key, flow, customers, revenue in cells:
        revenue = Decimal(revenue or 0).quantize(Decimal("0.01"))
        customers = int(customers or 0)
        total.cells[flow].customers += customers
        total.cells[flow].revenue += revenue
        if group_by:
            row = by_key.setdefault(key, FlowRow(key=key, label=labels.get(key, str(key))))
            row.cells[flow].customers += customers
            row.cells[flow].revenue += revenue
    rows = sorted(by_key.values(), key=lambda r: (-(r.active + r.lost.customers), r.label))
    return FlowLedger(year=year, month=month, property=property, lost_after_months=lost_after_months,
                      group_by=group_by, total=total, rows=rows, as_of=as_of)


GROUP_COLUMNS = {FlowGroupBy.PROPERTY: "property_id", FlowGroupBy.SEGMENT: "segment",
                 FlowGroupBy.MANAGER: "manager_id"}


def scope_property_ids(*, user: Any, property: Any) -> list[int] | None:  # noqa: A002
    """The property ids the ledger reads: the chosen property, else the user's properties (None = all)."""
    if property is not None:
        return [property.pk]
    if user is None:
        return None
    return user.property_ids()


def resolve_lost_after_months(property: Any = None) -> int:  # noqa: A002
    """N of the property's group (or of the first group); 12 until someone sets it."""
    from concierge.dashboards.models import FlowSettings

    qs = FlowSettings.objects.all()
    if property is not None:
        qs = qs.filter(group_id=property.group_id)
    value = qs.order_by("group_id").values_list("lost_after_months", flat=True).first()
    return int(value or DEFAULT_LOST_AFTER_MONTHS)


def customer_flow(
    *, year: int, month: int | None = None, property: Any = None,  # noqa: A002 - the domain's word
    lost_after_months: int | None = None, group_by: str | None = None, user: Any = None,
    as_of: dt.date | None = None, source: str = "auto",
) -> FlowLedger:
    """The customer-flow ledger of `year` (or one `month` of it), in one SQL statement.

    `property`: classify within that property (new = first stay at this property); else across the group,
    restricted to `user`'s properties when the user is not group-wide. `group_by`: "property", "segment" or
    "manager" adds one row per key. See the module docstring for the exact definitions.

    `source`: "auto" reads the materialised sequence table (`FlowStay`) when it was built, as of its last
    rebuild (then `source` of the result is "materialised"); "live" always runs the window over the stays.
    """
    if month is not None and not 1 <= month <= 12:
        raise ValueError("month must be 1..12")
    if group_by is not None and group_by not in GROUP_COLUMNS:
        raise ValueError(f"unknown group_by {group_by!r}")
    n = lost_after_months or resolve_lost_after_months(property)
    as_of = as_of or timezone.localdate()
    query, sequence_at = ledger_query(year=year, month=month, property=property, user=user, lost_after_months=n,
                                      as_of=as_of, source=source)
    column = GROUP_COLUMNS.get(group_by, "NULL") if group_by else "NULL"
    sql = (f"{query.sql}\nSELECT {column} AS dim, flow, SUM(customers), SUM(revenue) FROM cells"
           f" GROUP BY {column}, flow" if group_by else
           f"{query.sql}\nSELECT NULL AS dim, flow, SUM(customers), SUM(revenue) FROM cells GROUP BY flow")
    with transaction.atomic(), connection.cursor() as cursor:
        tune_session(cursor)
        cursor.execute(sql, query.params)
        cells = cursor.fetchall()
    ledger = ledger_from_cells(cells=cells, year=year, month=month, property=property, lost_after_months=n,
                               group_by=group_by, as_of=as_of)
    if sequence_at is not None:
        ledger.source = "materialised"
        ledger.refreshed_at = sequence_at
    return ledger


def flow_guest_ids_sql(
    *, year: int, month: int | None, property: Any, user: Any, flow: str,  # noqa: A002
    lost_after_months: int, group_by: str | None = None, key: Any = None, as_of: dt.date | None = None,
    source: str = "auto",
) -> tuple[str, list[Any]]:
    """SQL selecting the guest ids of one flow class (optionally one breakdown key): for drill-down lists."""
    if flow not in FlowClass.values:
        raise ValueError(f"unknown flow {flow!r}")
    query, _sequence_at = ledger_query(year=year, month=month, property=property, user=user,
                                       lost_after_months=lost_after_months, as_of=as_of or timezone.localdate(),
                                       source=source)
    table = "lost" if flow == FlowClass.LOST else "cls"
    sql = f"{query.sql}\nSELECT DISTINCT guest_id FROM {table}"
    params = list(query.params)
    where = [] if flow == FlowClass.LOST else ["flow = %s"]
    if flow != FlowClass.LOST:
        params.append(flow)
    if group_by in GROUP_COLUMNS:
        column = GROUP_COLUMNS[group_by]
        if key in (None, ""):
            where.append(f"({column} IS NULL OR {column} = '')" if column == "segment" else f"{column} IS NULL")
        else:
            where.append(f"{column} = %s")
            params.append(key)
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sql, params
