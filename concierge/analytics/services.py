"""Writes of the customer-value module: the set-based refresh of `CustomerValue`, cost ratios, refresh requests.

The refresh is one DELETE and one INSERT … SELECT per scope kind, in one transaction: every aggregate, NTILE
quintile, rank and running revenue share is computed by the database, and readers keep seeing the previous
table (MVCC on PostgreSQL, the WAL snapshot on SQLite) until the new one is committed.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.analytics.models import CostRatios, CustomerValue, ValueRefresh
from concierge.guests.models import Guest
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


def _ratio_case(column: str, default: Ratios, per_property: dict[int, Ratios], params: list[Any]) -> str:
    """SQL for the cost ratio of `column` ("room", "fnb", "other") of each stay's property."""
    parts = ["CASE s.property_id"]
    for property_id, ratios in sorted(per_property.items()):
        parts.append("WHEN %s THEN CAST(%s AS NUMERIC)")
        params.extend([property_id, str(getattr(ratios, column))])
    parts.append("ELSE CAST(%s AS NUMERIC) END")
    params.append(str(getattr(default, column)))
    return " ".join(parts) if per_property else "CAST(%s AS NUMERIC)"


def _insert_sql(*, per_property: bool, property_id: int | None, as_of: Any, now: Any) -> tuple[str, list[Any]]:
    """One INSERT … SELECT building the rows of the group scope, or of every (or one) property scope."""
    vendor = connection.vendor
    default, overrides = effective_cost_ratios()
    stay_table = Stay._meta.db_table
    guest_table = Guest._meta.db_table
    value_table = CustomerValue._meta.db_table
    profit_params: list[Any] = []
    ratio = {name: _ratio_case(name, default, overrides, profit_params) for name in REVENUE_TYPES}
    if per_property or not overrides:
        # Ratios are constant within a row's group: apply them to the three sums (far less numeric work).
        profit = (f"SUM(s.room_revenue) * (1 - {ratio['room']}) + SUM(s.fnb_revenue) * (1 - {ratio['fnb']})"
                  f" + SUM(s.other_revenue) * (1 - {ratio['other']})")
    else:
        profit = (f"SUM(s.room_revenue * (1 - {ratio['room']}) + s.fnb_revenue * (1 - {ratio['fnb']})"
                  f" + s.other_revenue * (1 - {ratio['other']}))")
    scope_column = "s.property_id" if per_property else "CAST(NULL AS BIGINT)"
    where = "g.merged_into_id IS NULL AND s.status IN (%s, %s)"
    where_params: list[Any] = [str(v) for v in PRODUCTIVE_STATUSES]
    if property_id is not None:
        where += " AND s.property_id = %s"
        where_params.append(property_id)
    group_by = "s.guest_id, s.property_id" if per_property else "s.guest_id"
    base = f"""
        SELECT s.guest_id AS guest_id, {scope_column} AS scope_id, COUNT(*) AS n_stays,
               SUM(s.room_nights) AS nights, SUM(s.room_revenue) AS room,
               SUM(s.fnb_revenue) + SUM(s.other_revenue) AS other, {profit} AS profit,
               MIN(s.arrival) AS first_on, MAX(s.arrival) AS last_on
        FROM {stay_table} s JOIN {guest_table} g ON g.id = s.guest_id
        WHERE {where}
        GROUP BY {group_by}
    """
    part = "PARTITION BY b.scope_id " if per_property else ""
    # Quintiles 1..5 with NTILE(5)'s bucket sizes (the first n mod 5 buckets one larger), over ascending values:
    # bucket 5 holds the most recent, most frequent, highest-spending fifth. Guests tied on a value would be
    # split across neighbouring buckets by NTILE; they share the lower one instead, which is NTILE's bucket of
    # the tie's first row, i.e. of its RANK(). So one RANK() window per measure gives the score, and the sorts
    # NTILE plus a tie correction would need are halved.
    windows = f"""
        SELECT b.*, b.room + b.other AS revenue,
               COUNT(*) OVER ({part.strip()}) AS n,
               RANK() OVER ({part}ORDER BY b.last_on) AS r_rank,
               RANK() OVER ({part}ORDER BY b.n_stays) AS f_rank,
               RANK() OVER ({part}ORDER BY b.room + b.other) AS m_rank,
               ROW_NUMBER() OVER ({part}ORDER BY b.room + b.other DESC, b.guest_id) AS rnk,
               SUM(b.room + b.other) OVER ({part}ORDER BY b.room + b.other DESC, b.guest_id
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum,
               SUM(b.room + b.other) OVER ({part.strip()}) AS scope_total
        FROM ({base}) b
    """

    def quintile(rank: str) -> str:
        big = "(w.n %% 5) * (w.n / 5 + 1)"  # rows in the larger buckets
        return (f"CASE WHEN {rank} <= {big} THEN ({rank} - 1) / (w.n / 5 + 1) + 1"
                f" ELSE w.n %% 5 + ({rank} - 1 - {big}) / (w.n / 5) + 1 END")

    scored = f"""
        SELECT w.*, {quintile("w.r_rank")} AS r, {quintile("w.f_rank")} AS f, {quintile("w.m_rank")} AS m
        FROM ({windows}) w
    """
    if vendor == "postgresql":
        recency = "GREATEST(CAST(%s AS DATE) - t.last_on, 0)"
    else:
        recency = "MAX(CAST(julianday(%s) - julianday(t.last_on) AS INTEGER), 0)"
    sql = f"""
        INSERT INTO {value_table} (
            guest_id, property_id, stays, room_nights, room_revenue, other_revenue, total_revenue, profit,
            first_stay_on, last_stay_on, recency_days, r_score, f_score, m_score, rfm_cell, value_rank,
            cumulative_share, refreshed_at)
        SELECT t.guest_id, t.scope_id, t.n_stays, t.nights, ROUND(t.room, 2), ROUND(t.other, 2),
               ROUND(t.revenue, 2), ROUND(t.profit, 2), t.first_on, t.last_on, {recency}, t.r, t.f, t.m,
               CAST(t.r AS TEXT) || CAST(t.f AS TEXT) || CAST(t.m AS TEXT), t.rnk,
               CASE WHEN t.scope_total > 0 THEN ROUND(t.cum * 1.0 / t.scope_total, 6) END, %s
        FROM ({scored}) t
    """
    # Placeholders in the order they appear: recency date, refreshed_at, then (inside FROM) ratios and WHERE.
    params = [as_of.isoformat(), now, *profit_params, *where_params]
    return sql, params


