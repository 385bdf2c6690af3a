#!/usr/bin/env python
"""Sales benchmark: the pipeline forecast and the monthly rep scorecards over 100,000 accounts and 1,000,000 stays,
then (if `bench/_sales_orders.py` exists) 200 concurrent tour orders against a departure with 50 seats.

    flock /tmp/concierge-bench.lock .venv/bin/python bench/sales.py [--accounts 100000] [--stays 1000000]
        [--reps 50] [--opportunities 200000] [--rebuild] [--explain] [--repeat 5]

Database: PostgreSQL `concierge_bench_sales` (the name must contain "bench"), created and migrated if needed, seeded
once with COPY (the size is recorded in `bench_sales_meta`; `--rebuild` drops everything and seeds again):
4 properties, N reps (sales_rep at one or two properties) and a group manager, accounts (companies) each with an
ownership history (a tenth handed over to another rep in the last 12 months), stays billed to the accounts over
the last 24 months (85 % checked out), opportunities in the default stages with their stage history, and visits.

Timed through the selectors the pages call: `forecast` (6 months, as the group manager and as a sales manager of
two properties), `conversion_rates`, and `scorecards` for all reps for the last full month. Target: ≤ 2 s each.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from _bench_db import prepare_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/concierge_bench_sales"
META = "bench_sales_meta"


def _copy(model: Any, columns: list[str], rows: Iterable[tuple]) -> int:
    """COPY rows into the model's table; every other NOT NULL column gets the field's default (constant)."""
    from django.db import connection
    from django.db.models import NOT_PROVIDED

    extra: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.column in columns or f.attname in columns or f.null:
            continue
        if f.default is not NOT_PROVIDED:
            extra[f.column] = f.default() if callable(f.default) else f.default
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            from django.utils import timezone

            extra[f.column] = timezone.now()
        else:
            extra[f.column] = ""
    cols = [model._meta.get_field(c).column if not c.endswith("_id") else c for c in columns] + list(extra)
    tail = tuple(extra.values())
    n = 0
    with connection.cursor() as cur:
        with cur.cursor.copy(f'COPY {model._meta.db_table} ({", ".join(cols)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row + tail)
                n += 1
    return n


def _seed(args: argparse.Namespace) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from concierge.core.models import Activity
    from concierge.guests.models import Company
    from concierge.pipeline.models import Opportunity, StageChange
    from concierge.pipeline.services import stages_ensure_default
    from concierge.properties.models import HotelGroup, Property
    from concierge.sales.models import AccountOwnership
    from concierge.stays.models import Stay

    User = get_user_model()
    rng = random.Random(2026)
    today = dt.date.today()
    t0 = time.perf_counter()
    with transaction.atomic():
        cur = connection.cursor()
        cur.execute("SET LOCAL session_replication_role = replica")  # no FK triggers while loading valid keys
        group = HotelGroup.objects.create(name_zh="基准集团", name_en="Bench Group")
        props = [Property.objects.create(group=group, code=c, name_zh=c, name_en=c)
                 for c in ("SHA", "HGH", "SZX", "PEK")]
        reps = []
        for i in range(args.reps):
            rep = User(username=f"bench_rep_{i:03d}", role="sales_rep", first_name=f"Rep{i:03d}", password="!")
            reps.append(rep)
        User.objects.bulk_create(reps)
        reps = list(User.objects.filter(username__startswith="bench_rep_").order_by("pk"))
        through = User.properties.through
        links = [through(user_id=r.pk, property_id=props[i % 4].pk) for i, r in enumerate(reps)]
        links += [through(user_id=r.pk, property_id=props[(i + 1) % 4].pk) for i, r in enumerate(reps) if i % 3 == 0]
        through.objects.bulk_create(links)
        User.objects.create(username="bench_manager", role="manager", password="!")
        smgr = User.objects.create(username="bench_salesmgr", role="sales_manager", password="!")
        smgr.properties.set(props[:2])
        rep_ids = [r.pk for r in reps]
        rep_props = {}
        for link in links:
            rep_props.setdefault(link.user_id, []).append(link.property_id)

        # Companies.
        base = Company.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        owner_of = [rng.choice(rep_ids) for _ in range(args.accounts)]
        now = dt.datetime.now(dt.timezone.utc)
        _copy(Company, ["id", "name_zh", "name_en", "owner_id", "created_at", "updated_at", "status"],
              ((base + i + 1, f"基准公司{i}", f"Bench Co {i}", owner_of[i], now, now, "active")
               for i in range(args.accounts)))
        company_ids = list(range(base + 1, base + args.accounts + 1))
        company_prop = {cid: rng.choice(rep_props[owner_of[i]]) for i, cid in enumerate(company_ids)}
        cp = Company.properties.through
        _copy(cp, ["company_id", "property_id"], ((cid, pid) for cid, pid in company_prop.items()))
        print(f"  companies: {args.accounts:,} ({time.perf_counter() - t0:.1f}s)", flush=True)

        # Ownership history: a tenth handed over in the last 12 months.
        def ownership_rows() -> Iterable[tuple]:
            for i, cid in enumerate(company_ids):
                start = today - dt.timedelta(days=rng.randint(400, 1500))
                if rng.random() < 0.1:
                    handover = today - dt.timedelta(days=rng.randint(1, 365))
                    previous = rng.choice(rep_ids)
                    yield (cid, previous, start, handover - dt.timedelta(days=1), now, "bench")
                    yield (cid, owner_of[i], handover, None, now, "handover")
                else:
                    yield (cid, owner_of[i], start, None, now, "bench")
        n_own = _copy(AccountOwnership, ["company_id", "owner_id", "valid_from", "valid_to", "created_at", "reason"],
                      ownership_rows())
        print(f"  ownership rows: {n_own:,} ({time.perf_counter() - t0:.1f}s)", flush=True)

        # Stays over the last 24 months, billed to the accounts.
        def stay_rows() -> Iterable[tuple]:
            for _ in range(args.stays):
                cid = company_ids[rng.randrange(len(company_ids))]
                departure = today - dt.timedelta(days=rng.randint(0, 730))
                nights = rng.choice((1, 1, 1, 2, 2, 3, 4, 5))
                adr = rng.randint(450, 1800)
                status = "checked_out" if rng.random() < 0.85 else rng.choice(("cancelled", "no_show", "reserved"))
                yield (cid, company_prop[cid], departure - dt.timedelta(days=nights), departure, nights,
                       Decimal(adr), Decimal(adr * nights), Decimal(rng.randint(0, 300)), Decimal(0), status, now, now)
        n_stays = _copy(Stay, ["company_id", "property_id", "arrival", "departure", "room_nights", "adr",
                               "room_revenue", "fnb_revenue", "other_revenue", "status", "created_at", "updated_at"],
                        stay_rows())
        print(f"  stays: {n_stays:,} ({time.perf_counter() - t0:.1f}s)", flush=True)

        # Opportunities with stage history.
        stages = [s for s in stages_ensure_default() if s.is_active]
        open_stages = [s for s in stages if not s.is_won and not s.is_lost]
        won = next(s for s in stages if s.is_won)
        lost = next(s for s in stages if s.is_lost)
        opp_base = Opportunity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        history: list[tuple] = []

        def opp_rows() -> Iterable[tuple]:
            for i in range(args.opportunities):
                oid = opp_base + i + 1
                cid = company_ids[rng.randrange(len(company_ids))]
                owner = owner_of[cid - base - 1]
                created = now - dt.timedelta(days=rng.randint(0, 365))
                reach = rng.randrange(len(open_stages) + 2)
                path = open_stages[:min(reach, len(open_stages) - 1) + 1]
                status, closed, stage = "open", None, path[-1]
                if reach == len(open_stages):
                    status, closed, stage = "won", (created + dt.timedelta(days=rng.randint(5, 90))).date(), won
                elif reach == len(open_stages) + 1:
                    status, closed, stage = "lost", (created + dt.timedelta(days=rng.randint(5, 90))).date(), lost
                prev = None
                for s in path + ([stage] if stage not in path else []):
                    history.append((oid, prev, s.pk, owner, created))
                    prev = s.pk
                value = Decimal(rng.randrange(10, 2000) * 1000)
                prob = 100 if status == "won" else 0 if status == "lost" else stage.default_probability
                close = today + dt.timedelta(days=rng.randint(-30, 240))
                yield (oid, f"Deal {oid}", cid, owner, owner, company_prop[cid], value, "CNY", prob, close, stage.pk,
                       status, "price" if status == "lost" else "", closed, 1, owner, created, now)
        n_opp = _copy(Opportunity, ["id", "title", "company_id", "owner_id", "origin_owner_id", "property_id", "value",
                                    "currency", "probability", "expected_close", "stage_id", "status", "lost_reason",
                                    "closed_on", "version", "created_by_id", "created_at", "updated_at"], opp_rows())
        n_hist = _copy(StageChange, ["opportunity_id", "from_stage_id", "to_stage_id", "changed_by_id", "changed_at"],
                       iter(history))
        print(f"  opportunities: {n_opp:,}, stage changes: {n_hist:,} ({time.perf_counter() - t0:.1f}s)", flush=True)

        def visit_rows() -> Iterable[tuple]:
            for _ in range(args.accounts * 2):
                cid = company_ids[rng.randrange(len(company_ids))]
                when = now - dt.timedelta(days=rng.randint(0, 730), minutes=rng.randint(0, 600))
                yield ("visit", when, owner_of[cid - base - 1], cid, "Visit", "{}", when)
        n_visits = _copy(Activity, ["kind", "occurred_at", "actor_id", "company_id", "summary", "data", "created_at"],
                         visit_rows())
        print(f"  visits: {n_visits:,} ({time.perf_counter() - t0:.1f}s)", flush=True)
        for model in (Company, Opportunity):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
                        f"(SELECT MAX(id) FROM {model._meta.db_table}))")
        cur.execute(f"CREATE TABLE IF NOT EXISTS {META} (k text primary key, v text)")
        cur.execute(f"INSERT INTO {META} VALUES ('size', %s)", [_size(args)])
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"seeded in {time.perf_counter() - t0:.1f}s", flush=True)


def _size(args: argparse.Namespace) -> str:
    return f"{args.accounts}/{args.stays}/{args.reps}/{args.opportunities}"


def _seeded_size() -> str | None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [META])
        if cur.fetchone()[0] is None:
            return None
        cur.execute(f"SELECT v FROM {META} WHERE k = 'size'")
        row = cur.fetchone()
    return row[0] if row else None


def _time(fn: Any, repeat: int) -> tuple[float, float, Any]:
    fn()  # warm-up (connection, plan cache)
    samples, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples), max(samples), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--stays", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--opportunities", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the scorecard revenue query")
    parser.add_argument("--skip-orders", action="store_true")
    args = parser.parse_args()

    if args.rebuild:
        import environ
        import psycopg

        name = environ.Env.db_url_config(args.database_url)["NAME"]
        if "bench" not in name:
            sys.exit("refusing: the database name must contain 'bench'")
        with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    prepare_database(args.database_url, postgres_only=True)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    seeded = _seeded_size()
    if seeded is None:
        print(f"seeding {_size(args)} (accounts/stays/reps/opportunities) …", flush=True)
        _seed(args)
    elif seeded != _size(args):
        sys.exit(f"database holds {seeded}, asked for {_size(args)}: use --rebuild")
    else:
        print(f"reusing seeded database ({seeded})")

    from concierge.pipeline import selectors

    User = get_user_model()
    manager = User.objects.get(username="bench_manager")
    salesmgr = User.objects.get(username="bench_salesmgr")
    reps = list(User.objects.filter(username__startswith="bench_rep_").order_by("pk"))
    today = dt.date.today()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    start = today.replace(day=1)

    rows = []

    def run(label: str, fn: Any, describe: Any) -> None:
        median, worst, result = _time(fn, args.repeat)
        rows.append((label, median, worst, "ok" if median <= 2 else "SLOW", describe(result)))

    run("forecast 6 months (group manager)", lambda: selectors.forecast(user=manager, start=start, months=6),
        lambda r: f"{r.count:,} open opps, weighted {r.total_weighted:,.0f}")
    run("forecast 6 months (sales mgr, 2 hotels)", lambda: selectors.forecast(user=salesmgr, start=start, months=6),
        lambda r: f"{r.count:,} open opps, weighted {r.total_weighted:,.0f}")
    run("conversion rates (group manager)", lambda: selectors.conversion_rates(user=manager),
        lambda r: " → ".join(str(x["reached"]) for x in r))
    run(f"scorecards {len(reps)} reps, {month:%Y-%m}", lambda: selectors.scorecards(reps=reps, month=month),
        lambda r: f"revenue {sum(c.actual['revenue'] for c in r):,.0f}, "
                  f"nights {sum(c.actual['room_nights'] for c in r):,}, visits {sum(c.actual['visits'] for c in r):,}")

    if args.explain:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for label, fn in (("scorecards", lambda: selectors.scorecards(reps=reps, month=month)),
                          ("forecast (sales mgr)", lambda: selectors.forecast(user=salesmgr, start=start, months=6))):
            with CaptureQueriesContext(connection) as ctx:
                fn()
            slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
            with connection.cursor() as cur:
                cur.execute("EXPLAIN ANALYZE " + slowest["sql"])
                print(f"\n--- slowest query of {label} ({slowest['time']} s) ---")
                print("\n".join(row[0] for row in cur.fetchall()))

    load = os.getloadavg()
    print()
    print(f"{'measure':<44} {'median s':>9} {'max s':>7}  {'≤2 s':<5} result")
    print("-" * 110)
    for label, median, worst, verdict, desc in rows:
        print(f"{label:<44} {median:>9.3f} {worst:>7.3f}  {verdict:<5} {desc}")
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores, shared)")

    orders = Path(__file__).resolve().parent / "_sales_orders.py"
    if args.skip_orders:
        return
    if not orders.exists():
        print("\nbench/_sales_orders.py not found: concurrent-orders benchmark skipped")
        return
    spec = importlib.util.spec_from_file_location("_sales_orders", orders)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    t = time.perf_counter()
    result = module.run_concurrent_orders(args.database_url, orders=200, seats=50)
    elapsed = time.perf_counter() - t
    print(f"\nconcurrent orders (200 orders, 50 seats) in {elapsed:.1f}s: {result}")
    confirmed = result.get("confirmed") if isinstance(result, dict) else None
    print("exactly 50 confirmed: " + ("yes" if confirmed == 50 else f"NO ({confirmed})"))


if __name__ == "__main__":
    main()
