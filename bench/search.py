#!/usr/bin/env python
"""Recognition-search benchmark: N synthetic guests in a separate database, look-ups through the API.

    .venv/bin/python bench/search.py --guests 100000 [--queries 300] [--database-url URL] [--reuse] [--explain]

Seeds N guests from the seed_demo generators straight into the bench database (COPY on
PostgreSQL), then times GET /api/v1/search/?q=... as a front-desk user of one property for each
kind of query front desk types, and prints p50/p95/max latency and the hit rate (the intended
guest is among the results). See bench/README.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/concierge_bench"
KINDS = ("id_number", "passport", "phone", "hanzi", "pinyin", "initials", "latin")
CHUNK = 20_000
BENCH_USER = "bench_frontdesk"


from _bench_db import prepare_database  # noqa: E402 - bench/ is on sys.path when run as a script

def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guests", type=int, default=100_000, help="Guests to seed (default 100,000).")
    parser.add_argument("--queries", type=int, default=300, help="Timed queries per kind (default 300).")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
                        help=f"Bench database (default {DEFAULT_URL}); its name must contain 'bench'.")
    parser.add_argument("--reuse", action="store_true", help="Skip seeding when the database holds N guests.")
    parser.add_argument("--seed", type=int, default=1, help="Generator seed (default 1).")
    parser.add_argument("--explain", action="store_true",
                        help="EXPLAIN ANALYZE the slowest SQL of the slowest query per kind (PostgreSQL).")
    parser.add_argument("--direct", action="store_true",
                        help="Call the selector directly instead of the API (isolates the search from DRF).")
    return parser.parse_args()


# --- database set-up ---------------------------------------------------------------------------------------------




def seed(n: int, seed_value: int) -> None:
    """Flush the bench database and load `n` generated guests in chunks (one transaction per chunk)."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from concierge.accounts.models import User
    from concierge.core.demo import data
    from concierge.core.demo.generators import GuestGenerator, rng_for
    from concierge.core.demo.loader import BulkWriter, SearchKeyBuilder, guest_from_spec, guests_load
    from concierge.guests.models import GuestProperty
    from concierge.properties.models import HotelGroup, Property

    call_command("flush", interactive=False, verbosity=0)
    group = HotelGroup.objects.create(**data.HOTEL_GROUP)
    props = [Property.objects.create(group=group, code=p["code"], name_zh=p["name_zh"], name_en=p["name_en"],
                                     city=p["city"]) for p in data.PROPERTIES]
    user = User.objects.create_user(username=BENCH_USER, password=None, role="front_desk")
    user.properties.set([props[0]])
    property_ids = [p.pk for p in props]

    generator = GuestGenerator(seed_value, showcase=False)
    rng = rng_for(seed_value, "bench")
    today = dt.date.today()
    writer = BulkWriter(batch_size=10_000)
    key_builder = SearchKeyBuilder()
    started = time.perf_counter()
    done = 0
    totals = {"documents": 0, "search_keys": 0, "links": 0}
    while done < n:
        size = min(CHUNK, n - done)
        specs = list(generator.guests(size))
        guests = []
        for spec in specs:
            created = today - dt.timedelta(days=rng.randint(30, 3 * 365))
            last = today - dt.timedelta(days=rng.randint(0, 3 * 365)) if rng.random() < 0.75 else None
            guests.append(guest_from_spec(spec, created_at=dt.datetime.combine(created, dt.time(12), dt.UTC),
                                          last_stay_on=max(last, created) if last else None))
        with transaction.atomic():
            load = guests_load(guests=guests, specs=specs, writer=writer, property_ids=property_ids, today=today,
                               key_builder=key_builder)
            # About a fifth of guests also stayed at a second property.
            extra = [
                GuestProperty(guest=g, property_id=property_ids[(s.home + rng.randint(1, 2)) % 3],
                              first_seen=g.created_at)
                for g, s in zip(guests, specs) if rng.random() < 0.2
            ]
            writer.insert(extra)
        totals["documents"] += load.documents
        totals["search_keys"] += load.search_keys
        totals["links"] += load.links + len(extra)
        done += size
        elapsed = time.perf_counter() - started
        print(f"\r  seeded {done:>9,} / {n:,} guests  {done / elapsed:>7,.0f} guests/s  {elapsed:>6.0f} s",
              end="", flush=True)
    print()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    elapsed = time.perf_counter() - started
    print(f"  {n:,} guests, {totals['documents']:,} ID documents, {totals['search_keys']:,} search keys "
          f"({totals['search_keys'] / max(n, 1):.1f}/guest), {totals['links']:,} property links "
          f"in {elapsed:.0f} s ({n / elapsed:,.0f} guests/s)")