def refresh_customer_value(
    *, property: Any = None, all_scopes: bool = True, requested_by: Any = None,  # noqa: A002
) -> dict[str, Any]:
    """Rebuild `CustomerValue` for the group and every property (default), the group only
    (`all_scopes=False`), or one property (`property=`). Idempotent; returns row counts and seconds.

    Only guests with productive stays count (in house, checked out); merged tombstones are left out.
    """
    started = time.monotonic()
    property_id = getattr(property, "pk", property)
    now = timezone.now()
    as_of = timezone.localdate()
    table = CustomerValue._meta.db_table
    counts = {"group": 0, "properties": 0}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Room for the sorts behind the window functions, for this transaction only.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            # JIT compiling this one-off statement costs more than it saves.
            cursor.execute("SET LOCAL jit = off")
        if property_id is not None:
            cursor.execute(f"DELETE FROM {table} WHERE property_id = %s", [property_id])
            sql, params = _insert_sql(per_property=True, property_id=property_id, as_of=as_of, now=now)
            cursor.execute(sql, params)
            counts["properties"] = cursor.rowcount
        else:
            if all_scopes:
                cursor.execute(f"DELETE FROM {table}")
            else:
                cursor.execute(f"DELETE FROM {table} WHERE property_id IS NULL")
            sql, params = _insert_sql(per_property=False, property_id=None, as_of=as_of, now=now)
            cursor.execute(sql, params)
            counts["group"] = cursor.rowcount
            if all_scopes:
                sql, params = _insert_sql(per_property=True, property_id=None, as_of=as_of, now=now)
                cursor.execute(sql, params)
                counts["properties"] = cursor.rowcount
        seconds = round(time.monotonic() - started, 3)
        ValueRefresh.objects.create(
            property_id=property_id, all_scopes=all_scopes and property_id is None,
            requested_by=requested_by if getattr(requested_by, "pk", None) else None,
            requested_at=now, finished_at=timezone.now(), rows=counts["group"] + counts["properties"],
            seconds=seconds,
        )
    return {"group_rows": counts["group"], "property_rows": counts["properties"],
            "rows": counts["group"] + counts["properties"], "seconds": round(time.monotonic() - started, 3)}


def refresh_request(*, actor: Any, property: Any = None) -> None:  # noqa: A002
    """Queue a refresh ("refresh now") once the surrounding transaction commits."""
    from concierge.analytics.tasks import refresh_customer_value as task

    property_id = getattr(property, "pk", property)
    transaction.on_commit(lambda: task.delay(property_id=property_id, requested_by_id=getattr(actor, "pk", None)))
