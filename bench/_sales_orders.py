"""Concurrent tour orders against one departure: overselling must be impossible (issue 8, benchmark part).

    .venv/bin/python bench/_sales_orders.py                      # 200 orders of 1 seat for 50 seats
    .venv/bin/python bench/_sales_orders.py --orders 400 --seats 120 --clients 60

`bench/sales.py` imports `run_concurrent_orders(database_url, orders, seats)` and prints its result.

What it does, on a PostgreSQL database whose name contains "bench" (default `concierge_bench_sales`, created and
migrated when missing; nothing is flushed: each run adds one product departure dated after the previous ones):
one departure with `seats` seats is created, then `orders` threads are started, released together by a barrier,
and each places one single-seat order through `concierge.tours.services.order_place` on its own database
connection (opened in the thread, closed at its end). PostgreSQL on this machine allows 100 connections shared by
everything running, so at most `clients` threads hold a connection at the same moment (a semaphore; default
min(orders, 40)): the orders still race for the same row, at that degree of parallelism. Afterwards the database
is asked how many orders are confirmed, how many seats the departure says are taken and the sum of the confirmed
orders' seats; refusals are counted from the NotEnoughSeats errors the threads saw, with one example message.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/concierge_bench_sales"
DEFAULT_CLIENTS = 40


def _setup(database_url: str) -> None:
    """Point Django at the bench database (create + migrate it if needed); refuse a different, already set one."""
    import django
    import environ
    from django.apps import apps
    from django.conf import settings

    name = str(environ.Env.db_url_config(database_url)["NAME"])
    if "bench" not in Path(name).name:
        raise SystemExit(f"Refusing to use database {name!r}: bench databases must have 'bench' in their name.")
    if apps.ready:  # imported by another bench that already set Django up
        current = str(settings.DATABASES["default"]["NAME"])
        if current != name:
            raise SystemExit(f"Django is already set up on {current!r}, not {name!r}: run the orders bench on "
                             "the same database as the caller.")
    else:
        from _bench_db import prepare_database

        prepare_database(database_url, postgres_only=True)
        django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("The concurrent-orders bench needs PostgreSQL.")
    call_command("migrate", verbosity=0, interactive=False)


def _departure(seats: int) -> Any:
    """A fresh departure with `seats` seats of the bench product, and the bench agency."""
    from django.db.models import Max
    from django.utils import timezone

    from concierge.guests.models import Company
    from concierge.tours.models import Departure, TourProduct
    from concierge.tours.services import departure_create

    product, _ = TourProduct.objects.get_or_create(code="bench-concurrent-orders", defaults={
        "name_zh": "并发下单测试团", "name_en": "Concurrent orders bench tour", "duration_days": 1})
    agency = Company.objects.filter(external_ref="bench-orders-agency").first() or Company.objects.create(
        name_zh="压测旅行社", name_en="Bench Travel Agency", channel="travel_agency",
        external_ref="bench-orders-agency")
    last = Departure.objects.filter(product=product).aggregate(d=Max("departs_on"))["d"]
    departs_on = max(last + dt.timedelta(days=1), timezone.localdate()) if last else timezone.localdate()
    departure = departure_create(actor=None, product=product, departs_on=departs_on, capacity=seats,
                                 price=Decimal("500.00"))
    return departure, agency


def run_concurrent_orders(database_url: str = DEFAULT_URL, orders: int = 200, seats: int = 50,
                          clients: int | None = None) -> dict[str, Any]:
    """Fire `orders` concurrent single-seat orders at a departure with `seats` seats; count the outcome in the DB.

    Returns orders, seats, threads, clients (max simultaneous connections), confirmed, refused, errors,
    seats_taken, confirmed_seats, refusal_message, elapsed_s, load_avg_1m and ok (exactly `seats` confirmed, the
    rest refused with the message, the seat counter equal to the confirmed seats).
    """
    _setup(database_url)
    from django.db import connections
    from django.db.models import Sum

    from concierge.tours.models import Departure, Order
    from concierge.tours.services import NotEnoughSeats, order_place

    clients = max(1, min(orders, clients or DEFAULT_CLIENTS))
    departure, agency = _departure(seats)
    connections.close_all()  # the threads open their own connections

    barrier = threading.Barrier(orders + 1)
    slots = threading.BoundedSemaphore(clients)
    lock = threading.Lock()
    outcome = {"confirmed": 0, "refused": 0, "errors": 0}
    samples: dict[str, str] = {}

    def place(i: int) -> None:
        barrier.wait()
        with slots:
            try:
                order_place(actor=None, departure=departure, seats=1, company=agency, contact_name=f"Bench {i}")
                key = "confirmed"
            except NotEnoughSeats as exc:
                key = "refused"
                samples.setdefault("refused", exc.messages[0])
            except Exception as exc:  # noqa: BLE001 - counted and shown: any other failure is a finding
                key = "errors"
                samples.setdefault("error", f"{type(exc).__name__}: {exc}")
            finally:
                connections.close_all()
        with lock:
            outcome[key] += 1

    threads = [threading.Thread(target=place, args=(i,), daemon=True) for i in range(orders)]
    for t in threads:
        t.start()
    barrier.wait()  # every thread is waiting: release them together
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started

    fresh = Departure.objects.get(pk=departure.pk)
    confirmed_rows = Order.objects.filter(departure=fresh, status="confirmed")
    confirmed = confirmed_rows.count()
    confirmed_seats = confirmed_rows.aggregate(n=Sum("seats"))["n"] or 0
    connections.close_all()
    result = {
        "orders": orders, "seats": seats, "threads": orders, "clients": clients,
        "confirmed": confirmed, "confirmed_seen": outcome["confirmed"], "refused": outcome["refused"],
        "errors": outcome["errors"], "seats_taken": fresh.seats_taken, "confirmed_seats": confirmed_seats,
        "refusal_message": samples.get("refused", ""), "error_example": samples.get("error", ""),
        "elapsed_s": round(elapsed, 3), "load_avg_1m": round(os.getloadavg()[0], 2),
        "departure_id": fresh.pk,
    }
    expected_confirmed = min(orders, seats)
    result["ok"] = (confirmed == expected_confirmed == fresh.seats_taken == confirmed_seats
                    and outcome["refused"] == orders - expected_confirmed and outcome["errors"] == 0)
    return result


def format_result(result: dict[str, Any]) -> str:
    rows = [
        ("orders fired (threads)", result["orders"]),
        ("max simultaneous DB connections", result["clients"]),
        ("departure capacity", result["seats"]),
        ("confirmed orders (in the DB)", result["confirmed"]),
        ("refused (not enough seats)", result["refused"]),
        ("other errors", result["errors"]),
        ("departure seats_taken", result["seats_taken"]),
        ("sum of confirmed seats", result["confirmed_seats"]),
        ("elapsed (s)", f"{result['elapsed_s']:.2f}"),
        ("orders per second", f"{result['orders'] / result['elapsed_s']:.0f}" if result["elapsed_s"] else "-"),
        ("load average (1 min) after", result["load_avg_1m"]),
        ("never oversold, exact count", "PASS" if result["ok"] else "FAIL"),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"  {label:<{width}}  {value!s:>10}" for label, value in rows]
    lines.append(f"  refusal message: {result['refusal_message']}")
    if result["error_example"]:
        lines.append(f"  first error: {result['error_example']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--clients", type=int, default=DEFAULT_CLIENTS,
                        help="Max threads holding a DB connection at once (PostgreSQL allows 100 in all).")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    result = run_concurrent_orders(args.database_url, args.orders, args.seats, clients=args.clients)
    print(f"Concurrent single-seat orders against one departure ({args.database_url.rsplit('/', 1)[-1]})")
    print(format_result(result))
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