# --- queries ------------------------------------------------------------------------------------------------------


@dataclass
class Probe:
    kind: str
    query: str
    guest_id: int
    ms: float = 0.0
    hit: bool = False
    results: int = 0


@dataclass
class KindResult:
    kind: str
    probes: list[Probe] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        times = sorted(p.ms for p in self.probes)
        if not times:
            return {"kind": self.kind, "n": 0}
        return {
            "kind": self.kind, "n": len(times), "p50": statistics.median(times),
            "p95": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))], "max": times[-1],
            "hit_rate": sum(p.hit for p in self.probes) / len(self.probes),
            "median_results": statistics.median(p.results for p in self.probes),
        }


def build_probes(per_kind: int, seed_value: int) -> list[Probe]:
    """Queries typed the way front desk types them, for guests the bench front-desk user can see."""
    from django.db.models import Max, Min

    from concierge.accounts.models import User
    from concierge.core.demo.generators import phone_as_typed, rng_for, typed_initials, typed_pinyin
    from concierge.guests.models import Guest
    from concierge.guests.names import has_cjk, to_simplified

    rng = rng_for(seed_value, "bench-queries")
    user = User.objects.get(username=BENCH_USER)
    visible = Guest.objects.visible_to(user)
    bounds = Guest.objects.aggregate(lo=Min("id"), hi=Max("id"))
    population = range(bounds["lo"], bounds["hi"] + 1)
    ids = rng.sample(population, min(len(population), per_kind * 12))
    guests = list(visible.filter(pk__in=ids).prefetch_related("documents").order_by("id"))
    rng.shuffle(guests)

    makers: dict[str, Callable[[Any], str | None]] = {
        "id_number": lambda g: next((_typed_id(rng, d.number) for d in g.documents.all()
                                     if d.doc_type == "cn_id"), None),
        "passport": lambda g: next((d.number for d in g.documents.all() if d.doc_type == "passport"), None),
        "phone": lambda g: phone_as_typed(rng, g.phone) if g.phone else None,
        "hanzi": lambda g: to_simplified(g.family_name + g.given_name) if has_cjk(g.family_name) else None,
        "pinyin": lambda g: typed_pinyin(g.family_name, g.given_name) if has_cjk(g.family_name) else (
            f"{g.family_name_latin} {g.given_name_latin}".lower() if g.family_name_latin else None),
        "initials": lambda g: typed_initials(g.family_name, g.given_name) if has_cjk(g.family_name) else None,
        "latin": lambda g: f"{g.given_name_latin.title()} {g.family_name_latin.title()}"
        if g.family_name_latin and g.given_name_latin else None,
    }
    probes: list[Probe] = []
    for kind in KINDS:
        made = 0
        for guest in guests:
            query = makers[kind](guest)
            if query:
                probes.append(Probe(kind, query, guest.pk))
                made += 1
                if made == per_kind:
                    break
    rng.shuffle(probes)  # interleave kinds so caches favour none
    return probes


def _typed_id(rng: random.Random, number: str) -> str:
    if number.endswith("X") and rng.random() < 0.5:
        return number[:-1] + "x"
    return number


