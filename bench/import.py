"""Import benchmark: the hotel booking demand file (119,390 bookings) as stays, on PostgreSQL and SQLite.

    .venv/bin/python bench/import.py                      # both databases, prints a table
    .venv/bin/python bench/import.py --db sqlite --rows 20000

The file (../shared/reference-data/hotel_bookings.csv.zip, Antonio, de Almeida & Nunes 2019) has no
guest identities, so each booking becomes one stay with one placeholder guest. Column mapping:

    hotel                         -> property RESORT / CITY (created with --create-properties)
    arrival_date_year/month/day   -> arrival;  nights = stays_in_weekend_nights + stays_in_week_nights
    adr                           -> adr;      room_revenue = adr * nights;  currency EUR
    is_canceled/reservation_status-> status (Check-Out -> checked_out, Canceled -> cancelled, No-Show -> no_show)
    market_segment                -> market_segment (Groups -> group, Corporate -> corporate, Aviation -> crew,
                                     Complementary -> complimentary, Direct/Online TA/Offline TA/TO -> leisure)
    distribution_channel          -> channel (Direct, Corporate, TA/TO -> travel_agency, GDS, Undefined -> other)
    country (ISO 3166 alpha-3)    -> the guest's country (alpha-2)
    assigned_room_type, adults    -> room_type, adults;  meal (BB/HB/FB) -> an item "meal-BB" ...
    row number                    -> external_ref HB000001 (stay) and guest_ref HBG000001 (placeholder guest
                                     "Guest HB000001")

Each database is measured in a fresh child process against an empty, migrated database: the first import,
then the same file again, which must change nothing (row counts of every written table before/after).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "reference-data" / "hotel_bookings.csv.zip"
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"
PG_DB = "concierge_bench_import"
SQLITE_PATH = ROOT / "var" / "bench-import.sqlite3"

MONTHS = {m: i for i, m in enumerate(["January", "February", "March", "April", "May", "June", "July", "August",
                                      "September", "October", "November", "December"], start=1)}
SEGMENTS = {"Groups": "group", "Corporate": "corporate", "Aviation": "crew", "Complementary": "complimentary",
            "Direct": "leisure", "Online TA": "leisure", "Offline TA/TO": "leisure", "Undefined": "other"}
CHANNELS = {"Direct": "direct", "Corporate": "corporate", "TA/TO": "travel_agency", "GDS": "gds",
            "Undefined": "other"}
STATUSES = {"Check-Out": "checked_out", "Canceled": "cancelled", "No-Show": "no_show"}
HEADER = ["external_ref", "guest_ref", "guest_family_name", "guest_given_name", "property", "arrival", "nights",
          "status", "room_type", "adults", "adr", "room_revenue", "currency", "channel", "market_segment", "country",
          "items"]


def canonical_stays(limit: int | None = None) -> bytes:
    """The booking file rewritten with the canonical stay headers (docs/import.md)."""
    with zipfile.ZipFile(DATA) as archive:
        text = archive.read("hotel_bookings.csv").decode("utf-8")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for n, row in enumerate(csv.DictReader(io.StringIO(text)), start=1):
        if limit and n > limit:
            break
        nights = int(row["stays_in_weekend_nights"]) + int(row["stays_in_week_nights"])
        adr = Decimal(row["adr"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
        meal = row["meal"].strip()
        writer.writerow([
            f"HB{n:06d}", f"HBG{n:06d}", "Guest", f"HB{n:06d}",
            "RESORT" if row["hotel"].startswith("Resort") else "CITY",
            f"{row['arrival_date_year']}-{MONTHS[row['arrival_date_month']]:02d}-{int(row['arrival_date_day_of_month']):02d}",
            nights,
            STATUSES.get(row["reservation_status"], "cancelled" if row["is_canceled"] == "1" else "checked_out"),
            row["assigned_room_type"], row["adults"], adr, adr * nights, "EUR",
            CHANNELS.get(row["distribution_channel"], "other"), SEGMENTS.get(row["market_segment"], "other"),
            "" if row["country"] == "NULL" else row["country"],
            f"meal-{meal}" if meal in ("BB", "HB", "FB") else "",
        ])
    return out.getvalue().encode("utf-8")


def _counts() -> dict[str, int]:
    from concierge.imports.tests.factories import counts

    return counts()


def _fingerprint() -> dict[str, str]:
    from django.db.models import Max

    from concierge.guests.models import Guest
    from concierge.stays.models import Stay

    return {"guests_updated_at": str(Guest.objects.aggregate(m=Max("updated_at"))["m"]),
            "stays_updated_at": str(Stay.objects.aggregate(m=Max("updated_at"))["m"])}


def run_one(db: str, limit: int | None) -> dict:
    """In a child process: migrate an empty database, import twice, return the figures."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from concierge.imports.services import import_run

    mapping_started = time.perf_counter()
    data = canonical_stays(limit)
    mapping_seconds = time.perf_counter() - mapping_started
    results = {"db": db, "mapping_seconds": round(mapping_seconds, 2)}
    for run in ("first", "second"):
        before, fp_before = _counts(), _fingerprint()
        started, cpu = time.perf_counter(), time.process_time()
        summary = import_run(actor=None, kind="stays", file=data, file_name="hotel_bookings.csv",
                             source="hotel-bookings", create_properties=True)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        after, fp_after = _counts(), _fingerprint()
        results[run] = {
            "seconds": round(seconds, 2), "python_cpu_seconds": round(cpu, 1), "rows": summary.rows_read,
            "rows_per_s": round(summary.rows_read / seconds),
            "status": str(summary.status), "created": summary.created, "updated": summary.updated,
            "unchanged": summary.unchanged, "rejected": len(summary.rejected_rows),
            "warnings": len(summary.warnings), "guests_created": summary.extra.get("guests_created", 0),
            "changed_tables": {k: after[k] - before[k] for k in after if after[k] != before[k]},
            "fingerprint_changed": fp_before != fp_after,
            "error": summary.error,
        }
    results["totals"] = _counts()
    return results


