"""Loyalty benchmark: a member's balance over 10,000 transactions, and the nightly tier evaluation over 1M members.

    .venv/bin/python bench/loyalty.py                        # 1,000,000 members (≈3M ledger rows) + one 10k member
    .venv/bin/python bench/loyalty.py --members 100000       # smaller
    .venv/bin/python bench/loyalty.py --reuse                # keep the seeded database

Targets (PostgreSQL, 2 cores): balance ≤ 20 ms; nightly tier evaluation over 1,000,000 members ≤ 120 s.

The database (default `concierge_bench_loyalty`) is flushed and seeded: guests, memberships and point
transactions are loaded with COPY; each member gets 0–6 ledger rows over the last 18 months, and its tier is
what those rows qualify for, except a small share (`--stale`, default 2%) seeded on the wrong tier so the nightly
run has upgrades, downgrades and grace periods to apply, as a real night would. Then VACUUM ANALYZE.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench_db import prepare_database  # noqa: E402 - bench/ is on sys.path when run as a script

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/concierge_bench_loyalty"
BALANCE_TARGET_MS = 20.0
TIERS_TARGET_S = 120.0
HEAVY_ROWS = 10_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--stale", type=float, default=0.02, help="Share of members seeded on the wrong tier.")
    parser.add_argument("--runs", type=int, default=200, help="Timed balance look-ups (default 200).")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reuse", action="store_true", help="Skip seeding when the database holds N members.")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def _copy(table: str, columns: list[str], rows: Any) -> int:
    from django.db import connection

    n = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
    return n


def seed(n_members: int, stale: float, seed_value: int) -> dict[str, Any]:
    """Flush, then COPY guests, memberships and ledger rows."""
    from dateutil.relativedelta import relativedelta
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from concierge.guests.models import Guest
    from concierge.loyalty.demo import programme_seed
    from concierge.loyalty.models import Membership, PointTransaction
    from concierge.properties.models import HotelGroup, Property

    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    rng = random.Random(seed_value)
    group = HotelGroup.objects.create(name_zh="礼宾酒店集团", name_en="Concierge Hotels")
    Property.objects.create(group=group, code="SHA", name_zh="上海外滩酒店", name_en="Shanghai Bund Hotel")
    programme = programme_seed(group=group)
    tiers = sorted(programme.tiers.all(), key=lambda t: t.order)
    today = timezone.localdate()
    since = today - relativedelta(months=12)
    now = timezone.now()
    two_years = dt.timedelta(days=730)  # (relativedelta per row would triple the seeding time)

    # Guests: one template row (every NOT NULL column prepared by its field), varied by id and name.
    template = Guest(family_name="王", given_name="客", family_name_latin="WANG", given_name_latin="GUEST",
                     created_at=now)
    fields = [f for f in Guest._meta.concrete_fields if not f.primary_key]
    base = [f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields]
    idx_given = [f.attname for f in fields].index("given_name")
    columns = ["id"] + [connection.ops.quote_name(f.column) for f in fields]

    def guests() -> Any:
        for i in range(1, n_members + 2):
            row = list(base)
            row[idx_given] = f"客{i}"
            yield [i, *row]

    member_rows: list[tuple] = []
    tx_cols = ["membership_id", "kind", "points", "qualifying_points", "nights", "occurred_on", "expires_on",
               "stay_revision", "reason", "detail", "created_at"]

    def ledger() -> Any:
        for member_id in range(1, n_members + 1):
            qp = qn = 0
            for _ in range(rng.choice((0, 1, 2, 3, 3, 4, 5, 6))):
                day = today - dt.timedelta(days=rng.randrange(0, 540))
                nights = rng.choice((1, 1, 2, 3, 5))
                points = nights * rng.randrange(300, 2500)
                if day > since:
                    qp += points
                    qn += nights
                yield (member_id, "earn", points, points, nights, day, day + two_years, 0, "", "{}", now)
            tier = max((t for t in tiers if t.qualifies(qp, qn)), key=lambda t: t.order)
            if rng.random() < stale:
                tier = rng.choice(tiers)
            member_rows.append((member_id, member_id, programme.pk, f"M{member_id:09d}", tier.pk, today, None,
                                now))
        heavy = n_members + 1  # the member with 10,000 transactions
        for i in range(HEAVY_ROWS):
            kind = "earn" if i % 4 else "redeem"
            points = rng.randrange(100, 3000) if kind == "earn" else -rng.randrange(50, 300)
            day = today - dt.timedelta(days=rng.randrange(0, 3650))
            yield (heavy, kind, points, max(points, 0), 0, day, None, 0, "", "{}",
                   now - dt.timedelta(minutes=HEAVY_ROWS - i))
        member_rows.append((heavy, heavy, programme.pk, f"M{heavy:09d}", tiers[-1].pk, today, None, now))

    counts: dict[str, Any] = {}
    with transaction.atomic():
        counts["guests"] = _copy(Guest._meta.db_table, columns, guests())
        print(f"  guests {counts['guests']:,}  {time.perf_counter() - started:.0f} s", flush=True)
        # Memberships are built while the ledger is generated, so ledger rows are copied before their members:
        # foreign-key triggers are switched off for the load (bench only; the rows are consistent by construction).
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        counts["transactions"] = _copy(PointTransaction._meta.db_table, tx_cols, ledger())
        counts["memberships"] = _copy(
            Membership._meta.db_table,
            ["id", "guest_id", "programme_id", "number", "tier_id", "tier_since", "grace_until", "joined_at"],
            member_rows)
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
        print(f"  ledger {counts['transactions']:,}  {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        for model in (Guest, Membership):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute("VACUUM ANALYZE")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    print("  " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return counts


def timed(fn: Callable[[], Any], runs: int, warmup: int = 5) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"p50": statistics.median(samples), "p95": samples[int(len(samples) * 0.95) - 1], "max": samples[-1]}


def main() -> None:
    args = parse_args()
    prepare_database(args.database_url, postgres_only=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from concierge.loyalty.models import Membership, PointTransaction
    from concierge.loyalty.selectors import membership_balance, statement
    from concierge.loyalty.services import evaluate_tiers

    if not (args.reuse and Membership.objects.count() == args.members + 1):
        print(f"seeding {args.members:,} members ...")
        seed(args.members, args.stale, args.seed)
    heavy = Membership.objects.order_by("-pk").first()
    assert heavy is not None
    n_heavy = PointTransaction.objects.filter(membership=heavy).count()
    rows: list[tuple[str, str, str, str]] = []

    balance = timed(lambda: membership_balance(heavy.pk), args.runs)
    rows.append((f"balance, member with {n_heavy:,} transactions (ms)",
                 f"p50 {balance['p50']:.2f} · p95 {balance['p95']:.2f} · max {balance['max']:.2f}",
                 f"≤ {BALANCE_TARGET_MS:.0f}", "ok" if balance["p95"] <= BALANCE_TARGET_MS else "MISS"))
    page = timed(lambda: list(statement(heavy)[:25]), 30)
    rows.append(("statement first page + running balance (ms)",
                 f"p50 {page['p50']:.2f} · p95 {page['p95']:.2f}", "—", "info"))

    members = Membership.objects.count()
    start = time.perf_counter()
    first = evaluate_tiers()
    nightly = time.perf_counter() - start
    rows.append((f"nightly tier evaluation, {members:,} members (s)",
                 f"{nightly:.1f} (up {first.upgrades:,}, down {first.downgrades:,}, grace {first.grace_started:,})",
                 f"≤ {TIERS_TARGET_S:.0f}", "ok" if nightly <= TIERS_TARGET_S else "MISS"))
    start = time.perf_counter()
    again = evaluate_tiers()
    rerun = time.perf_counter() - start
    rows.append(("same night again, nothing to change (s)",
                 f"{rerun:.1f} (up {again.upgrades}, down {again.downgrades})", "—", "info"))

    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'scenario':<{width}}  {'result':<58}  {'target':<7}  status")
    print("-" * (width + 80))
    for name, result, target, state in rows:
        print(f"{name:<{width}}  {result:<58}  {target:<7}  {state}")


if __name__ == "__main__":
    main()