def run_probes(probes: list[Probe], *, direct: bool) -> str:
    """Time every probe; returns how it searched ("API" or "selector")."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from concierge.accounts.models import User
    from concierge.guests.selectors import recognition_search

    user = User.objects.get(username=BENCH_USER)
    try:
        url = reverse("api:search")
    except NoReverseMatch:
        url = None
    if direct or url is None:
        def search(q: str) -> list[tuple[str, int]]:
            return [(h.kind, h.id) for h in recognition_search(user=user, query=q)]
        how = "selector (concierge.guests.selectors.recognition_search)"
    else:
        client = Client()
        client.force_login(user)

        def search(q: str) -> list[tuple[str, int]]:
            response = client.get(url, {"q": q})
            if response.status_code != 200:
                raise RuntimeError(f"GET {url}?q={q} -> {response.status_code}: {response.content[:300]!r}")
            return [(hit["kind"], hit["id"]) for hit in response.json()]
        how = f"API (GET {url}?q=..., session of a front-desk user at one property)"
    for probe in probes[:30]:  # warm-up: pinyin dictionaries, OpenCC, connection, plan cache
        search(probe.query)
    for probe in probes:
        started = time.perf_counter()
        hits = search(probe.query)
        probe.ms = (time.perf_counter() - started) * 1000
        probe.results = len(hits)
        probe.hit = ("guest", probe.guest_id) in hits
    return how


def explain(results: dict[str, KindResult]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) the slowest statement of the slowest query of each kind."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from concierge.accounts.models import User
    from concierge.guests.selectors import recognition_search

    if connection.vendor != "postgresql":
        print("--explain needs PostgreSQL")
        return
    user = User.objects.get(username=BENCH_USER)
    for kind, result in results.items():
        if not result.probes:
            continue
        probe = max(result.probes, key=lambda p: p.ms)
        with CaptureQueriesContext(connection) as ctx:
            recognition_search(user=user, query=probe.query)
        slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
        print(f"\n=== {kind}: {probe.query!r} ({probe.ms:.1f} ms through the API; "
              f"{len(ctx.captured_queries)} queries, slowest {float(slowest['time']) * 1000:.1f} ms)")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + slowest["sql"])
            print(slowest["sql"][:600])
            print("\n".join(row[0] for row in cursor.fetchall()))


def report(results: dict[str, KindResult], *, how: str, n: int, vendor: str) -> list[dict[str, Any]]:
    rows = [r.row() for r in results.values()]
    print(f"\nRecognition search, {n:,} guests on {vendor}, via {how}")
    print(f"{'kind':<10} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'hit rate':>9} {'results':>8}")
    for row in rows:
        if not row["n"]:
            print(f"{row['kind']:<10} {0:>5}")
            continue
        print(f"{row['kind']:<10} {row['n']:>5} {row['p50']:>8.1f} {row['p95']:>8.1f} {row['max']:>8.1f} "
              f"{row['hit_rate']:>8.0%} {row['median_results']:>8.0f}")
    return rows


def main() -> None:
    args = parse_args()
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic in the bench
    prepare_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from concierge.guests.models import Guest

    call_command("migrate", interactive=False, verbosity=0)
    existing = Guest.objects.count()
    if args.reuse and existing == args.guests:
        print(f"reusing {existing:,} guests in {connection.settings_dict['NAME']}")
    else:
        print(f"seeding {args.guests:,} guests into {connection.settings_dict['NAME']} ({connection.vendor})")
        seed(args.guests, args.seed)

    probes = build_probes(args.queries, args.seed)
    how = run_probes(probes, direct=args.direct)
    results = {kind: KindResult(kind, [p for p in probes if p.kind == kind]) for kind in KINDS}
    rows = report(results, how=how, n=args.guests, vendor=connection.vendor)
    misses = [p for p in probes if not p.hit and p.kind in ("id_number", "passport", "phone")]
    if misses:
        print("\nmissed exact look-ups (first 10):", ", ".join(f"{p.kind}={p.query!r}" for p in misses[:10]))
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"search-{connection.vendor}-{args.guests}.json"
    path.write_text(json.dumps({"guests": args.guests, "via": how, "rows": rows,
                                "probes": [p.__dict__ for p in probes]}, ensure_ascii=False, indent=1))
    print(f"\nwrote {path.relative_to(ROOT)}")
    if args.explain:
        explain(results)


if __name__ == "__main__":
    main()
