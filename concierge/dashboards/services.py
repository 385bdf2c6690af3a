"""Writes of the dashboards module: rebuild the materialised figures, change the ledger's N, request a refresh."""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.dashboards.choices import AccountKind
from concierge.dashboards.ledger import (
    REVENUE_AT_STAKE_MONTHS,
    _key_sql,
    resolve_lost_after_months,
    sequence_sql,
    tune_session,
)
from concierge.dashboards.models import (
    FlowSettings,
    FlowStay,
    FlowSummary,
    NpsMonthly,
    PeriodStats,
    RefreshLog,
    TopAccount,
)
from concierge.stays.choices import PRODUCTIVE_STATUSES

REFRESH_NAME = "dashboards"
TOP_N = 10
# A typed NULL: PostgreSQL types a bare NULL in a derived table as text, which an integer column refuses.
NULL_INT = "CAST(NULL AS INTEGER)"


@dataclass
class RefreshResult:
    years: list[int]
    period_rows: int
    flow_rows: int
    top_rows: int
    nps_rows: int
    duration_ms: int


def _statuses() -> tuple[list[str], str]:
    statuses = [str(s) for s in PRODUCTIVE_STATUSES]
    return statuses, ", ".join(["%s"] * len(statuses))


def _execute(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _refresh_period_stats(start: dt.date, end: dt.date, now: dt.datetime) -> int:
    statuses, marks = _statuses()
    key = _key_sql("st.arrival")
    base = (f"SELECT ({key}) / 1200 AS y, ({key}) / 100 - (({key}) / 1200) * 12 + 1 AS m, st.property_id,"
            f" st.room_nights, st.room_revenue, st.fnb_revenue, st.other_revenue, st.guest_id"
            f" FROM stays_stay st WHERE st.status IN ({marks}) AND st.arrival >= %s AND st.arrival < %s")
    columns = ("year, month, property_id, stays, room_nights, room_revenue, fnb_revenue, other_revenue,"
               " active_customers, refreshed_at")
    sums = ("COUNT(*), SUM(room_nights), SUM(room_revenue), SUM(fnb_revenue), SUM(other_revenue),"
            " COUNT(DISTINCT guest_id), %s")
    rows = 0
    for month_sql, property_sql in (("m", "property_id"), ("m", NULL_INT), (NULL_INT, "property_id"),
                                    (NULL_INT, NULL_INT)):
        group = ", ".join(c for c in ("y", month_sql, property_sql) if c != NULL_INT)
        rows += _execute(
            f"INSERT INTO dashboards_periodstats ({columns}) SELECT y, {month_sql}, {property_sql}, {sums}"
            f" FROM ({base}) t GROUP BY {group}",
            [now, *statuses, start, end],
        )
    return rows


FLOW_STAY_COLUMNS = ("stay_id, guest_id, property_id, segment, manager_id, k, revenue, prev_k, next_k, y_gap, m_gap,"
                     " stake, p_prev_k, p_next_k, p_y_gap, p_m_gap, p_stake")


def _first_gap_sql(prev: str, grain: int, window: str) -> str:
    """The gap before the guest's first stay of this stay's year (grain 1200) or month (100), carried to every
    stay of that period: a running MAX over the guest's stays in order of "key × 10^8 + gap" of the periods'
    first stays (the latest first stay so far is the period's own). 99999999 stands for "no stay before" (NULL).
    Same sort order as the LAG/LEAD window, so the database sorts once per scope."""
    return (f"NULLIF((MAX(CASE WHEN {prev} IS NULL OR {prev} / {grain} < k / {grain}"
            f" THEN CAST(k AS BIGINT) * 100000000 + COALESCE(k - {prev}, 99999999) END) OVER {window})"
            f" %% 100000000, 99999999)")


def flow_sequence_rebuild() -> int:
    """Rebuild `FlowStay` (the customer-flow sequence) from the stays: DELETE, then one INSERT … SELECT.

    Per scope (the guest across the group, then the guest within each property) two window levels over all
    productive stays of guests that are not merged, both in the same order: LAG/LEAD and the 12-month revenue
    at stake, then the gap before the first stay of each year and month. Call inside a transaction (readers
    keep seeing the old rows meanwhile).
    """
    statuses, marks = _statuses()
    key = _key_sql("st.arrival")
    stake_frame = f"RANGE BETWEEN {REVENUE_AT_STAKE_MONTHS * 100 - 1} PRECEDING AND CURRENT ROW"
    _execute(f"DELETE FROM {FlowStay._meta.db_table}", [])
    # Inserted in key order, so the rows of a period sit together on disk: a year reads a sixth of the table.
    rows = _execute(f"""
INSERT INTO dashboards_flowstay ({FLOW_STAY_COLUMNS})
SELECT id, guest_id, property_id, segment, manager_id, k, revenue, prev_k, next_k, y_gap, m_gap, stake,
       p_prev_k, p_next_k, {_first_gap_sql("p_prev_k", 1200, "wp")}, {_first_gap_sql("p_prev_k", 100, "wp")}, p_stake
FROM (
    SELECT c.*, LAG(k) OVER wp AS p_prev_k, LEAD(k) OVER wp AS p_next_k, SUM(revenue) OVER wps AS p_stake
    FROM (
        SELECT s.*, {_first_gap_sql("prev_k", 1200, "wg")} AS y_gap, {_first_gap_sql("prev_k", 100, "wg")} AS m_gap
        FROM (
            SELECT b.*, LAG(k) OVER wg AS prev_k, LEAD(k) OVER wg AS next_k, SUM(revenue) OVER wgs AS stake
            FROM (
                SELECT st.id, st.guest_id, st.property_id, st.market_segment AS segment,
                       COALESCE(co.owner_id, g.owner_id) AS manager_id,
                       (st.room_revenue + st.fnb_revenue + st.other_revenue) AS revenue, {key} AS k
                FROM stays_stay st
                JOIN guests_guest g ON g.id = st.guest_id
                LEFT JOIN guests_company co ON co.id = st.company_id
                WHERE st.status IN ({marks}) AND g.merged_into_id IS NULL
            ) b
            WINDOW wg AS (PARTITION BY guest_id ORDER BY k, id),
                   wgs AS (PARTITION BY guest_id ORDER BY k {stake_frame})
        ) s
        WINDOW wg AS (PARTITION BY guest_id ORDER BY k, id ROWS UNBOUNDED PRECEDING)
    ) c
    WINDOW wp AS (PARTITION BY guest_id, property_id ORDER BY k, id),
           wps AS (PARTITION BY guest_id, property_id ORDER BY k {stake_frame})
) d
WINDOW wp AS (PARTITION BY guest_id, property_id ORDER BY k, id ROWS UNBOUNDED PRECEDING)
ORDER BY k""", statuses)
    if connection.vendor == "postgresql":
        _execute(f"ANALYZE {FlowStay._meta.db_table}", [])
    return rows


def _refresh_flow(start: dt.date, end: dt.date, now: dt.datetime, as_of: dt.date, n: int) -> int:
    """FlowSummary rows of the periods in [start, end), read from the sequence table (rebuilt just before)."""
    rows = 0
    columns = ("year, month, scope_id, lost_after_months, flow, property_id, segment, manager_id, customers,"
               " revenue, refreshed_at")
    for grain in ("year", "month"):
        for per_property in (False, True):
            query = sequence_sql(start=start, end=end, grain=grain, lost_after_months=n, as_of=as_of,
                                 property_id=None, per_property=per_property)
            if grain == "year":
                year_sql, month_sql = "period", NULL_INT
            else:
                year_sql, month_sql = "period / 12", "period - (period / 12) * 12 + 1"
            scope_sql = "property_id" if per_property else NULL_INT
            rows += _execute(
                f"INSERT INTO dashboards_flowsummary ({columns}) {query.sql}\n"
                f"SELECT {year_sql}, {month_sql}, {scope_sql}, %s, flow, property_id, segment, manager_id,"
                f" SUM(customers), SUM(revenue), %s FROM cells"
                f" GROUP BY period, flow, property_id, segment, manager_id",
                [*query.params, n, now],
            )
    return rows


def _refresh_top_accounts(year: int, now: dt.datetime) -> int:
    statuses, marks = _statuses()
    rows = 0
    columns = "year, property_id, kind, company_id, guest_id, rank, stays, room_nights, revenue, refreshed_at"
    for kind, account_column, extra_join in (
        (AccountKind.COMPANY, "st.company_id", ""),
        (AccountKind.GUEST, "st.guest_id", " JOIN guests_guest g ON g.id = st.guest_id AND g.merged_into_id IS NULL"),
    ):
        company_sql, guest_sql = ("account_id", NULL_INT) if kind == AccountKind.COMPANY else (NULL_INT, "account_id")
        for property_sql in ("st.property_id", NULL_INT):
            group = "st.property_id, " if property_sql != NULL_INT else ""
            rows += _execute(
                f"INSERT INTO dashboards_topaccount ({columns})"
                f" SELECT %s, property_id, %s, {company_sql}, {guest_sql}, rn, stays, nights, revenue, %s FROM ("
                f"  SELECT property_id, account_id, stays, nights, revenue,"
                f"   ROW_NUMBER() OVER (PARTITION BY property_id ORDER BY revenue DESC, account_id) AS rn FROM ("
                f"    SELECT {property_sql} AS property_id, {account_column} AS account_id, COUNT(*) AS stays,"
                f"     SUM(st.room_nights) AS nights,"
                f"     SUM(st.room_revenue + st.fnb_revenue + st.other_revenue) AS revenue"
                f"    FROM stays_stay st{extra_join}"
                f"    WHERE st.status IN ({marks}) AND st.arrival >= %s AND st.arrival < %s"
                f"     AND {account_column} IS NOT NULL"
                f"    GROUP BY {group}{account_column}) a) r WHERE rn <= %s",
                [year, str(kind), now, *statuses, dt.date(year, 1, 1), dt.date(year + 1, 1, 1), TOP_N],
            )
    return rows


def _refresh_nps(years: list[int], now: dt.datetime) -> int:
    from concierge.surveys.choices import QuestionKind
    from concierge.surveys.models import Answer

    rows = 0
    for by_property in (True, False):
        fields = ("y", "m", "property_id") if by_property else ("y", "m")
        qs = (Answer.objects.filter(question__kind=QuestionKind.NPS, score__isnull=False)
              .annotate(y=ExtractYear("submitted_at"), m=ExtractMonth("submitted_at"))
              .filter(y__in=years).values(*fields)
              .annotate(p=Count(Case(When(score__gte=9, then=1), output_field=IntegerField())),
                        pa=Count(Case(When(score__in=(7, 8), then=1), output_field=IntegerField())),
                        d=Count(Case(When(score__lte=6, then=1), output_field=IntegerField())))
              .order_by())
        inner, params = qs.query.sql_with_params()
        property_sql = "property_id" if by_property else NULL_INT
        rows += _execute(
            "INSERT INTO dashboards_npsmonthly (year, month, property_id, promoters, passives, detractors,"
            f" refreshed_at) SELECT y, m, {property_sql}, p, pa, d, %s FROM ({inner}) t",
            [now, *params],
        )
    return rows


def dashboards_refresh(*, years: list[int] | None = None, as_of: dt.date | None = None) -> RefreshResult:
    """Rebuild the materialised dashboard figures of `years` (default: this year and last year).

    Set-based and idempotent: for each table, DELETE the years' rows and INSERT … SELECT them again, all in one
    transaction. The `RefreshLog` row is locked first, so two refreshes running at once queue up instead of
    inserting the same rows twice.
    """
    as_of = as_of or timezone.localdate()
    years = sorted(set(years or [as_of.year - 1, as_of.year]))
    started = time.monotonic()
    now = timezone.now()
    n = resolve_lost_after_months()
    RefreshLog.objects.get_or_create(name=REFRESH_NAME)
    with transaction.atomic():
        log = RefreshLog.objects.select_for_update().get(name=REFRESH_NAME)
        with connection.cursor() as cursor:
            tune_session(cursor)
        flow_sequence_rebuild()
        PeriodStats.objects.filter(year__in=years).delete()
        FlowSummary.objects.filter(year__in=years).delete()
        TopAccount.objects.filter(year__in=years).delete()
        NpsMonthly.objects.filter(year__in=years).delete()
        period_rows = flow_rows = top_rows = 0
        for year in years:
            start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
            period_rows += _refresh_period_stats(start, end, now)
            flow_rows += _refresh_flow(start, end, now, as_of, n)
            top_rows += _refresh_top_accounts(year, now)
        nps_rows = _refresh_nps(years, now)
        duration_ms = int((time.monotonic() - started) * 1000)
        log.refreshed_at = timezone.now()
        log.duration_ms = duration_ms
        # The years whose rows exist now: a refresh of this year alone keeps last year's rows (and their mark).
        kept = {int(y) for y in (log.years or "").split(",") if y.strip().isdigit()}
        log.years = ",".join(str(y) for y in sorted(kept | set(years)))[-60:]
        log.sequence_built_at = now
        log.save(update_fields=["refreshed_at", "duration_ms", "years", "sequence_built_at"])
    return RefreshResult(years=years, period_rows=period_rows, flow_rows=flow_rows, top_rows=top_rows,
                         nps_rows=nps_rows, duration_ms=duration_ms)


def dashboards_refresh_request(*, actor: Any) -> None:
    """Queue a refresh (after commit) and note when it was asked for, so the page can say "refresh queued"."""
    from concierge.dashboards.permissions import can_manage_dashboards
    from concierge.dashboards.tasks import refresh_dashboards

    if not can_manage_dashboards(actor):
        raise ValidationError(_("Only managers and administrators can refresh the dashboards."))
    log, _created = RefreshLog.objects.get_or_create(name=REFRESH_NAME)
    RefreshLog.objects.filter(pk=log.pk).update(requested_at=timezone.now())
    transaction.on_commit(lambda: refresh_dashboards.delay())


def flow_settings_update(*, actor: Any, lost_after_months: int, group: Any = None) -> FlowSettings:
    """Set N ("lost after N months") for the group (default: the first group). Managers and administrators."""
    from concierge.dashboards.permissions import can_manage_dashboards
    from concierge.properties.models import HotelGroup

    if not can_manage_dashboards(actor):
        raise ValidationError(_("Only managers and administrators can change this rule."))
    if not 1 <= int(lost_after_months) <= 60:
        raise ValidationError({"lost_after_months": _("Choose between 1 and 60 months.")})
    group = group or HotelGroup.objects.order_by("pk").first()
    if group is None:
        raise ValidationError(_("There is no hotel group yet."))
    with transaction.atomic():
        settings_row, _created = FlowSettings.objects.select_for_update().get_or_create(group=group)
        settings_row.lost_after_months = int(lost_after_months)
        settings_row.updated_by = actor
        settings_row.save()
    return settings_row
