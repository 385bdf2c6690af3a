"""Reads for lifetime value: the per-customer summary the models are fitted on, fits and scores per scope."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum

from concierge.clv.estimators import TIME_UNITS
from concierge.clv.models import ChurnRisk, ClvFit, GuestClv


@dataclass
class CustomerSummary:
    """One entry per guest (arrays aligned on ``guest_ids``), in the fit's time unit.

    ``frequency`` = repeat stay days, ``recency`` = first → last stay day, ``age`` (T) = first stay day →
    calibration end, ``monetary`` = mean value of the repeat stay days (0 without repeats), ``total_value`` =
    all revenue up to the calibration end, ``days_since_last`` = calibration end − last stay day, in days.
    """

    calibration_end: dt.date
    time_unit: str
    guest_ids: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    age: np.ndarray
    monetary: np.ndarray
    total_value: np.ndarray
    days_since_last: np.ndarray

    @property
    def customers(self) -> int:
        return int(len(self.guest_ids))

    @property
    def repeat_customers(self) -> int:
        return int(np.count_nonzero(self.frequency > 0))


def _days_before(expression: str) -> str:
    """SQL for (calibration end − `expression`) in whole days; the calibration end is the first parameter."""
    if connection.vendor == "postgresql":
        return f"(CAST(%s AS date) - {expression})"
    return f"CAST(julianday(%s) - julianday({expression}) AS INTEGER)"


def customer_summary(*, property: Any = None, calibration_end: dt.date, time_unit: str = "week") -> CustomerSummary:
    """Frequency, recency, T and mean repeat value per guest, computed by GROUP BY in the database.

    Productive stays (in house, checked out) of guests that are not merged tombstones, arriving on or before
    `calibration_end`, at `property` (or anywhere in the group when None). Stays arriving on the same day count
    as one purchase whose value is their summed revenue (room + F&B + other), as in the BG/NBD paper.
    Only the per-guest result rows reach Python, straight into numpy arrays.
    """
    from concierge.stays.choices import PRODUCTIVE_STATUSES
    from concierge.stays.models import Stay

    if time_unit not in TIME_UNITS:
        raise ValueError(f"time_unit must be one of {sorted(TIME_UNITS)}")
    from concierge.guests.models import Guest

    # Merged tombstones left out by an anti-join on the (few) merged guests rather than a join of every stay.
    merged = Guest.objects.filter(pk=OuterRef("guest_id"), merged_into__isnull=False)
    stays = Stay.objects.filter(status__in=PRODUCTIVE_STATUSES, guest__isnull=False, arrival__lte=calibration_end)
    stays = stays.filter(~Exists(merged))
    if property is not None:
        stays = stays.filter(property=property)
    # Inner query (ORM): one row per guest and stay day with the day's revenue.
    per_day = (
        stays.order_by().values("guest_id", "arrival")
        .annotate(amount=Sum(F("room_revenue") + F("fnb_revenue") + F("other_revenue")))
        .values_list("guest_id", "arrival", "amount")
    )
    inner_sql, inner_params = per_day.query.sql_with_params()
    # Outer queries (SQL): the guest's first day by window, then one GROUP BY guest. The inner columns keep
    # their names (guest_id, arrival, amount) on both PostgreSQL and SQLite.
    sql = f"""
        SELECT w.guest_id,
               {_days_before("MIN(w.arrival)")} AS first_before_end,
               {_days_before("MAX(w.arrival)")} AS last_before_end,
               COUNT(*) AS days,
               CAST(SUM(w.amount) AS DOUBLE PRECISION) AS total,
               CAST(SUM(CASE WHEN w.arrival > w.first_day THEN w.amount ELSE 0 END) AS DOUBLE PRECISION)
        FROM (
            SELECT d.guest_id, d.arrival, d.amount, MIN(d.arrival) OVER (PARTITION BY d.guest_id) AS first_day
            FROM ({inner_sql}) AS d
        ) AS w
        GROUP BY w.guest_id
        ORDER BY w.guest_id
    """
    end = calibration_end.isoformat()
    params = [end, end, *inner_params]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One sort by (guest, day) feeds the day GROUP BY, the window and the guest GROUP BY in a single pass
            # (the planner underestimates the guest-days and otherwise picks a hash aggregate that spills to disk,
            # then sorts again); memory for that sort, and no JIT for a one-off query.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL enable_hashagg = off")
            cursor.execute("SET LOCAL jit = off")
            data = _copy_out(cursor, sql, params)
        else:
            cursor.execute(sql, params)
            data = np.array(cursor.fetchall(), dtype=np.float64).reshape(-1, 6)
        if connection.vendor == "postgresql" and connection.in_atomic_block and len(connection.savepoint_ids):
            # Inside a caller's transaction SET LOCAL would last until it commits: put the defaults back.
            for name in ("work_mem", "enable_hashagg", "jit"):
                cursor.execute(f"SET LOCAL {name} TO DEFAULT")
    unit = TIME_UNITS[time_unit]
    first_before, last_before, days = data[:, 1], data[:, 2], data[:, 3]
    frequency = days - 1
    repeat_total = data[:, 5]
    monetary = np.divide(repeat_total, frequency, out=np.zeros_like(repeat_total), where=frequency > 0)
    return CustomerSummary(
        calibration_end=calibration_end,
        time_unit=time_unit,
        guest_ids=data[:, 0].astype(np.int64),
        frequency=frequency,
        recency=(first_before - last_before) / unit,
        age=first_before / unit,
        monetary=monetary,
        total_value=data[:, 4],
        days_since_last=last_before,
    )


def _copy_out(cursor: Any, sql: str, params: list[Any]) -> np.ndarray:
    """Run `sql` as COPY … TO STDOUT and parse the all-numeric text in C (np.fromstring): a million result rows
    as Python tuples would cost more than the query's last stage."""
    # The psycopg cursor itself: Django's debug wrapper (DEBUG, CaptureQueriesContext) takes no COPY parameters.
    raw = getattr(cursor, "cursor", cursor)
    with raw.copy(f"COPY ({sql}) TO STDOUT", params) as copy:
        text = b"".join(bytes(block) for block in copy).decode()
    if not text:
        return np.empty((0, 6))
    values = np.fromstring(text, dtype=np.float64, sep=" ")  # tabs and newlines are whitespace
    return values.reshape(-1, 6)


