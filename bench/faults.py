#!/usr/bin/env python
"""Fault bench (issue 9): kill the Celery worker at a random moment of a survey batch, restart it, count the mail.

    flock /tmp/concierge-bench.lock .venv/bin/python bench/faults.py [--runs 5] [--guests 300] [--kills 1]

Each run: flush its own PostgreSQL database (the name must contain "bench"; default concierge_bench_faults), seed
N guests who checked out two days ago at a property whose post-stay survey goes out at once, start a real SMTP
server on loopback (aiosmtpd, 5-20 ms per message before it accepts) and a real `celery worker` (solo pool, Redis,
a private queue, claim lease 3 s), send the dispatch task, SIGKILL the worker when the server has received a random
number of mails (between 5 % and 95 % of N) plus a random 0-50 ms (`--jitter`), start a fresh worker at once, wait
until no invitation is left unsent, and count (tests/fault_scenario.py). Columns:

    lost        invited guests who received nothing
    doubled     extra deliveries in the server's raw log (the message in flight at a kill, sent again with the
                same Message-ID: the receiving side can recognise it)
    distinct+   extra *different* mails to a guest (another Message-ID): a real duplicate
    unsent      invitations not `sent` in the database at the end
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import uuid
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _bench_db import prepare_database  # noqa: E402 - bench/ is on sys.path when run as a script

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/concierge_bench_faults"
DEFAULT_BROKER = "redis://127.0.0.1:6379/7"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--guests", type=int, default=300)
    parser.add_argument("--kills", type=int, default=1, help="Kills per run (each at a random later moment).")
    parser.add_argument("--timeout", type=float, default=300.0, help="Seconds per run until everything is sent.")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--broker-url", default=os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER))
    parser.add_argument("--jitter", type=float, default=0.05,
                        help="Seconds (random, up to) between reaching the kill count and the kill (0: right at an "
                             "acceptance, the worst case).")
    parser.add_argument("--seed", type=int, default=None, help="Random seed for the kill moments.")
    return parser.parse_args()


def one_run(args: argparse.Namespace, number: int, rng: random.Random) -> tuple[list[int], object]:
    from django.core.management import call_command
    from django.db import connection

    from concierge.accounts.models import User
    from concierge.celery import app
    from concierge.guests.models import Guest  # noqa: F401 - loads the app registry's models before seeding
    from concierge.properties.models import HotelGroup, Property
    from tests.fault_scenario import Workers, database_url, recording_smtp_server, run, seed_checked_out_guests

    call_command("flush", interactive=False, verbosity=0)
    group = HotelGroup.objects.create(name_zh="礼宾酒店集团", name_en="Concierge Hotels")
    prop = Property.objects.create(group=group, code="SHA", name_zh="上海外滩酒店", name_en="Shanghai Bund Hotel")
    frontdesk = User.objects.create_user(username="bench_frontdesk", password="bench-password-123", role="front_desk")
    frontdesk.properties.set([prop])
    quality = User.objects.create_user(username="bench_quality", password="bench-password-123", role="quality")
    quality.properties.set([prop])
    survey = seed_checked_out_guests(frontdesk=frontdesk, quality=quality, property=prop, n=args.guests)
    kill_at = sorted(rng.randint(max(1, args.guests // 20), args.guests * 19 // 20) for _ in range(args.kills))
    queue = f"bench-faults-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    with recording_smtp_server() as smtp, tempfile.TemporaryDirectory(prefix="faults-") as logs:
        workers = Workers(database_url=database_url(connection.settings_dict), broker_url=args.broker_url,
                          queue=queue, smtp=smtp, log_dir=Path(logs))
        try:
            outcome = run(workers=workers, smtp=smtp, survey=survey, kill_at=kill_at, timeout=args.timeout,
                          dispatch=lambda: app.send_task("concierge.surveys.tasks.dispatch", queue=queue),
                          jitter=args.jitter)
        finally:
            workers.stop_all()
            import redis

            redis.Redis.from_url(args.broker_url).delete(queue)
    print(f"  run {number}: killed at {kill_at} mails -> {outcome}", flush=True)
    return kill_at, outcome


def main() -> None:
    args = parse_args()
    warnings.filterwarnings("ignore", message="No directory at")
    prepare_database(args.database_url, postgres_only=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from concierge.celery import app

    call_command("migrate", interactive=False, verbosity=0)
    app.close()
    app.amqp._producer_pool = None
    app.conf.update(broker_url=args.broker_url, task_always_eager=False)
    rng = random.Random(args.seed)
    print(f"{args.runs} runs, {args.guests} guests, {args.kills} kill(s) per run (jitter {args.jitter} s), database "
          f"{connection.settings_dict['NAME']}, broker {args.broker_url}", flush=True)
    rows = [one_run(args, number, rng) for number in range(1, args.runs + 1)]
    load = os.getloadavg()
    header = (f"{'run':>3}  {'killed at':>10}  {'invited':>7}  {'sent (DB)':>9}  {'received':>8}  {'lost':>4}  "
              f"{'doubled':>7}  {'distinct+':>9}  {'unsent':>6}  {'seconds':>7}")
    print("\n" + header)
    print("-" * len(header))
    for number, (kill_at, o) in enumerate(rows, start=1):
        print(f"{number:>3}  {','.join(map(str, kill_at)):>10}  {o.invited:>7}  {o.sent:>9}  {o.received:>8}  "
              f"{o.lost:>4}  {o.doubled:>7}  {o.doubled_distinct:>9}  {o.unsent:>6}  {o.seconds:>7}")
    print("-" * len(header))
    total = {k: sum(getattr(o, k) for _kill, o in rows) for k in ("invited", "sent", "received", "lost", "doubled",
                                                                   "doubled_distinct", "unsent")}
    print(f"{'all':>3}  {'':>10}  {total['invited']:>7}  {total['sent']:>9}  {total['received']:>8}  "
          f"{total['lost']:>4}  {total['doubled']:>7}  {total['doubled_distinct']:>9}  {total['unsent']:>6}")
    print(f"load average (1/5/15 min) at the end: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
    ok = total["lost"] == total["doubled_distinct"] == total["unsent"] == 0 and total["sent"] == total["invited"]
    print("every guest received exactly one distinct mail" if ok else "FAULT: see the table")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