def _prepare(db: str) -> dict[str, str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="concierge.settings_test", PYTHONPATH=str(ROOT))
    if db == "postgresql":
        import psycopg

        with psycopg.connect(PG_URL.format(name="postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')
            conn.execute(f'CREATE DATABASE "{PG_DB}"')
        env["DATABASE_URL"] = PG_URL.format(name=PG_DB)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(str(SQLITE_PATH) + suffix).unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    return env


def _cleanup(db: str) -> None:
    if db == "postgresql":
        import psycopg

        with psycopg.connect(PG_URL.format(name="postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(str(SQLITE_PATH) + suffix).unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("postgresql", "sqlite", "both"), default="both")
    parser.add_argument("--rows", type=int, help="import only the first N bookings")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the raw results as JSON too")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child, args.rows)))
        return
    results = []
    load_before = os.getloadavg()[0]
    for db in (("postgresql", "sqlite") if args.db == "both" else (args.db,)):
        env = _prepare(db)
        cmd = [sys.executable, __file__, "--child", db] + (["--rows", str(args.rows)] if args.rows else [])
        proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
        if not args.keep:
            _cleanup(db)
        if proc.returncode:
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"{db}: benchmark failed")
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(f"Hotel booking demand file → stays + one placeholder guest per booking (limit: {args.rows or 'all'}); "
          f"{os.cpu_count()} CPUs, load average {load_before:.1f} before / {os.getloadavg()[0]:.1f} after\n")
    print(f"{'database':<11}{'run':<8}{'rows':>8}{'seconds':>9}{'cpu s':>7}{'rows/s':>8}{'created':>9}{'updated':>9}"
          f"{'unchanged':>11}{'rejected':>10}{'warnings':>10}  changed tables")
    for r in results:
        for run in ("first", "second"):
            x = r[run]
            changed = "none" if not x["changed_tables"] and not x["fingerprint_changed"] else (
                ", ".join(f"{k.split('.')[-1]} +{v}" for k, v in x["changed_tables"].items())
                + (" (rows updated)" if x["fingerprint_changed"] else ""))
            if run == "first":
                changed = f"{len(x['changed_tables'])} tables filled"
            print(f"{r['db']:<11}{run:<8}{x['rows']:>8}{x['seconds']:>9.1f}{x['python_cpu_seconds']:>7.1f}"
                  f"{x['rows_per_s']:>8}{x['created']:>9}"
                  f"{x['updated']:>9}{x['unchanged']:>11}{x['rejected']:>10}{x['warnings']:>10}  {changed}")
    print("\n(seconds: wall clock of import_run; cpu s: the importing process's own CPU, without the database "
          "server's)")
    print("rows after the first import:", ", ".join(
        f"{k.split('.')[-1]} {v:,}" for k, v in results[0]["totals"].items() if v))
    ok = all(r["first"]["seconds"] < 60 and r["second"]["seconds"] < 60 and not r["second"]["changed_tables"]
             and not r["second"]["fingerprint_changed"] and r["first"]["status"] == "succeeded" for r in results)
    print("\ntarget (< 60 s per import; second import changes nothing):", "met" if ok else "NOT met")
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
