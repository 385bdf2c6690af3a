#!/usr/bin/env python
"""Load benchmark: 50 staff users for 5 minutes against gunicorn + PostgreSQL, with a lost-write check.

    flock /tmp/concierge-bench.lock .venv/bin/python bench/load.py [--guests 50000] [--users 50] [--duration 300]
        [--spawn-rate 2] [--workers 5] [--reuse] [--restart-postgres-at SECONDS] [--database-url URL]

Seeds the demo data set (`concierge.core.demo.seed.demo_seed`: properties, staff, companies, guests with stays,
timeline) into its own database, adds one staff account per simulated user (front desk, service agents, sales,
quality at the three properties), starts gunicorn with the production settings (DEBUG off), runs locust headless
from its own virtualenv (var/load-venv, bench/requirements-load.txt) with bench/_locustfile.py, then prints
latencies per request type, failures by kind, acknowledged writes found in the database, and the load average.
See bench/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/concierge_bench_load"
LOAD_VENV = ROOT / "var" / "load-venv"
OUT = BENCH / "out"
PASSWORD = "Load-bench-passw0rd!"
# Fixed bench secrets, so --reuse decrypts what an earlier run encrypted. Never used outside this database.
SECRETS = {
    "DJANGO_SECRET_KEY": "load-bench-secret-key-not-for-production-0123456789abcdef",
    "CONCIERGE_FIELD_KEYS": "bG9hZC1iZW5jaC1maWVsZC1rZXktMDEyMzQ1Njc4OWE=",
    "CONCIERGE_BLIND_INDEX_KEY": "load-bench-blind-index-key",
}
# One staff account per simulated user; roles and properties cycle through this list.
STAFF_PATTERNS = [
    ("front_desk", ["SHA"]), ("front_desk", ["HGH"]), ("front_desk", ["SZX"]), ("service_agent", ["SHA"]),
    ("front_desk", ["SHA"]), ("service_agent", ["HGH"]), ("sales_rep", ["SHA", "HGH"]), ("front_desk", ["SZX"]),
    ("quality", ["SHA", "HGH", "SZX"]), ("sales_rep", ["SZX"]),
]
PROBES_PER_PROPERTY = 1500
RESTART_COMMAND = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guests", type=int, default=50_000, help="Guests to seed (default 50,000).")
    parser.add_argument("--users", type=int, default=50, help="Concurrent simulated staff users (default 50).")
    parser.add_argument("--duration", type=int, default=300, help="Seconds of load (default 300).")
    parser.add_argument("--spawn-rate", type=float, default=1.0, help="Users started per second (default 1).")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers (default 5 = 2 x cores + 1).")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
                        help=f"Bench database (default {DEFAULT_URL}); its name must contain 'bench'.")
    parser.add_argument("--reuse", action="store_true", help="Skip seeding when the database holds guests.")
    parser.add_argument("--seed", type=int, default=1, help="Generator seed (default 1).")
    parser.add_argument("--restart-postgres-at", type=float, default=None, metavar="SECONDS",
                        help="Restart the local PostgreSQL this many seconds into the load (fault mode).")
    parser.add_argument("--out", default=None, help="Name of the result files in bench/out/ (default load[-restart]).")
    return parser.parse_args()


# --- environment ------------------------------------------------------------------------------------------------


def server_env(url: str) -> dict[str, str]:
    """Environment of the gunicorn server and of this process: production settings, bench database and secrets."""
    return {
        **SECRETS,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "_load_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)]),
        "DJANGO_DEBUG": "0",
        "CONCIERGE_TESTING": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback (no TLS proxy in front): the HTTPS-only switches of production are off.
        "DJANGO_SECURE_SSL_REDIRECT": "0", "DJANGO_SESSION_COOKIE_SECURE": "0", "DJANGO_CSRF_COOKIE_SECURE": "0",
        # All 50 simulated users come from 127.0.0.1: the per-address limits (anonymous calls, token requests)
        # would throttle the sign-ins of a shift starting together. The per-user limit stays at its default.
        "API_THROTTLE_ANON": "10000/minute",
        "API_THROTTLE_AUTH_TOKEN": "10000/minute",
        "CELERY_BROKER_URL": os.environ.get("LOAD_CELERY_BROKER_URL", "redis://127.0.0.1:6379/14"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",  # no SMTP server on the bench machine
        "LOG_LEVEL": "WARNING",
    }


def django_setup(url: str) -> None:
    from _bench_db import prepare_database

    os.environ.update(server_env(url))
    prepare_database(url, postgres_only=True)
    import django

    django.setup()


def load_venv() -> Path:
    """The separate virtualenv with locust (never the app's .venv), created on first use."""
    locust = LOAD_VENV / "bin" / "locust"
    if not locust.exists():
        print(f"creating {LOAD_VENV} with bench/requirements-load.txt")
        subprocess.run([sys.executable, "-m", "venv", str(LOAD_VENV)], check=True)
        subprocess.run([str(LOAD_VENV / "bin" / "pip"), "install", "-q", "-r", str(BENCH / "requirements-load.txt")],
                       check=True)
    return locust


# --- data -------------------------------------------------------------------------------------------------------


def seed(guests: int, seed_value: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from concierge.core.demo import seed as demo

    started = time.perf_counter()
    call_command("flush", interactive=False, verbosity=0)
    summary = demo.demo_seed(guests=guests, seed=seed_value)  # analyzes its fresh tables before the statistics step
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    counts = ", ".join(f"{v:,} {k}" for k, v in summary.counts.items())
    print(f"  seeded in {time.perf_counter() - started:.0f} s: {counts}")


def staff_users(n: int) -> list[dict[str, Any]]:
    """One bench staff account per simulated user (created if missing), with their property ids."""
    from django.contrib.auth.hashers import make_password

    from concierge.accounts.models import User
    from concierge.properties.models import Property

    props = {p.code: p for p in Property.objects.all()}
    password = make_password(PASSWORD)  # the production hasher; hashed once for all accounts
    users = []
    for i in range(n):
        role, codes = STAFF_PATTERNS[i % len(STAFF_PATTERNS)]
        username = f"load_{role}_{i:03d}"
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"password": password, "role": role, "first_name": f"Load {i}", "language": "en",
                      "email": f"{username}@bench.example"},
        )
        if created:
            user.properties.set([props[c] for c in codes])
        users.append({"username": username, "role": role, "properties": [props[c].pk for c in codes],
                      "codes": codes})
    return users


