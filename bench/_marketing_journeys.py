#!/usr/bin/env python
"""Journey evaluation over the analytics bench database (1,000,000 guests / 5,000,000 stays): target ≤ 60 s.

    flock /tmp/concierge-bench.lock .venv/bin/python bench/_marketing_journeys.py \
        [--database-url postgres://postgres@127.0.0.1:5432/concierge_bench_analytics] [--today 2026-11-25] [--keep]

Measures what the every-10-minutes job does for the four built-in demo journeys (birthday greeting, post-stay
thank-you, pre-arrival check, win-back with a task for the owner): enrolment (one INSERT … SELECT … ON CONFLICT
per journey) and the first step of every new run (messages queued with `defer=True`, tasks created), then a
second evaluation that must create nothing (idempotency). Prints a table per journey (candidates, runs created,
seconds) and the total.

The database belongs to the analytics bench (built by bench/_analytics_data.py); this script never changes its
data: the journeys, templates, runs, messages and tasks it makes are written inside one transaction that is
rolled back at the end (unless --keep is given, which still only adds journeys/messaging/worklist rows). Apply the
journeys migrations there first: `DATABASE_URL=... manage.py migrate journeys`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/concierge_bench_analytics"


class _Rollback(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--today", help="Evaluate as of this date (default: today), ISO format.")
    parser.add_argument("--keep", action="store_true", help="Commit instead of rolling back.")
    args = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concierge.settings_test")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from concierge.guests.models import Guest
    from concierge.journeys.demo import journeys_seed
    from concierge.journeys.models import Journey, JourneyRun
    from concierge.journeys.services import journey_enrol, runs_advance

    if connection.vendor != "postgresql":
        sys.exit("This benchmark is for PostgreSQL.")
    now = timezone.now()
    if args.today:
        now = dt.datetime.combine(dt.date.fromisoformat(args.today), dt.time(10, 0),
                                  tzinfo=timezone.get_current_timezone())
    guests = Guest.objects.count()
    print(f"database {connection.settings_dict['NAME']}: {guests:,} guests; evaluating as of {now:%Y-%m-%d %H:%M %Z}")
    rows: list[tuple[str, int | None, int, float]] = []
    total_started = time.perf_counter()
    try:
        with transaction.atomic():
            journeys_seed()
            demo = list(Journey.objects.filter(enabled=True, builtin_code__in=[
                "birthday", "post-stay", "pre-arrival", "win-back"]).order_by("pk"))
            Journey.objects.exclude(pk__in=[j.pk for j in demo]).update(enabled=False)
            for journey in demo:
                started = time.perf_counter()
                result = journey_enrol(journey=journey, now=now, count_candidates=True)
                if result.error:
                    print(f"  {journey.name}: {result.error}")
                advance = runs_advance(now=now, journey_ids=[journey.pk], batch_size=500)
                rows.append((journey.name, result.candidates, result.created, time.perf_counter() - started))
                print(f"  {journey.name}: enrolled {result.created} in {result.seconds:.2f} s; first steps "
                      f"{advance.processed} runs / {advance.actions} actions in {advance.seconds:.2f} s", flush=True)
            total = time.perf_counter() - total_started
            again_started = time.perf_counter()
            again = sum(journey_enrol(journey=j, now=now).created for j in demo)
            again_advanced = runs_advance(now=now).processed
            again_seconds = time.perf_counter() - again_started
            runs = JourneyRun.objects.filter(journey__in=demo).count()
            from concierge.messaging.models import Message

            queued = Message.objects.filter(source="journey", source_id__in=[j.pk for j in demo]).count()
            if not args.keep:
                raise _Rollback
    except _Rollback:
        pass

    print()
    print(f"{'journey':<56} {'candidates':>10} {'runs created':>12} {'seconds':>8}")
    for name, candidates, created, seconds in rows:
        print(f"{name:<56} {candidates if candidates is not None else '-':>10} {created:>12,} {seconds:>8.2f}")
    print(f"{'total (enrolment + first steps, 4 journeys)':<56} {sum(r[1] or 0 for r in rows):>10,} "
          f"{sum(r[2] for r in rows):>12,} {total:>8.2f}")
    print(f"second evaluation: {again} runs created, {again_advanced} runs advanced, {again_seconds:.2f} s")
    print(f"runs {runs:,}, messages queued {queued:,}; target total ≤ 60 s: {'met' if total <= 60 else 'NOT met'}")
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print("rolled back (the analytics data is unchanged)" if not args.keep else "kept (committed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
