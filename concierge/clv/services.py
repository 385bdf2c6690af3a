"""Fitting lifetime-value models per scope and writing the per-guest scores and churn risk.

A scope is one property, or the whole group (property None). `fit_scope` reads the customer summary (GROUP BY
in SQL), fits BG/NBD and Gamma-Gamma (numpy/scipy, `concierge.clv.estimators`), saves a `ClvFit` (also when the
fit fails, with the error), and replaces the scope's `GuestClv` rows set-based (COPY on PostgreSQL, executemany
on SQLite), carrying each guest's previous probability alive over so a drop can be seen.

Churn risk (documented on the churn-risk page and in docs/clv.md):

* valuable = among the scope's top VALUABLE_SHARE (20 %) by CLV, or by revenue to date, with at least one
  repeat stay (BG/NBD puts P(alive) = 1 for one-time guests, so the model cannot flag them);
* at risk = P(alive) < AT_RISK_P_ALIVE (0.5), or it fell by at least DROP_THRESHOLD (0.10) since the last fit;
* medium = valuable and at risk; high = also P(alive) < HIGH_P_ALIVE (0.25) or a hard reason (open
  complaint, low survey score, lost contract, competitor mentioned).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from concierge.clv import estimators
from concierge.clv.choices import ChurnReason
from concierge.clv.models import ChurnRisk, ClvFit, GuestClv
from concierge.clv.selectors import CustomerSummary, customer_summary

logger = logging.getLogger(__name__)

MIN_CUSTOMERS = 20
FIT_SAMPLE_SIZE = 150_000
MIN_REPEAT_CUSTOMERS = 5
HORIZON_MONTHS = 36
VALUABLE_SHARE = 0.20
AT_RISK_P_ALIVE = 0.5
HIGH_P_ALIVE = 0.25
DROP_THRESHOLD = 0.10
LONG_GAP_FACTOR = 2.0  # days since the last stay > 2 × the guest's mean interval between stays
LONG_GAP_MIN_DAYS = 30
SURVEY_LOOKBACK_DAYS = 365
COMPETITOR_WORDS = ("competitor", "竞争", "对手")
COMPETITOR_TAGS = ("competitor", "竞争对手")
HARD_REASONS = frozenset({ChurnReason.OPEN_COMPLAINT, ChurnReason.LOW_SURVEY, ChurnReason.LOST_CONTRACT,
                          ChurnReason.COMPETITOR})


def annual_discount_rate() -> float:
    """settings.CLV_ANNUAL_DISCOUNT_RATE (default 0.10); refused loudly outside [0, 1)."""
    rate = float(getattr(settings, "CLV_ANNUAL_DISCOUNT_RATE", 0.10))
    if not 0.0 <= rate < 1.0:
        raise ImproperlyConfigured("CLV_ANNUAL_DISCOUNT_RATE must be between 0 and 1 (e.g. 0.10 for 10 % a year).")
    return rate


@dataclass
class Scores:
    """Per-guest predictions aligned with a CustomerSummary."""

    p_alive: np.ndarray
    expected_stays: np.ndarray  # next 12 months
    expected_spend: np.ndarray
    clv: np.ndarray
    previous_p_alive: np.ndarray  # NaN where the guest had no previous score
    risk: np.ndarray  # object array of ChurnRisk values
    reasons: list[list[dict[str, Any]]] = field(default_factory=list)


# --- fitting --------------------------------------------------------------------------------------------------


def fit_scope(
    *, property: Any = None, calibration_end: dt.date | None = None, time_unit: str = "week",
    save_scores: bool = True,
) -> ClvFit:
    """Fit BG/NBD + Gamma-Gamma on one scope and (by default) rewrite its guest scores and churn risk.

    Always returns a saved ClvFit: on too little data or an optimiser failure its `error` says why and the
    scope's previous scores are left untouched.
    """
    started = time.monotonic()
    calibration_end = calibration_end or timezone.localdate()
    fit = ClvFit(property=property, calibration_end=calibration_end, time_unit=time_unit,
                 annual_discount_rate=annual_discount_rate(), horizon_months=HORIZON_MONTHS)
    summary = customer_summary(property=property, calibration_end=calibration_end, time_unit=time_unit)
    fit.customers, fit.repeat_customers = summary.customers, summary.repeat_customers
    try:
        if summary.customers < MIN_CUSTOMERS or summary.repeat_customers < MIN_REPEAT_CUSTOMERS:
            raise estimators.FitError(
                f"too few customers: {summary.customers} (need {MIN_CUSTOMERS}), "
                f"{summary.repeat_customers} with repeat stays (need {MIN_REPEAT_CUSTOMERS})"
            )
        (x_u, tx_u, t_u), weights, inverse = estimators.compress(summary.frequency, summary.recency, summary.age)
        sample = _fit_sample(summary.customers)
        if sample is None:
            bg = estimators.fit_bgnbd(x_u, tx_u, t_u, weights)
        else:  # parameters from a seeded random sample; the log-likelihood is reported over everyone
            (xs, txs, ts), ws, _inv = estimators.compress(
                summary.frequency[sample], summary.recency[sample], summary.age[sample])
            bg = estimators.fit_bgnbd(xs, txs, ts, ws)
            ll = float(np.dot(weights, estimators.bgnbd_log_likelihood_terms(bg.r, bg.alpha, bg.a, bg.b,
                                                                            x_u, tx_u, t_u)))
            bg = estimators.BgNbdParams(r=bg.r, alpha=bg.alpha, a=bg.a, b=bg.b, log_likelihood=ll)
        repeat = summary.frequency > 0
        if sample is not None:
            repeat[np.setdiff1d(np.arange(summary.customers), sample)] = False
        gg = estimators.fit_gamma_gamma(summary.frequency[repeat], summary.monetary[repeat])
    except (estimators.FitError, FloatingPointError, ValueError) as exc:
        fit.error = str(exc)
        fit.seconds = time.monotonic() - started
        fit.save()
        logger.warning("CLV fit failed for %s: %s", fit, exc)
        return fit
    fit.r, fit.alpha, fit.a, fit.b, fit.log_likelihood = bg.r, bg.alpha, bg.a, bg.b, bg.log_likelihood
    fit.p, fit.q, fit.gamma, fit.gg_log_likelihood = gg.p, gg.q, gg.gamma, gg.log_likelihood
    if save_scores:
        try:
            scores = _predict(fit, bg, gg, summary, (x_u, tx_u, t_u), inverse)
        except estimators.FitError as exc:
            fit.error = str(exc)
            fit.seconds = time.monotonic() - started
            fit.save()
            logger.warning("CLV predictions failed for %s: %s", fit, exc)
            return fit
        with transaction.atomic():
            _lock_scope(property)
            scores.previous_p_alive = _previous_p_alive(property, summary.guest_ids)
            _classify(scores, summary, property=property)
            fit.summary = _chart_summary(scores)
            fit.seconds = time.monotonic() - started
            fit.save()
            _write_scores(fit, summary, scores)
            fit.seconds = time.monotonic() - started
            fit.save(update_fields=["seconds"])
    else:
        fit.seconds = time.monotonic() - started
        fit.save()
    logger.info("%s: %s customers in %.1f s", fit, fit.customers, fit.seconds)
    return fit


def _fit_sample(customers: int) -> np.ndarray | None:
    """Indices of a seeded random sample of FIT_SAMPLE_SIZE customers when the scope is larger (None otherwise).

    The likelihood is evaluated a few hundred times while fitting, so its cost grows with the distinct
    (x, t_x, T) rows; past a few hundred thousand guests a random sample gives the same parameters to well within
    their standard errors, and scoring still covers every guest."""
    if customers <= FIT_SAMPLE_SIZE:
        return None
    return np.sort(np.random.default_rng(20260101).choice(customers, FIT_SAMPLE_SIZE, replace=False))


def fit_all_scopes(*, calibration_end: dt.date | None = None, time_unit: str = "week") -> list[ClvFit]:
    """The nightly job: group-wide, then each active property."""
    from concierge.properties.models import Property

    fits = [fit_scope(property=None, calibration_end=calibration_end, time_unit=time_unit)]
    for prop in Property.objects.filter(is_active=True).order_by("code"):
        fits.append(fit_scope(property=prop, calibration_end=calibration_end, time_unit=time_unit))
    return fits


def _predict(fit: ClvFit, bg: estimators.BgNbdParams, gg: estimators.GammaGammaParams, summary: CustomerSummary,
             unique: tuple[np.ndarray, np.ndarray, np.ndarray], inverse: np.ndarray) -> Scores:
    """P(alive), expected stays next year, spend per stay and CLV; the BG/NBD parts on distinct rows only."""
    days_per_unit = estimators.TIME_UNITS[summary.time_unit]
    x_u, tx_u, t_u = unique
    p_alive = estimators.probability_alive(bg, x_u, tx_u, t_u)[inverse]
    year = 365.25 / days_per_unit
    expected_stays = estimators.expected_purchases(bg, year, x_u, tx_u, t_u)[inverse]
    spend = estimators.expected_average_value(gg, summary.frequency, summary.monetary)
    discounted_stays = estimators.customer_lifetime_value(
        bg, np.ones_like(x_u), x_u, tx_u, t_u, days_per_unit=days_per_unit,
        annual_discount_rate=fit.annual_discount_rate, horizon_months=fit.horizon_months,
    )[inverse]
    for name, values in (("p_alive", p_alive), ("expected stays", expected_stays), ("CLV", discounted_stays),
                         ("spend", spend)):
        if not np.all(np.isfinite(values)):
            raise estimators.FitError(f"{name} is not finite for some guests (degenerate parameters)")
    n = summary.customers
    return Scores(p_alive=p_alive, expected_stays=expected_stays, expected_spend=spend, clv=discounted_stays * spend,
                  previous_p_alive=np.full(n, np.nan), risk=np.full(n, ChurnRisk.LOW.value, dtype=object))


def _lock_scope(property: Any) -> None:
    """Serialise score writers on PostgreSQL (SQLite's IMMEDIATE transactions already do).

    One lock for every scope, not one per scope: a large scope is written by swapping in a new table (see
    `_write_scores`), and a writer of another scope must neither write to the table being replaced nor hold a read
    lock on it that the swap's DROP would wait for."""
    if connection.vendor == "postgresql":
        key = zlib.crc32(b"clv-scores")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _previous_p_alive(property: Any, guest_ids: np.ndarray) -> np.ndarray:
    """The scope's current p_alive per guest (NaN for guests without a row), aligned with sorted `guest_ids`."""
    if connection.vendor == "postgresql":
        # A million (guest, p_alive) pairs: COPY text parsed by numpy in C instead of a million Python tuples.
        scope = "property_id IS NULL" if property is None else "property_id = %s"
        sql = f"SELECT guest_id, p_alive FROM {GuestClv._meta.db_table} WHERE {scope} ORDER BY guest_id"
        with connection.cursor() as cursor:
            raw = getattr(cursor, "cursor", cursor)  # Django's debug wrapper takes no COPY parameters
            with raw.copy(f"COPY ({sql}) TO STDOUT", [] if property is None else [property.pk]) as copy:
                text = b"".join(bytes(block) for block in copy).decode()
        old = np.fromstring(text, dtype=np.float64, sep=" ").reshape(-1, 2) if text else np.empty((0, 2))
    else:
        rows = GuestClv.objects.filter(property=property).order_by("guest_id").values_list("guest_id", "p_alive")
        old = np.array(list(rows), dtype=np.float64).reshape(-1, 2)
    result = np.full(len(guest_ids), np.nan)
    if len(old):
        old_ids = old[:, 0].astype(np.int64)
        pos = np.clip(np.searchsorted(old_ids, guest_ids), 0, len(old_ids) - 1)
        found = old_ids[pos] == guest_ids
        result[found] = old[pos[found], 1]
    return result


# --- churn risk -----------------------------------------------------------------------------------------------


def _top_share(values: np.ndarray, share: float) -> np.ndarray:
    """Mask of entries in the top `share` of `values` (ties at the cut included), positive values only."""
    if not len(values):
        return np.zeros(0, dtype=bool)
    cut = np.quantile(values, 1.0 - share)
    return (values >= cut) & (values > 0)


def _classify(scores: Scores, summary: CustomerSummary, *, property: Any) -> None:
    """Set `scores.risk` and `scores.reasons` (reason lists only for guests at medium/high risk)."""
    n = summary.customers
    repeat = summary.frequency > 0
    valuable = repeat & (_top_share(scores.clv, VALUABLE_SHARE) | _top_share(summary.total_value, VALUABLE_SHARE))
    drop = scores.previous_p_alive - scores.p_alive  # NaN without a previous score
    dropped = np.nan_to_num(drop, nan=0.0) >= DROP_THRESHOLD
    at_risk = valuable & ((scores.p_alive < AT_RISK_P_ALIVE) | dropped)
    scores.reasons = [[] for _ in range(n)]
    candidates = np.flatnonzero(at_risk)
    if not len(candidates):
        return
    candidate_ids = summary.guest_ids[candidates]
    found = _reason_lookups(candidate_ids, property=property, calibration_end=summary.calibration_end)
    usual_days = summary.recency * estimators.TIME_UNITS[summary.time_unit] / np.maximum(summary.frequency, 1)
    for index, guest_id in zip(candidates.tolist(), candidate_ids.tolist(), strict=True):
        reasons: list[dict[str, Any]] = []
        gap = int(summary.days_since_last[index])
        usual = float(usual_days[index])
        if gap >= LONG_GAP_MIN_DAYS and gap > LONG_GAP_FACTOR * usual:
            reasons.append({"code": ChurnReason.LONG_GAP.value, "gap_days": gap, "usual_days": round(usual)})
        if dropped[index]:
            reasons.append({"code": ChurnReason.P_ALIVE_DROP.value,
                            "before": round(float(scores.previous_p_alive[index]), 2),
                            "now": round(float(scores.p_alive[index]), 2)})
        for code in (ChurnReason.OPEN_COMPLAINT, ChurnReason.LOW_SURVEY, ChurnReason.LOST_CONTRACT,
                     ChurnReason.COMPETITOR):
            params = found[code].get(guest_id)
            if params is not None:
                reasons.append({"code": code.value, **params})
        hard = any(r["code"] in HARD_REASONS for r in reasons)
        scores.risk[index] = (ChurnRisk.HIGH if hard or scores.p_alive[index] < HIGH_P_ALIVE
                              else ChurnRisk.MEDIUM).value
        scores.reasons[index] = reasons


def _chunks(ids: np.ndarray, size: int = 5000) -> list[Any]:
    """The candidates as `__in` right-hand sides: on PostgreSQL one array parameter for all of them (one query per
    reason, set-based), elsewhere lists of `size` (SQLite's variable limit)."""
    if connection.vendor == "postgresql":
        from django.db.models.expressions import RawSQL

        return [RawSQL("SELECT unnest(%s::bigint[])", (ids.tolist(),))] if len(ids) else []
    return [ids[i:i + size].tolist() for i in range(0, len(ids), size)]


def _reason_lookups(guest_ids: np.ndarray, *, property: Any, calibration_end: dt.date) -> dict[str, dict[int, dict]]:
    """Guests (among `guest_ids`) with each hard reason, with the reason's parameters. One grouped query per reason
    on PostgreSQL (the candidates travel as one array); per chunk of 5,000 candidates on SQLite (IN lists stay
    below its variable limit)."""
    from concierge.cases.choices import OPEN_STATUSES, CaseType
    from concierge.cases.models import Case
    from concierge.core.models import Activity
    from concierge.guests.choices import CompanyStatus
    from concierge.guests.models import Guest
    from concierge.surveys.models import Response

    found: dict[str, dict[int, dict]] = {code: {} for code in HARD_REASONS}
    since = timezone.make_aware(dt.datetime.combine(calibration_end - dt.timedelta(days=SURVEY_LOOKBACK_DAYS),
                                                    dt.time.min))
    words = Q()
    for word in COMPETITOR_WORDS:
        words |= Q(summary__icontains=word) | Q(body__icontains=word)
    note_words = Q()
    for word in COMPETITOR_WORDS:
        note_words |= Q(notes__icontains=word)
    tags = Q()
    for tag in COMPETITOR_TAGS:
        tags |= Q(tag__name__iexact=tag)  # on the guest–tag link table
    for chunk in _chunks(guest_ids):
        cases = Case.objects.filter(guest_id__in=chunk, case_type=CaseType.COMPLAINT, status__in=OPEN_STATUSES)
        surveys = Response.objects.filter(guest_id__in=chunk, is_negative=True, submitted_at__gte=since)
        activities = Activity.objects.filter(guest_id__in=chunk).filter(words)
        if property is not None:
            cases = cases.filter(property=property)
            surveys = surveys.filter(property=property)
        for row in cases.order_by().values("guest_id").annotate(n=Count("id"), since=Max("created_at")):
            found[ChurnReason.OPEN_COMPLAINT][row["guest_id"]] = {"count": row["n"]}
        for row in surveys.order_by().values("guest_id").annotate(n=Count("id"), last=Max("submitted_at")):
            found[ChurnReason.LOW_SURVEY][row["guest_id"]] = {
                "count": row["n"], "date": timezone.localdate(row["last"]).isoformat()}
        for row in activities.order_by().values("guest_id").annotate(last=Max("occurred_at")):
            found[ChurnReason.COMPETITOR][row["guest_id"]] = {"date": timezone.localdate(row["last"]).isoformat()}
    # Guests of lost companies, and guests with a competitor note or tag: few among all guests, so each is one query
    # over all of them (a join from the few lost companies / matching tags, one scan of the notes) kept to the
    # candidates here, instead of a semi-join against a candidate list that can hold a hundred thousand guests.
    candidates = set(guest_ids.tolist())
    lost = Guest.objects.filter(company__status=CompanyStatus.LOST)
    for guest_id, name_zh, name_en in lost.values_list("id", "company__name_zh", "company__name_en").iterator(
            chunk_size=10_000):
        if guest_id in candidates:
            found[ChurnReason.LOST_CONTRACT][guest_id] = {"company_zh": name_zh or name_en,
                                                          "company_en": name_en or name_zh}
    tagged = Guest.tags.through.objects.filter(tags).values_list("guest_id", flat=True)
    noted = Guest.objects.filter(note_words).values_list("id", flat=True)
    for flagged in (tagged, noted):
        for guest_id in flagged.iterator(chunk_size=10_000):
            if guest_id in candidates:
                found[ChurnReason.COMPETITOR].setdefault(guest_id, {})
    return found


# --- writing --------------------------------------------------------------------------------------------------


def _chart_summary(scores: Scores) -> dict[str, Any]:
    """What the model page charts: a p_alive histogram (10 bins) and the CLV deciles (mean CLV per decile)."""
    hist, _edges = np.histogram(scores.p_alive, bins=10, range=(0.0, 1.0))
    deciles: list[float] = []
    shares: list[float] = []
    if len(scores.clv):
        ordered = np.sort(scores.clv)[::-1]
        total = float(ordered.sum()) or 1.0
        for part in np.array_split(ordered, 10):
            deciles.append(round(float(part.mean()), 2) if len(part) else 0.0)
            shares.append(round(float(part.sum()) / total, 4) if len(part) else 0.0)
    risk_counts = {value: int(np.count_nonzero(scores.risk == value)) for value in ChurnRisk.values}
    return {"p_alive_hist": hist.tolist(), "clv_deciles": deciles, "clv_decile_shares": shares,
            "risk_counts": risk_counts, "clv_total": round(float(scores.clv.sum()), 2),
            "expected_stays_total": round(float(scores.expected_stays.sum()), 1)}


_COLUMNS = ("guest_id", "property_id", "fit_id", "frequency", "recency", "age", "monetary", "p_alive",
            "previous_p_alive", "expected_stays", "expected_spend", "clv", "churn_risk", "churn_reasons",
            "refreshed_at", "total_value", "last_stay_on")


# From this many scores on, PostgreSQL rewrites the whole table by swap-in rather than DELETE + COPY into it.
SWAP_IN_ROWS = 100_000


def _write_scores(fit: ClvFit, summary: CustomerSummary, scores: Scores) -> None:
    """Replace the scope's GuestClv rows: one DELETE, then COPY (PostgreSQL) or executemany (SQLite).

    On PostgreSQL a large scope (SWAP_IN_ROWS scores or more) is written by swap-in instead
    (`concierge.analytics.swap`): the other scopes' rows are copied into a bare new table, the scope's scores are
    COPYed next to them, then the indexes are built and the foreign keys validated in bulk and the new table
    replaces the old one. Deleting and re-inserting a million rows one index entry and one deferred foreign-key
    check at a time cost more than the model fit itself. The rows get new ids (nothing refers to them)."""
    now = timezone.now()
    table = GuestClv._meta.db_table
    columns = ", ".join(_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            def copy_scores(target: str) -> None:
                with cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
                    for block in _copy_blocks(fit, summary, scores, now):
                        copy.write(block)

            if summary.customers < SWAP_IN_ROWS:
                GuestClv.objects.filter(property=fit.property).delete()
                copy_scores(table)
                return
            from concierge.analytics.swap import swap_in

            def fill(staging: str) -> None:
                others = "property_id IS NOT NULL" if fit.property_id is None else \
                    "property_id IS NULL OR property_id <> %s"
                cursor.execute(f"INSERT INTO {staging} ({columns}) SELECT {columns} FROM {table} WHERE {others}",
                               [] if fit.property_id is None else [fit.property_id])
                copy_scores(staging)

            swap_in(cursor, table, fill)
            return
        GuestClv.objects.filter(property=fit.property).delete()
        last_stay = [summary.calibration_end - dt.timedelta(days=int(d)) for d in summary.days_since_last]
        previous = [None if np.isnan(v) else float(v) for v in scores.previous_p_alive]
        rows = zip(
            summary.guest_ids.tolist(), summary.frequency.astype(np.int64).tolist(), summary.recency.tolist(),
            summary.age.tolist(), summary.monetary.tolist(), scores.p_alive.tolist(), previous,
            scores.expected_stays.tolist(), scores.expected_spend.tolist(), scores.clv.tolist(),
            scores.risk.tolist(), scores.reasons, summary.total_value.tolist(), last_stay, strict=True,
        )
        ops = connection.ops
        stamp = ops.adapt_datetimefield_value(now)
        placeholders = ", ".join(["%s"] * len(_COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        batch: list[tuple] = []
        for gid, freq, rec, age, mon, pa, prev, es, sp, clv, risk, reasons, total, last in rows:
            batch.append((gid, fit.property_id, fit.pk, freq, rec, age, mon, pa, prev, es, sp, clv, risk,
                          json.dumps(reasons, ensure_ascii=False), stamp, total, ops.adapt_datefield_value(last)))
            if len(batch) >= 20000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


_COPY_BLOCK = 50_000


def _copy_blocks(fit: ClvFit, summary: CustomerSummary, scores: Scores, now: dt.datetime):
    """The scope's rows as COPY text (tab-separated, \\N for NULL), built column-wise in blocks of 50,000 rows:
    formatting whole columns at once is several times faster than one `write_row` per guest. Floats use repr
    (round-trips exactly); the JSON never holds raw tabs or newlines (json.dumps escapes them), so only its
    backslashes need doubling for COPY."""
    null = "\\N"
    property_id = null if fit.property_id is None else str(fit.property_id)
    stamp = now.isoformat()
    last_stay = (np.datetime64(summary.calibration_end, "D")
                 - summary.days_since_last.astype(np.int64).astype("timedelta64[D]")).astype(str)
    n = summary.customers
    for start in range(0, n, _COPY_BLOCK):
        block = slice(start, min(n, start + _COPY_BLOCK))
        previous = scores.previous_p_alive[block]
        previous_text = [null if v != v else repr(v) for v in previous.tolist()]
        reasons_text = [json.dumps(r, ensure_ascii=False).replace("\\", "\\\\") if r else "[]"
                        for r in scores.reasons[block]]
        columns = zip(
            summary.guest_ids[block].tolist(), summary.frequency[block].astype(np.int64).tolist(),
            summary.recency[block].tolist(), summary.age[block].tolist(), summary.monetary[block].tolist(),
            scores.p_alive[block].tolist(), previous_text, scores.expected_stays[block].tolist(),
            scores.expected_spend[block].tolist(), scores.clv[block].tolist(), scores.risk[block].tolist(),
            reasons_text, summary.total_value[block].tolist(), last_stay[block].tolist(), strict=True,
        )
        fit_id = fit.pk
        lines = [
            f"{gid}\t{property_id}\t{fit_id}\t{freq}\t{rec!r}\t{age!r}\t{mon!r}\t{pa!r}\t{prev}\t{es!r}\t{sp!r}\t"
            f"{clv!r}\t{risk}\t{reasons}\t{stamp}\t{total!r}\t{last}\n"
            for gid, freq, rec, age, mon, pa, prev, es, sp, clv, risk, reasons, total, last in columns
        ]
        yield "".join(lines).encode()


def clv_refit_enqueue(*, actor: Any) -> None:
    """Queue a refit of every scope (the nightly task) once the current transaction commits."""
    from concierge.clv.tasks import fit_clv_models

    logger.info("CLV refit requested by %s", actor)
    transaction.on_commit(lambda: fit_clv_models.delay())