def build_probes(users: list[dict[str, Any]], seed_value: int) -> dict[str, Any]:
    """Guests per property with the ways front desk types them, and each user's own guests to edit.

    Profiles to edit are split between users (each guest belongs to one user), so the mix does not conflict
    unless two users really edit the same profile.
    """
    from concierge.core.demo.generators import phone_as_typed, rng_for, typed_pinyin
    from concierge.guests.models import Guest
    from concierge.guests.names import has_cjk, to_simplified
    from concierge.properties.models import Property

    rng = rng_for(seed_value, "load-probes")
    guests_by_property: dict[int, list[dict[str, Any]]] = {}
    for prop in Property.objects.all():
        ids = list(Guest.objects.live().filter(properties=prop, merged_into__isnull=True)
                   .order_by("?").values_list("pk", flat=True)[:PROBES_PER_PROPERTY])
        rows = []
        for guest in Guest.objects.filter(pk__in=ids).prefetch_related("documents"):
            queries: dict[str, str] = {}
            if has_cjk(guest.family_name):
                queries["hanzi"] = to_simplified(guest.family_name + guest.given_name)
                queries["pinyin"] = typed_pinyin(guest.family_name, guest.given_name)
            elif guest.family_name_latin:
                queries["pinyin"] = f"{guest.given_name_latin} {guest.family_name_latin}".strip()
            if guest.phone:
                queries["phone"] = phone_as_typed(rng, guest.phone)
            cn_id = next((d.number for d in guest.documents.all() if d.doc_type == "cn_id"), None)
            if cn_id:
                queries["id_number"] = cn_id
            rows.append({"id": guest.pk, "queries": queries})
        guests_by_property[prop.pk] = rows
    # Each guest is edited by at most one user: the users whose first property holds it, round-robin.
    owners: dict[int, list[int]] = defaultdict(list)
    for index, user in enumerate(users):
        owners[user["properties"][0]].append(index)
    for user in users:
        user["edit_guests"] = []
    for prop_id, rows in guests_by_property.items():
        editors = owners.get(prop_id, [])
        for position, row in enumerate(rows):
            if editors:
                users[editors[position % len(editors)]]["edit_guests"].append(row["id"])
    return {"password": PASSWORD, "users": users,
            "guests": {str(k): v for k, v in guests_by_property.items()}}


# --- server and load --------------------------------------------------------------------------------------------


def collectstatic() -> None:
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


def start_gunicorn(args: argparse.Namespace, env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"), "concierge.wsgi:application",
        "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers), "--worker-class", "sync",
        "--timeout", "30", "--graceful-timeout", "10", "--chdir", str(ROOT),
    ]
    process = subprocess.Popen(command, env={**os.environ, **env}, stdout=log.open("w"), stderr=subprocess.STDOUT,
                               cwd=ROOT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/login/", timeout=5) as response:
                if response.status == 200:
                    return process
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.5)
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}; see {log}")
    process.terminate()
    sys.exit(f"gunicorn did not answer within 60 s; see {log}")


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


