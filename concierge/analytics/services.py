"""Writes of the customer-value module: the set-based refresh of `CustomerValue`, cost ratios, refresh requests.

The refresh is one DELETE and one INSERT … SELECT per scope kind, in one transaction: every aggregate, NTILE
quintile, rank and running revenue share is computed by the database, and readers keep seeing the previous
table (MVCC on PostgreSQL, the WAL snapshot on SQLite) until the new one is committed.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.analytics.models import (
    ROLLING_DAYS,
    BreakdownFigure,
    BreakdownRefresh,
    CostRatios,
    CustomerValue,
    ValueRefresh,
    ValueSummary,
)
from concierge.analytics.swap import swap_in
from concierge.guests.models import Guest
from concierge.properties.models import Property
from concierge.stays.choices import PRODUCTIVE_STATUSES
from concierge.stays.models import Stay

# Used when no group default has been saved: rooms keep most of their revenue, F&B costs most of its own.
DEFAULT_COST_RATIOS: dict[str, Decimal] = {"room": Decimal("0.25"), "fnb": Decimal("0.65"), "other": Decimal("0.50")}
REVENUE_TYPES = ("room", "fnb", "other")


@dataclass(frozen=True)
class Ratios:
    """The cost ratio of each revenue type in one scope (0 = all profit, 1 = no profit)."""

    room: Decimal
    fnb: Decimal
    other: Decimal


def effective_cost_ratios() -> tuple[Ratios, dict[int, Ratios]]:
    """The group default and, per property with its own row, the ratios that apply (blank fields inherit)."""
    rows = list(CostRatios.objects.all())
    group_row = next((r for r in rows if r.property_id is None), None)
    default = Ratios(**{
        name: (getattr(group_row, name) if group_row and getattr(group_row, name) is not None
               else DEFAULT_COST_RATIOS[name])
        for name in REVENUE_TYPES
    })
    per_property = {
        r.property_id: Ratios(**{name: getattr(r, name) if getattr(r, name) is not None else getattr(default, name)
                                 for name in REVENUE_TYPES})
        for r in rows if r.property_id is not None
    }
    return default, per_property


def cost_ratios_save(
    *, actor: Any, property: Any = None, room: Decimal | None, fnb: Decimal | None,  # noqa: A002
    other: Decimal | None,
) -> CostRatios:
    """Save the group default (property None; every ratio required) or a property's overrides (blank = inherit)."""
    values = {"room": room, "fnb": fnb, "other": other}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if value is None:
            if property is None:
                errors[name] = [_("The group default needs a ratio for every revenue type.")]
            continue
        if not isinstance(value, Decimal):
            value = Decimal(str(value))
            values[name] = value
        if value < 0 or value > 1:
            errors[name] = [_("Enter a ratio between 0 and 1, for example 0.25.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = CostRatios.objects.select_for_update().filter(property=property).first()
        if row is None:
            row = CostRatios(property=property)
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_by = actor if getattr(actor, "pk", None) else None
        row.save()
    return row


# --- the refresh ---------------------------------------------------------------------------------------------

# Work tables of one refresh (TEMP: private to the connection; dropped at commit on PostgreSQL, by hand on SQLite).
_BASE = "cv_refresh_base"
_ROWS = "cv_refresh_rows"


def _ratio_case(column: str, default: Ratios, per_property: dict[int, Ratios], params: list[Any],
                property_column: str = "b.property_id") -> str:
    """SQL for the cost ratio of `column` ("room", "fnb", "other") of each row's property."""
    if not per_property:
        params.append(str(getattr(default, column)))
        return "CAST(%s AS NUMERIC)"
    parts = [f"CASE {property_column}"]
    for property_id, ratios in sorted(per_property.items()):
        parts.append("WHEN %s THEN CAST(%s AS NUMERIC)")
        params.extend([property_id, str(getattr(ratios, column))])
    parts.append("ELSE CAST(%s AS NUMERIC) END")
    params.append(str(getattr(default, column)))
    return " ".join(parts)


def _base_sql(*, property_id: int | None, temp: str, as_of: Any) -> tuple[str, list[Any]]:
    """The one pass over stays: productive stays of live guests summed per (guest, property) into a work table.

    Everything else (property scopes, group scope, scores) is derived from this table, which is a few times
    smaller than the stays it sums. Money is summed in whole cents (BIGINT): the revenue columns have two
    decimals, so the sums are exact, and integer sums cost a fraction of NUMERIC ones. The rolling sums cover
    arrivals from as_of − ROLLING_DAYS to as_of (both included), the same days as a segment period "in the last
    ROLLING_DAYS days" on the refresh date."""
    start = as_of - dt.timedelta(days=ROLLING_DAYS)

    def cents(money: str) -> str:
        if connection.vendor == "postgresql":
            return f"CAST(({money}) * 100 AS BIGINT)"  # NUMERIC with two decimals: the cast is exact
        return f"CAST(ROUND(({money}) * 100) AS INTEGER)"  # SQLite stores decimals as floating point

    day = "CAST(%s AS DATE)" if connection.vendor == "postgresql" else "%s"  # SQLite: ISO text compares as dates
    rolling = f"s.arrival >= {day} AND s.arrival <= {day}"
    params: list[Any] = [start.isoformat(), as_of.isoformat()] * 3
    # Merged tombstones left out by an anti-join on the (few) merged guests, not a join of every stay to its guest.
    where = (f"s.guest_id IS NOT NULL AND s.status IN (%s, %s) AND NOT EXISTS (SELECT 1 FROM"
             f" {Guest._meta.db_table} g WHERE g.id = s.guest_id AND g.merged_into_id IS NOT NULL)")
    params += [str(v) for v in PRODUCTIVE_STATUSES]
    if property_id is not None:
        where += " AND s.property_id = %s"
        params.append(property_id)
    sql = f"""
        CREATE {temp} TABLE {_BASE} AS
        SELECT s.guest_id AS guest_id, s.property_id AS property_id, COUNT(*) AS n_stays,
               SUM(s.room_nights) AS nights, SUM({cents("s.room_revenue")}) AS room,
               SUM({cents("s.fnb_revenue")}) AS fnb, SUM({cents("s.other_revenue")}) AS oth,
               MIN(s.arrival) AS first_on, MAX(s.arrival) AS last_on,
               SUM(CASE WHEN {rolling} THEN 1 ELSE 0 END) AS n_roll,
               SUM(CASE WHEN {rolling} THEN s.room_nights ELSE 0 END) AS nights_roll,
               SUM(CASE WHEN {rolling} THEN {cents("s.room_revenue + s.fnb_revenue + s.other_revenue")} ELSE 0 END)
                   AS revenue_roll
        FROM {Stay._meta.db_table} s
        WHERE {where}
        GROUP BY s.guest_id, s.property_id
    """
    return sql, params


def _rows_sql(*, properties: bool, group: bool, temp: str) -> tuple[str, list[Any]]:
    """The rows to score, one per guest and scope (`scope` 0 = the group), from the per-(guest, property) sums.

    Profit applies the property's ratios to its three sums; a guest's group profit adds up those of each
    property, which is exactly the sum over the stays (numeric arithmetic)."""
    default, overrides = effective_cost_ratios()
    params: list[Any] = []
    ratio = {name: _ratio_case(name, default, overrides, params) for name in REVENUE_TYPES}
    # Sums are in cents (see `_base_sql`); revenue stays in cents here (the sort key of the ranking), profit is
    # converted back to currency (exact: NUMERIC arithmetic on PostgreSQL).
    profit = (f"(b.room * (1 - {ratio['room']}) + b.fnb * (1 - {ratio['fnb']})"
              f" + b.oth * (1 - {ratio['other']})) / 100.0")
    parts = []
    if properties:
        parts.append(f"""
            SELECT b.guest_id AS guest_id, b.property_id AS property_id, b.property_id AS scope,
                   b.n_stays AS n_stays, b.nights AS nights, b.room AS room, b.fnb + b.oth AS other,
                   b.room + b.fnb + b.oth AS revenue, {profit} AS profit, b.first_on AS first_on,
                   b.last_on AS last_on, b.n_roll AS n_roll, b.nights_roll AS nights_roll,
                   b.revenue_roll AS revenue_roll
            FROM {_BASE} b""")
    if group:
        group_params: list[Any] = []
        group_ratio = {name: _ratio_case(name, default, overrides, group_params) for name in REVENUE_TYPES}
        group_profit = (f"b.room * (1 - {group_ratio['room']}) + b.fnb * (1 - {group_ratio['fnb']})"
                        f" + b.oth * (1 - {group_ratio['other']})")
        if overrides:
            profit_sum = f"SUM({group_profit}) / 100.0"
        else:  # one set of ratios: apply them to the three sums
            profit_sum = (f"(SUM(b.room) * (1 - {group_ratio['room']}) + SUM(b.fnb) * (1 - {group_ratio['fnb']})"
                          f" + SUM(b.oth) * (1 - {group_ratio['other']})) / 100.0")
        parts.append(f"""
            SELECT b.guest_id, CAST(NULL AS BIGINT), 0, SUM(b.n_stays), SUM(b.nights), SUM(b.room),
                   SUM(b.fnb) + SUM(b.oth), SUM(b.room) + SUM(b.fnb) + SUM(b.oth), {profit_sum},
                   MIN(b.first_on), MAX(b.last_on), SUM(b.n_roll), SUM(b.nights_roll), SUM(b.revenue_roll)
            FROM {_BASE} b
            GROUP BY b.guest_id""")
        params.extend(group_params)
    sql = f"CREATE {temp} TABLE {_ROWS} AS " + " UNION ALL ".join(parts)
    return sql, params


def _insert_sql(*, as_of: Any, now: Any, into: str | None = None) -> tuple[str, list[Any]]:
    """The INSERT of the scored rows into `CustomerValue`.

    Quintiles 1..5 with NTILE(5)'s bucket sizes (the first n mod 5 buckets one larger), over ascending values:
    bucket 5 holds the most recent, most frequent, highest-spending fifth. Guests tied on a value would be split
    across neighbouring buckets by NTILE; they share the lower one instead, which is NTILE's bucket of the tie's
    first row, i.e. of its RANK() = 1 + the number of rows with a smaller value.

    Recency and frequency take few distinct values (days, stay counts), so their RANK() comes from a small
    histogram per scope (counts of rows below each value) instead of a sort of every row. Revenue rank, running
    share and the ascending RANK() of revenue all come from one sort by revenue descending:
    RANK() ascending = n + 1 − (rows with revenue ≥ this one)."""
    def quintile(rank: str) -> str:
        big = "(n %% 5) * (n / 5 + 1)"  # rows in the larger buckets
        return (f"CASE WHEN {rank} <= {big} THEN ({rank} - 1) / (n / 5 + 1) + 1"
                f" ELSE n %% 5 + ({rank} - 1 - {big}) / (n / 5) + 1 END")

    if connection.vendor == "postgresql":
        recency = "GREATEST(CAST(%s AS DATE) - t.last_on, 0)"
        materialized = ""  # PostgreSQL plans the small histograms as hash joins by itself
        join = "JOIN"
    else:
        recency = "MAX(CAST(julianday(%s) - julianday(t.last_on) AS INTEGER), 0)"
        # SQLite would otherwise re-run each histogram's window per joined row (seconds per thousand guests).
        materialized = "MATERIALIZED "
        # ... and put a histogram outermost, looping over every scored row per histogram row: CROSS JOIN fixes
        # the order (scored rows outside), which in SQLite keeps the ON condition.
        join = "CROSS JOIN"
    sql = f"""
        WITH r_hist AS {materialized}(
            SELECT scope, last_on,
                   CAST(SUM(c) OVER (PARTITION BY scope ORDER BY last_on
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - c + 1 AS BIGINT) AS rk,
                   CAST(SUM(c) OVER (PARTITION BY scope) AS BIGINT) AS n,
                   SUM(rev) OVER (PARTITION BY scope) AS scope_total
            FROM (SELECT scope, last_on, COUNT(*) AS c, SUM(revenue) AS rev FROM {_ROWS} GROUP BY scope, last_on) x
        ), f_hist AS {materialized}(
            SELECT scope, n_stays,
                   CAST(SUM(c) OVER (PARTITION BY scope ORDER BY n_stays
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - c + 1 AS BIGINT) AS rk
            FROM (SELECT scope, n_stays, COUNT(*) AS c FROM {_ROWS} GROUP BY scope, n_stays) x
        ), ranked AS {materialized}(
            SELECT v.*,
                   ROW_NUMBER() OVER wr AS rnk, SUM(v.revenue) OVER wr AS cum,
                   COUNT(*) OVER (PARTITION BY v.scope ORDER BY v.revenue DESC
                                  RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS at_or_above
            FROM {_ROWS} v
            WINDOW wr AS (PARTITION BY v.scope ORDER BY v.revenue DESC, v.guest_id
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        ), scored AS (
            SELECT w.*, rh.n AS n, rh.scope_total AS scope_total, rh.rk AS r_rank, fh.rk AS f_rank,
                   rh.n + 1 - w.at_or_above AS m_rank
            FROM ranked w
            {join} r_hist rh ON rh.scope = w.scope AND rh.last_on = w.last_on
            {join} f_hist fh ON fh.scope = w.scope AND fh.n_stays = w.n_stays
        ), t AS (
            SELECT s.*, {quintile("s.r_rank")} AS r, {quintile("s.f_rank")} AS f, {quintile("s.m_rank")} AS m
            FROM scored s
        )
        INSERT INTO {into or CustomerValue._meta.db_table} (
            guest_id, property_id, stays, room_nights, room_revenue, other_revenue, total_revenue, profit,
            first_stay_on, last_stay_on, recency_days, r_score, f_score, m_score, rfm_cell, value_rank,
            cumulative_share, stays_rolling, room_nights_rolling, revenue_rolling, refreshed_at)
        SELECT t.guest_id, t.property_id, t.n_stays, t.nights, ROUND(t.room / 100.0, 2), ROUND(t.other / 100.0, 2),
               ROUND(t.revenue / 100.0, 2), ROUND(t.profit, 2), t.first_on, t.last_on, {recency}, t.r, t.f, t.m,
               CAST(t.r AS TEXT) || CAST(t.f AS TEXT) || CAST(t.m AS TEXT), t.rnk,
               CASE WHEN t.scope_total > 0 THEN ROUND(t.cum * 1.0 / t.scope_total, 6) END, t.n_roll,
               t.nights_roll, ROUND(t.revenue_roll / 100.0, 2), %s
        FROM t
    """
    return sql, [as_of.isoformat(), now]


def refresh_customer_value(
    *, property: Any = None, all_scopes: bool = True, requested_by: Any = None,  # noqa: A002
) -> dict[str, Any]:
    """Rebuild `CustomerValue` for the group and every property (default), the group only
    (`all_scopes=False`), or one property (`property=`). Idempotent; returns row counts and seconds.

    Only guests with productive stays count (in house, checked out); merged tombstones are left out.

    One pass over stays fills a work table of per-(guest, property) sums; the rows of every scope are derived
    from it and scored in one INSERT … SELECT. All of it runs in one transaction, so readers keep seeing the
    previous table (MVCC on PostgreSQL, the WAL snapshot on SQLite) until the new one is committed.
    """
    started = time.monotonic()
    property_id = getattr(property, "pk", property)
    now = timezone.now()
    as_of = timezone.localdate()
    table = CustomerValue._meta.db_table
    postgres = connection.vendor == "postgresql"
    temp = "TEMP"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            # Room for the hash aggregate and the sort behind the windows, for this transaction only.
            cursor.execute("SET LOCAL work_mem = '768MB'")
            # JIT compiling these one-off statements costs more than it saves.
            cursor.execute("SET LOCAL jit = off")
            # The scored rows meet the two small rank histograms by hash join; a merge join on the scope alone
            # (chosen on a poor join estimate) rescans a scope's rows once per histogram row.
            cursor.execute("SET LOCAL enable_mergejoin = off")
        for name in (_ROWS, _BASE):  # left over by an earlier failure on this connection (SQLite)
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        sql, params = _base_sql(property_id=property_id, temp=temp, as_of=as_of)
        if postgres:
            sql = sql.replace(f"TABLE {_BASE} AS", f"TABLE {_BASE} ON COMMIT DROP AS", 1)
        cursor.execute(sql, params)
        group = property_id is None
        properties = property_id is not None or all_scopes
        sql, params = _rows_sql(properties=properties, group=group, temp=temp)
        if postgres:
            sql = sql.replace(f"TABLE {_ROWS} AS", f"TABLE {_ROWS} ON COMMIT DROP AS", 1)
        cursor.execute(sql, params)
        if postgres:
            cursor.execute(f"ANALYZE {_ROWS}")
        if postgres and property_id is None and all_scopes:
            # A full rebuild writes every row: build a new table without indexes or foreign keys, index and
            # check it in bulk, then swap it in (readers wait only for the swap itself, not for the build).
            sql, params = _insert_sql(as_of=as_of, now=now, into="{staging}")
            swap_in(cursor, table, lambda staging: cursor.execute(sql.replace("{staging}", staging), params))
        else:
            if property_id is not None:
                cursor.execute(f"DELETE FROM {table} WHERE property_id = %s", [property_id])
            elif all_scopes:
                cursor.execute(f"DELETE FROM {table}")
            else:
                cursor.execute(f"DELETE FROM {table} WHERE property_id IS NULL")
            sql, params = _insert_sql(as_of=as_of, now=now)
            cursor.execute(sql, params)
        cursor.execute(f"SELECT COUNT(*), COUNT(property_id) FROM {_ROWS}")
        total, per_property = cursor.fetchone()
        counts = {"group": total - per_property, "properties": per_property}
        if not postgres:
            for name in (_ROWS, _BASE):
                cursor.execute(f"DROP TABLE {name}")
        write_value_summaries(property_id=property_id, all_scopes=all_scopes, refreshed_at=now)
        seconds = round(time.monotonic() - started, 3)
        ValueRefresh.objects.create(
            property_id=property_id, all_scopes=all_scopes and property_id is None,
            requested_by=requested_by if getattr(requested_by, "pk", None) else None,
            requested_at=now, finished_at=timezone.now(), rows=counts["group"] + counts["properties"],
            seconds=seconds,
        )
    return {"group_rows": counts["group"], "property_rows": counts["properties"],
            "rows": counts["group"] + counts["properties"], "seconds": round(time.monotonic() - started, 3)}


def write_value_summaries(*, property_id: int | None, all_scopes: bool, refreshed_at: dt.datetime) -> int:
    """Store the screens' figures (Pareto, R × F grid, customer count) of every scope a refresh rebuilt, inside
    its transaction, so the value pages read one row per scope instead of aggregating all its customers.
    Returns the number of scopes written."""
    from concierge.analytics import selectors

    if property_id is not None:
        scopes: list[int | None] = [property_id]
    elif all_scopes:
        scopes = [None, *Property.objects.order_by("pk").values_list("pk", flat=True)]
    else:
        scopes = [None]
    ValueSummary.objects.filter(property_id__in=[s for s in scopes if s is not None]).delete()
    if None in scopes:
        ValueSummary.objects.filter(property__isnull=True).delete()
    rows = []
    for scope_property in scopes:
        values = CustomerValue.objects.filter(property_id=scope_property)  # None: IS NULL, the group's rows
        figures = selectors.pareto_figures(values)
        rows.append(ValueSummary(
            property_id=scope_property, customers=figures["customers"], revenue=figures["revenue"],
            profit=figures["profit"], decile_revenue=figures["decile_revenue"], curve=figures["curve"],
            rfm_cells=selectors.rfm_cell_rows(values), refreshed_at=refreshed_at))
    ValueSummary.objects.bulk_create(rows)
    return len(rows)


def refresh_breakdowns() -> dict[str, Any]:
    """Rebuild `BreakdownFigure`: per scope (the group, each property), dimension (region, province, industry,
    total), year and key, the revenue, room revenue, nights, stays and distinct customers of productive stays —
    for the years the breakdown screens offer and the year before each (growth). Set-based GROUP BYs in the
    database, replaced in one transaction (readers see the old figures until it commits)."""
    from django.db.models.functions import ExtractYear

    from concierge.analytics import selectors

    started = time.monotonic()
    years = selectors.breakdown_years()
    first_year, last_year = min(years) - 1, max(years)
    stays = selectors.breakdown_stays().filter(
        arrival__gte=dt.date(first_year, 1, 1), arrival__lt=dt.date(last_year + 1, 1, 1))
    figures: list[BreakdownFigure] = []
    for dimension in (*selectors.DIMENSIONS, "total"):
        for per_property in (False, True):
            keys = ("property_id", "year", "key") if per_property else ("year", "key")
            grouped = (stays.annotate(key=selectors.breakdown_key(dimension), year=ExtractYear("arrival"))
                       .values(*keys).annotate(**selectors.year_measures()).order_by())
            figures.extend(BreakdownFigure(
                property_id=row["property_id"] if per_property else None, dimension=dimension,
                key="" if row["key"] is None else str(row["key"]), year=row["year"],
                revenue=row["revenue"] or 0, room_revenue=row["room"] or 0, nights=row["nights"] or 0,
                stays=row["stays"], customers=row["customers"]) for row in grouped)
    with transaction.atomic():
        BreakdownFigure.objects.all().delete()
        BreakdownFigure.objects.bulk_create(figures, batch_size=1000)
        seconds = round(time.monotonic() - started, 3)
        BreakdownRefresh.objects.create(first_year=first_year, last_year=last_year, finished_at=timezone.now(),
                                        seconds=seconds, rows=len(figures))
    return {"rows": len(figures), "first_year": first_year, "last_year": last_year, "seconds": seconds}


def refresh_request(*, actor: Any, property: Any = None) -> None:  # noqa: A002
    """Queue a refresh ("refresh now") once the surrounding transaction commits."""
    from concierge.analytics.tasks import refresh_customer_value as task

    property_id = getattr(property, "pk", property)
    transaction.on_commit(lambda: task.delay(property_id=property_id, requested_by_id=getattr(actor, "pk", None)))