# --- fits and scores ------------------------------------------------------------------------------------------


def scopes_for(user: Any) -> list[Any]:
    """The scopes a user may look at: None (group-wide) for all-properties users, then their properties."""
    from concierge.properties.models import Property

    property_ids = user.property_ids()
    properties = Property.objects.filter(is_active=True).order_by("code")
    if property_ids is None:
        return [None, *properties]
    return list(properties.filter(pk__in=property_ids))


def latest_fits(*, user: Any) -> list[ClvFit]:
    """The newest fit of every scope the user may see (group-wide first), one query."""
    scopes = scopes_for(user)
    property_ids = [s.pk for s in scopes if s is not None]
    qs = ClvFit.objects.select_related("property")
    condition = Q(property_id__in=property_ids)
    if None in scopes:
        condition |= Q(property__isnull=True)
    fits = list(qs.filter(condition).order_by("property_id", "-fitted_at", "-id"))
    seen: set[Any] = set()
    result = []
    for fit in fits:  # already ordered newest first within each scope: keep the first per scope
        if fit.property_id in seen:
            continue
        seen.add(fit.property_id)
        result.append(fit)
    result.sort(key=lambda f: (f.property_id is not None, f.property.code if f.property else ""))
    return result


def churn_risk_list(*, user: Any, property: Any = None, risk: str | None = None) -> QuerySet:
    """Guests at medium or high churn risk in one scope, riskiest and most valuable first (paginate it).

    Sales reps (who are not group-wide) see only guests they own, directly or through the guest's company.
    """
    from concierge.accounts.choices import Role

    qs = GuestClv.objects.visible_to(user).filter(property=property)
    qs = qs.filter(churn_risk=risk) if risk else qs.filter(churn_risk__in=[ChurnRisk.HIGH, ChurnRisk.MEDIUM])
    if getattr(user, "role", None) == Role.SALES_REP and not user.is_superuser:
        qs = qs.filter(Q(guest__owner=user) | Q(guest__company__owner=user))
    # "high" sorts before "medium" as text, so (property_id, churn_risk, -clv) is both the order wanted (high risk
    # first, most valuable first) and the key of the guest_clv_risk index: a page reads the index in order instead
    # of sorting every at-risk guest of the scope (property_id first: PostgreSQL does not take the group scope's
    # "property_id IS NULL" as fixing the index's first column). Tested: test_high_risk_comes_first_then_value.
    return qs.select_related("guest", "guest__owner", "guest__company", "guest__company__owner").order_by(
        "property_id", "churn_risk", "-clv", "id"
    )


def guest_score(*, guest: Any, user: Any) -> GuestClv | None:
    """The score the user should see for a guest: group-wide for all-properties users, else the most valuable
    row among their properties. One query on the (guest, property) index."""
    rows = list(GuestClv.objects.visible_to(user).filter(guest=guest).select_related("property", "fit"))
    if not rows:
        return None
    group = [r for r in rows if r.property_id is None]
    return group[0] if group else max(rows, key=lambda r: r.clv)