class Sampler(threading.Thread):
    """The 1-minute load average every 5 s while the load runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(5):
            self.samples.append((time.time(), loadavg()))


class PostgresRestart(threading.Thread):
    """Restarts the local PostgreSQL once, `at` seconds after `origin`; records when it started and ended."""

    def __init__(self, origin: float, at: float) -> None:
        super().__init__(daemon=True)
        self.origin, self.at = origin, at
        self.started = self.ended = 0.0
        self.output = ""
        self.returncode: int | None = None

    def run(self) -> None:
        time.sleep(max(0.0, self.origin + self.at - time.time()))
        self.started = time.time()
        result = subprocess.run(RESTART_COMMAND, capture_output=True, text=True)
        self.ended = time.time()
        self.returncode = result.returncode
        self.output = (result.stdout + result.stderr).strip()


def run_locust(args: argparse.Namespace, probes_path: Path, run_dir: Path) -> tuple[float, float, PostgresRestart | None,
                                                                                       Sampler]:
    locust = load_venv()
    env = {**os.environ, "LOAD_PROBES": str(probes_path), "LOAD_OUT_DIR": str(run_dir),
           "LOAD_RUN_ID": run_dir.name}
    command = [
        str(locust), "-f", str(BENCH / "_locustfile.py"), "--headless", "--users", str(args.users),
        "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.duration}s",
        "--host", f"http://127.0.0.1:{args.port}", "--only-summary", "--stop-timeout", "10",
        "--csv", str(run_dir / "locust"), "--loglevel", "WARNING",
    ]
    sampler = Sampler()
    sampler.start()
    started = time.time()
    restart = PostgresRestart(started, args.restart_postgres_at) if args.restart_postgres_at is not None else None
    if restart:
        restart.start()
    with (run_dir / "locust.log").open("w") as log:
        subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    ended = time.time()
    sampler.stop.set()
    if restart:
        restart.join(timeout=120)
    return started, ended, restart, sampler


# --- report -----------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


def latency_rows(requests: list[dict[str, Any]], steady_from: float) -> list[dict[str, Any]]:
    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in requests:
        by_name[r["name"]].append(r)
    rows = []
    actions = [r for r in requests if not r["name"].startswith("login")]
    steady = [r for r in actions if r["t"] >= steady_from]
    groups = sorted(by_name.items()) + [("ALL staff actions (excl. sign-in)", actions),
                                        ("  same, after the ramp-up", steady), ("ALL requests", requests)]
    for name, items in groups:
        times = [r["ms"] for r in items]
        rows.append({
            "name": name, "n": len(items), "fail": sum(1 for r in items if r["failure"]),
            "stale_409": sum(1 for r in items if r["status"] == 409),
            "p50": percentile(times, 0.50), "p95": percentile(times, 0.95), "p99": percentile(times, 0.99),
            "max": max(times, default=0.0),
        })
    return rows


def failure_kinds(requests: list[dict[str, Any]]) -> Counter:
    return Counter(f"{r['name']}: {r['failure']}" for r in requests if r["failure"])


def outage_report(requests: list[dict[str, Any]], restart: PostgresRestart) -> dict[str, Any]:
    """Failures while PostgreSQL restarted (command running, plus 1 s) versus after; time until requests succeed again."""
    window_end = restart.ended + 1.0
    during = [r for r in requests if r["failure"] and restart.started - 0.5 <= r["t"] + r["ms"] / 1000 and r["t"] <= window_end]
    before = [r for r in requests if r["failure"] and r["t"] + r["ms"] / 1000 < restart.started - 0.5]
    after = [r for r in requests if r["failure"] and r["t"] > window_end]
    failed_in_outage = [r["t"] + r["ms"] / 1000 for r in during]
    first_ok = min((r["t"] + r["ms"] / 1000 for r in requests
                    if not r["failure"] and r["t"] >= restart.ended), default=None)
    recovered_at = max([*failed_in_outage, first_ok or restart.ended])
    return {
        "restart_command_s": restart.ended - restart.started, "restart_returncode": restart.returncode,
        "restart_output": restart.output, "errors_before": len(before), "errors_during_outage": len(during),
        "errors_after_recovery": len(after), "time_to_recover_s": recovered_at - restart.started,
        "during_kinds": failure_kinds(during), "after_kinds": failure_kinds(after),
    }


def read_requests(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def main() -> None:
    args = parse_args()
    url = args.database_url
    django_setup(url)
    from django.core.management import call_command

    from concierge.guests.models import Guest

    print(f"load benchmark: {args.users} users x {args.duration} s on {url.rsplit('/', 1)[-1]}, "
          f"{args.guests:,} guests; load average {loadavg():.2f}")
    call_command("migrate", interactive=False, verbosity=0)
    if args.reuse and Guest.objects.exists():
        print(f"  reusing {Guest.objects.count():,} guests")
    else:
        seed(args.guests, args.seed)
    users = staff_users(args.users)
    probes = build_probes(users, args.seed)
    collectstatic()

    name = args.out or ("load-restart" if args.restart_postgres_at is not None else "load")
    run_dir = OUT / name
    run_dir.mkdir(parents=True, exist_ok=True)
    for old in run_dir.glob("*"):
        old.unlink()
    probes_path = run_dir / "probes.json"
    probes_path.write_text(json.dumps(probes))

    from django.db import connections

    connections.close_all()  # this process must not hold a connection across a PostgreSQL restart
    server = start_gunicorn(args, server_env(url), run_dir / "gunicorn.log")
    print(f"  gunicorn: {args.workers} sync workers on 127.0.0.1:{args.port} (DJANGO_DEBUG=0, "
          f"CONCIERGE_REQUIRE_2FA default = on; bench staff roles do not need it); load average {loadavg():.2f}")
    try:
        started, ended, restart, sampler = run_locust(args, probes_path, run_dir)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    from _load_verify import count_lost_writes, read_acknowledged

    requests = read_requests(run_dir / "requests.jsonl")
    writes = read_acknowledged(run_dir / "writes.jsonl")
    lost = count_lost_writes(writes)
    loads = [v for _, v in sampler.samples]
    report: dict[str, Any] = {
        "users": args.users, "duration_s": round(ended - started), "guests": Guest.objects.count(),
        "workers": args.workers, "requests": len(requests),
        "rows": latency_rows(requests, steady_from=started + args.users / args.spawn_rate),
        "failures": failure_kinds(requests), "writes": lost,
        "loadavg": {"max": max(loads, default=0.0), "median": statistics.median(loads) if loads else 0.0,
                    "end": loadavg()},
    }
    if restart:
        report["restart"] = outage_report(requests, restart)
    text = format_report(report)
    print(text)
    (OUT / f"{name}.txt").write_text(text + "\n")
    (OUT / f"{name}.json").write_text(json.dumps(report, indent=1, default=str))


def format_report(report: dict[str, Any]) -> str:
    lines = [f"\n{report['users']} users, {report['duration_s']} s, {report['guests']:,} guests, "
             f"gunicorn {report['workers']} sync workers; {report['requests']:,} requests "
             f"({report['requests'] / max(report['duration_s'], 1):.1f}/s)", ""]
    lines.append(f"{'request':<40} {'n':>6} {'fail':>5} {'409':>4} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
                 f"{'max ms':>7}")
    for row in report["rows"]:
        lines.append(f"{row['name'][:40]:<40} {row['n']:>6} {row['fail']:>5} {row['stale_409']:>4} "
                     f"{row['p50']:>7.0f} {row['p95']:>7.0f} {row['p99']:>7.0f} {row['max']:>7.0f}")
    lines.append("")
    lines.append("failures by kind: " + (", ".join(f"{k} x{v}" for k, v in report["failures"].most_common())
                                         if report["failures"] else "none"))
    w = report["writes"]
    lines.append(f"acknowledged writes: {w['total']['acknowledged']} (cases {w['case']['acknowledged']}, "
                 f"profile updates {w['profile']['acknowledged']}); found in the database: {w['total']['found']}; "
                 f"LOST: {w['total']['lost']}" + (f" e.g. {w['examples'][:3]}" if w["examples"] else ""))
    la = report["loadavg"]
    lines.append(f"load average (1 min) during the run: median {la['median']:.2f}, max {la['max']:.2f}; "
                 f"after: {la['end']:.2f}")
    if "restart" in report:
        r = report["restart"]
        lines.append(f"PostgreSQL restart: `{' '.join(RESTART_COMMAND)}` took {r['restart_command_s']:.1f} s "
                     f"(exit {r['restart_returncode']}); time to recover {r['time_to_recover_s']:.1f} s")
        lines.append(f"  errors before the restart: {r['errors_before']}; during the outage: "
                     f"{r['errors_during_outage']} ({', '.join(f'{k} x{v}' for k, v in r['during_kinds'].most_common()) or '-'}); "
                     f"after recovery: {r['errors_after_recovery']} "
                     f"({', '.join(f'{k} x{v}' for k, v in r['after_kinds'].most_common()) or '-'})")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
