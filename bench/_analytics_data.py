#!/usr/bin/env python
"""Large analytics data set for `bench/analytics.py`: guests, companies, six years of stays, stay items.

    .venv/bin/python bench/_analytics_data.py [--guests 1000000] [--stays 5000000] [--rebuild]

Builds (once) the PostgreSQL database `concierge_bench_analytics`: 4 properties, ~5,000 companies (industries,
provinces, account managers), N guests (provinces and countries, tiers, owners, source channels, birthdays,
tags, preferences) and M productive stays (checked out / in house) over ~6 years up to today, with a heavy-tailed
number of stays per guest (about 45 % one-timers, a few guests with hundreds), plus ~0.3 stay items per stay over
20 products. Rows are generated with numpy and streamed with `COPY ... FROM STDIN (FORMAT csv)`; secondary
indexes are dropped during the load and rebuilt after it, foreign-key triggers are off for the loading session
(`session_replication_role = replica`; the generator only writes valid keys), then VACUUM ANALYZE.

Kept consistent with what the app maintains itself: `Guest.last_stay_on` = the latest arrival of a productive
stay (as `stays.services.stats_refresh` computes it), a `GuestProperty` link for every property a guest stayed
at (first_seen = first arrival there) and for the guest's home property.

A database that already holds the requested size (recorded in the table `bench_analytics_meta`) is reused;
`--rebuild` drops and recreates it. The name must contain "bench" (see `_bench_db.prepare_database`).
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import struct
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

# BENCH_CODE_ROOT: load the application from another checkout (e.g. `git archive HEAD`) while the working tree
# is mid-change; the generated data only needs the guests/stays/properties/accounts models.
ROOT = Path(os.environ.get("BENCH_CODE_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from _bench_db import prepare_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/concierge_bench_analytics"
META_TABLE = "bench_analytics_meta"
YEARS = 6
CHUNK = 250_000
MANAGER = "bench_manager"

# The fourth property beside the three demo hotels.
EXTRA_PROPERTY = {
    "code": "PEK", "name_zh": "北京国贸礼宾酒店", "name_en": "Concierge Beijing CBD", "city": "北京",
    "phone": "+861065058888", "email": "pek@concierge-hotels.example", "address": "北京市朝阳区建国门外大街 1 号",
    "base_adr": 1250,
}
HOME_WEIGHTS = [0.34, 0.24, 0.20, 0.22]
EXTRA_PRODUCTS = [
    ("executive-lounge", "行政酒廊礼遇", "Executive lounge access", "service", 350),
    ("room-upgrade", "房型升级", "Room upgrade", "service", 400),
    ("minibar", "迷你吧消费", "Minibar", "fnb", 120),
    ("laundry", "洗衣服务", "Laundry", "service", 160),
    ("dinner-buffet", "自助晚餐", "Dinner buffet", "fnb", 328),
    ("parking", "停车", "Parking", "service", 80),
    ("gym-class", "健身私教课", "Personal training", "spa", 500),
    ("birthday-cake", "生日蛋糕", "Birthday cake", "fnb", 268),
]
# Where Chinese guests come from: the demo cities plus the provinces they miss, east-heavy (hotels are in
# Shanghai, Hangzhou, Shenzhen and Beijing).
EXTRA_PROVINCES = [("吉林", "长春", 0.6), ("甘肃", "兰州", 0.4), ("青海", "西宁", 0.15), ("宁夏", "银川", 0.15),
                   ("西藏", "拉萨", 0.1), ("江苏", "常州", 1.5), ("浙江", "绍兴", 1.5), ("山东", "烟台", 1.0)]
PINYIN = {"上海": "Shanghai", "北京": "Beijing", "浙江": "Zhejiang", "江苏": "Jiangsu", "广东": "Guangdong",
          "四川": "Sichuan", "湖北": "Hubei", "山东": "Shandong", "福建": "Fujian"}
MUNICIPALITIES = {"北京", "上海", "天津", "重庆"}


# --- helpers -------------------------------------------------------------------------------------------------------


def _weights(values: list[float]) -> np.ndarray:
    w = np.asarray(values, dtype=float)
    return w / w.sum()


def _connection() -> Any:
    from django.db import connection

    connection.ensure_connection()
    return connection.connection  # the psycopg connection


def copy_frame(table: str, frame: Any, *, nullable: tuple[str, ...] = ()) -> int:
    """COPY a pandas DataFrame (columns = table columns) in CSV. An empty field is NULL in the `nullable`
    columns and an empty string everywhere else."""
    conn = _connection()
    columns = list(frame.columns)
    text_columns = [c for c in columns if c not in nullable]
    force = f", FORCE_NOT_NULL ({', '.join(text_columns)})" if text_columns else ""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv{force})"
    with conn.cursor() as cursor:
        with cursor.copy(sql) as copy:
            for start in range(0, len(frame), CHUNK):
                buffer = io.StringIO()
                frame.iloc[start:start + CHUNK].to_csv(buffer, header=False, index=False, na_rep="",
                                                       float_format="%.2f", date_format="%Y-%m-%d %H:%M:%S+00")
                copy.write(buffer.getvalue())
    return len(frame)


NULL_DAY = -999_999  # stands for NULL in staged day numbers
_PG_EPOCH = np.datetime64("2000-01-01", "D")
_BINARY_TYPES = {np.dtype(np.int64): ("bigint", ">i8"), np.dtype(np.int32): ("integer", ">i4"),
                 np.dtype(np.int16): ("smallint", ">i2"), np.dtype(np.float64): ("double precision", ">f8"),
                 np.dtype(np.bool_): ("boolean", "?")}


def _days(values: np.ndarray) -> np.ndarray:
    """datetime64 -> days since 2000-01-01 (int32)."""
    return (values.astype("datetime64[D]") - _PG_EPOCH).astype(np.int32)


def _seconds(values: np.ndarray) -> np.ndarray:
    """datetime64 (UTC) -> Unix seconds (float64)."""
    return values.astype("datetime64[s]").astype(np.int64).astype(np.float64)


def _codes(values: np.ndarray) -> tuple[list[str], np.ndarray]:
    """A column of strings -> (vocabulary, int32 codes into it)."""
    vocab, codes = np.unique(values.astype(str), return_inverse=True)
    return [str(v) for v in vocab], codes.astype(np.int32)


def stage(table: str, **columns: np.ndarray) -> None:
    """Load fixed-width numpy columns into an UNLOGGED staging table with binary COPY, built as one numpy record
    array (no per-row Python). The caller turns it into the real rows with INSERT ... SELECT."""
    n = len(next(iter(columns.values())))
    fields: list[tuple[str, str]] = [("count", ">i2")]
    ddl = []
    for i, (name, values) in enumerate(columns.items()):
        values = np.asarray(values)
        if values.dtype.kind in "iu" and values.dtype not in _BINARY_TYPES:
            values = values.astype(np.int64)
        columns[name] = values
        pg_type, np_type = _BINARY_TYPES[values.dtype]
        fields += [(f"l{i}", ">i4"), (f"v{i}", np_type)]
        ddl.append(f"{name} {pg_type} NOT NULL")
    records = np.empty(n, dtype=np.dtype(fields))
    records["count"] = len(columns)
    for i, values in enumerate(columns.values()):
        records[f"l{i}"] = records.dtype[f"v{i}"].itemsize
        records[f"v{i}"] = values
    _execute(f"DROP TABLE IF EXISTS {table}")
    _execute(f"CREATE UNLOGGED TABLE {table} ({', '.join(ddl)})")
    conn = _connection()
    with conn.cursor() as cursor, cursor.copy(f"COPY {table} FROM STDIN WITH (FORMAT binary)") as copy:
        copy.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
        for start in range(0, n, 500_000):
            copy.write(records[start:start + 500_000].tobytes())
        copy.write(struct.pack(">h", -1))


def _execute(sql: str, params: Any = None) -> list[tuple]:
    conn = _connection()
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def read_meta() -> dict[str, Any]:
    _execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value jsonb NOT NULL)")
    # Django's psycopg set-up hands jsonb back as text
    return {k: json.loads(v) if isinstance(v, str) else v for k, v in _execute(f"SELECT key, value FROM {META_TABLE}")}


def write_meta(values: dict[str, Any]) -> None:
    for key, value in values.items():
        _execute(f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s::jsonb) "
                 "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", [key, json.dumps(value, default=str)])


def environ_name(url: str) -> str:
    import environ

    return str(environ.Env.db_url_config(url)["NAME"])


def drop_database(url: str) -> None:
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    name = str(config["NAME"])
    if "bench" not in name:
        sys.exit(f"Refusing to drop {name!r}")
    with psycopg.connect(host=config.get("HOST") or None, port=config.get("PORT") or None,
                         user=config.get("USER") or None, password=config.get("PASSWORD") or None,
                         dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        print(f"dropped database {name}")


SECONDARY_TABLES = ["guests_guest", "stays_stay", "stays_stayitem", "guests_guestproperty", "guests_guest_tags",
                    "guests_preference"]


def drop_secondary_indexes() -> list[str]:
    """Drop the indexes that back no constraint on the big tables; return their definitions."""
    rows = _execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = ANY(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)", [SECONDARY_TABLES])
    for name, _definition in rows:
        _execute(f"DROP INDEX {name}")
    return [definition for _name, definition in rows]


# --- generation ------------------------------------------------------------------------------------------------------


def stays_per_guest(rng: np.random.Generator, n_buyers: int, n_stays: int) -> np.ndarray:
    """Heavy-tailed stays per guest summing exactly to n_stays: ~45 % one-timers, Lomax tail capped at 600."""
    if n_stays < n_buyers:
        raise SystemExit("need at least one stay per guest who stayed")
    one_timer = rng.random(n_buyers) < 0.45
    tail = rng.pareto(1.6, n_buyers)
    rest = ~one_timer

    def total(scale: float) -> np.ndarray:
        k = np.ones(n_buyers, dtype=np.int64)
        k[rest] = 2 + np.minimum(np.floor(tail[rest] * scale), 598).astype(np.int64)
        return k

    lo, hi = 0.0, 1000.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if total(mid).sum() < n_stays:
            lo = mid
        else:
            hi = mid
    k = total(lo)
    diff = n_stays - int(k.sum())
    if diff > 0:  # top up repeaters one stay at a time
        idx = rng.choice(np.flatnonzero(rest), size=diff, replace=True)
        np.add.at(k, idx, 1)
    elif diff < 0:
        for _ in range(100):
            if diff == 0:
                break
            candidates = np.flatnonzero(k > 2)
            idx = rng.choice(candidates, size=min(-diff, len(candidates)), replace=False)
            k[idx] -= 1
            diff = n_stays - int(k.sum())
    return k


def build(n_guests: int, n_stays: int, seed: int) -> dict[str, Any]:
    import pandas as pd
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from concierge.accounts.models import User
    from concierge.core.demo import data
    from concierge.guests.models import Industry, Tag
    from concierge.properties.models import HotelGroup, Property
    from concierge.stays.models import Product

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    today = timezone.localdate()
    start_day = dt.date(today.year - YEARS, today.month, 1)
    span = (today - start_day).days
    epoch = np.datetime64(start_day.isoformat(), "D")
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 1)
        print(f"  {name:<34}{now - since:>8.1f} s   (total {now - started:>6.0f} s)", flush=True)
        return now

    t = time.perf_counter()
    _execute("SET session_replication_role = replica")
    _execute("SET synchronous_commit = off")
    _execute("SET maintenance_work_mem = '1GB'")

    # --- small tables through the ORM ---------------------------------------------------------------------------
    with transaction.atomic():
        group = HotelGroup.objects.create(**data.HOTEL_GROUP)
        prop_specs = [*data.PROPERTIES, EXTRA_PROPERTY]
        props = [Property.objects.create(group=group, code=p["code"], name_zh=p["name_zh"], name_en=p["name_en"],
                                         city=p["city"], phone=p["phone"], email=p["email"], address=p["address"])
                 for p in prop_specs]
        base_adr = np.array([p["base_adr"] for p in prop_specs], dtype=float)
        password = make_password("bench")
        manager = User.objects.create(username=MANAGER, password=password, role="manager", email="m@bench.example",
                                      first_name="Bench", last_name="Manager")
        User.objects.create(username="bench_marketing", password=password, role="marketing")
        for prop in props:
            fd = User.objects.create(username=f"bench_frontdesk_{prop.code.lower()}", password=password,
                                     role="front_desk")
            fd.properties.set([prop])
        reps = []
        for i in range(24):
            rep = User.objects.create(username=f"bench_sales_{i:02d}", password=password,
                                      role="sales_manager" if i < 4 else "sales_rep", first_name=f"Rep{i:02d}")
            rep.properties.set([props[i % 4]] + ([props[(i + 1) % 4]] if i % 3 == 0 else []))
            reps.append(rep)
        rep_ids = np.array([r.pk for r in reps])
        industries = [Industry.objects.create(code=c, name_zh=zh, name_en=en, sort_order=i)
                      for i, (c, zh, en) in enumerate(data.INDUSTRIES)]
        tags = [Tag.objects.create(name=name) for name in data.TAGS]
        product_specs = [(c, zh, en, cat, price) for c, zh, en, cat, price, _p, _m in data.PRODUCTS] + EXTRA_PRODUCTS
        products = [Product.objects.create(code=c, name_zh=zh, name_en=en, category=cat)
                    for c, zh, en, cat, _price in product_specs]
        product_ids = np.array([p.pk for p in products])
        product_price = np.array([s[4] for s in product_specs], dtype=float)
    prop_ids = np.array([p.pk for p in props])
    now_ts = pd.Timestamp(timezone.now()).tz_convert(None)

    # --- places ----------------------------------------------------------------------------------------------
    places = [(p, c, w) for p, c, _code, w in data.CITIES] + EXTRA_PROVINCES
    place_p = _weights([w for _p, _c, w in places])
    place_province = np.array([p for p, _c, _w in places], dtype=object)
    place_city = np.array([c for _p, c, _w in places], dtype=object)

    # --- companies ---------------------------------------------------------------------------------------------
    n_companies = max(50, min(5000, n_guests // 200))
    c_place = rng.choice(len(places), n_companies, p=place_p)
    c_ind = rng.choice(len(industries), n_companies)
    ind_ids = np.array([i.pk for i in industries])
    ind_zh = [i.name_zh for i in industries]
    ind_en = [i.name_en for i in industries]
    suffix_zh = ["有限公司", "股份有限公司", "集团", "科技有限公司", "贸易有限公司"]
    c_ids = np.arange(1, n_companies + 1)
    companies = pd.DataFrame({
        "id": c_ids,
        "name_zh": [f"{place_city[c_place[i]]}{['华','东','瑞','恒','信','鼎','嘉','盛','博','远'][i % 10]}"
                    f"{['泰','达','源','联','通','安','宏','新','德','海'][(i // 10) % 10]}{ind_zh[c_ind[i]]}"
                    f"{suffix_zh[i % 5]}{i // 100 or ''}" for i in range(n_companies)],
        "name_en": [f"{ind_en[c_ind[i]]} Co. {i:04d}" for i in range(n_companies)],
        "account_number": [f"AR{i:05d}" if i % 3 else "" for i in range(n_companies)],
        "country": "CN", "province": place_province[c_place], "city": place_city[c_place],
        "channel": np.where(np.array([data.INDUSTRIES[i][0] for i in c_ind]) == "travel-agency", "travel_agency",
                            "corporate"),
        "phone": "", "fax": "", "email": "", "postcode": "", "address": "", "homepage": "",
        "payment_method": rng.choice(["city_ledger", "cash", "prepaid", "voucher"], n_companies, p=[.5, .35, .1, .05]),
        "contact_frequency_days": pd.array(np.where(rng.random(n_companies) < 0.7,
                                                    rng.choice([30, 45, 60, 90], n_companies), -1), dtype="Int64"),
        "status": rng.choice(["active", "prospect", "inactive", "lost"], n_companies, p=[.8, .08, .08, .04]),
        "status_reason": "", "notes": "", "external_ref": "", "source": "bench", "version": 1,
        "created_at": now_ts - pd.to_timedelta(rng.integers(400, 365 * YEARS + 400, n_companies), unit="D"),
        "updated_at": now_ts,
        "owner_id": pd.array(np.where(rng.random(n_companies) < 0.8, rng.choice(rep_ids, n_companies), -1),
                             dtype="Int64"),
        "industry_id": ind_ids[c_ind],
    })
    companies.loc[companies["contact_frequency_days"] < 0, "contact_frequency_days"] = pd.NA
    companies.loc[companies["owner_id"] < 0, "owner_id"] = pd.NA
    copy_frame("guests_company", companies, nullable=("contact_frequency_days", "owner_id", "industry_id"))
    cp_n = rng.integers(1, 4, n_companies)
    cp_company = np.repeat(c_ids, cp_n)
    cp_prop = np.concatenate([rng.choice(4, k, replace=False) for k in cp_n])
    copy_frame("guests_company_properties", pd.DataFrame({
        "id": np.arange(1, len(cp_company) + 1), "company_id": cp_company, "property_id": prop_ids[cp_prop]}))
    t = lap(f"companies ({n_companies:,})", t)

    # --- guests ------------------------------------------------------------------------------------------------
    dropped = drop_secondary_indexes()
    n = n_guests
    gid = np.arange(1, n + 1)
    kind = rng.choice(3, n, p=[0.905, 0.02, 0.075])  # 0 mainland, 1 HK/MO/TW, 2 foreign
    g_place = rng.choice(len(places), n, p=place_p)
    province = place_province[g_place].copy()
    city = place_city[g_place].copy()
    country = np.full(n, "CN", dtype=object)
    # how the province was written: short (most), with 省/市, pinyin, or missing
    fmt = rng.random(n)
    suffixed = (kind == 0) & (fmt < 0.06)
    autonomous = ("内蒙古", "广西", "新疆", "西藏", "宁夏")
    province[suffixed] = [p if p in autonomous else p + ("市" if p in MUNICIPALITIES else "省")
                          for p in province[suffixed]]
    pinyin = (kind == 0) & (fmt >= 0.06) & (fmt < 0.08)
    province[pinyin] = [PINYIN.get(p, p) for p in province[pinyin]]
    missing = (kind == 0) & (fmt >= 0.08) & (fmt < 0.11)
    province[missing] = ""
    city[missing] = ""
    country[(kind == 0) & (fmt >= 0.97)] = ""
    hmt = np.flatnonzero(kind == 1)
    hmt_pick = rng.choice(3, len(hmt), p=[0.6, 0.1, 0.3])
    country[hmt] = np.array(["HK", "MO", "TW"], dtype=object)[hmt_pick]
    province[hmt] = np.array(["香港", "澳门", "台湾"], dtype=object)[hmt_pick]
    city[hmt] = np.array(["香港", "澳门", "台北"], dtype=object)[hmt_pick]
    foreign_codes = list(data.FOREIGN)
    fidx = np.flatnonzero(kind == 2)
    f_pick = rng.choice(len(foreign_codes), len(fidx), p=_weights([data.FOREIGN[c][4] for c in foreign_codes]))
    country[fidx] = np.array(foreign_codes, dtype=object)[f_pick]
    province[fidx] = np.array([data.FOREIGN_CITIES[c][1] for c in foreign_codes], dtype=object)[f_pick]
    city[fidx] = np.array([data.FOREIGN_CITIES[c][0] for c in foreign_codes], dtype=object)[f_pick]
    nationality = country.copy()
    nationality[(kind == 0)] = "CN"

    gender = rng.choice(np.array(["M", "F", ""], dtype=object), n, p=[0.55, 0.42, 0.03])
    surnames = np.array([s for s, _w in data.SURNAMES], dtype=object)
    family = surnames[rng.choice(len(surnames), n, p=_weights([w for _s, w in data.SURNAMES]))]
    male = gender != "F"
    given_pool = {sex: np.array(data.GIVEN_SINGLE[sex] + [a + b for a in data.GIVEN_FIRST[sex]
                                                          for b in data.GIVEN_SECOND[sex]], dtype=object)
                  for sex in ("M", "F")}
    given = np.where(male, given_pool["M"][rng.integers(0, len(given_pool["M"]), n)],
                     given_pool["F"][rng.integers(0, len(given_pool["F"]), n)])
    family_latin = np.full(n, "", dtype=object)
    given_latin = np.full(n, "", dtype=object)
    for j, code in enumerate(foreign_codes):
        sel = fidx[f_pick == j]
        fams, mg, fg = data.FOREIGN[code][:3]
        family_latin[sel] = np.array(fams, dtype=object)[rng.integers(0, len(fams), len(sel))]
        given_latin[sel] = np.where(gender[sel] == "F", np.array(fg, dtype=object)[rng.integers(0, len(fg), len(sel))],
                                    np.array(mg, dtype=object)[rng.integers(0, len(mg), len(sel))])
        family[sel] = ""
        given[sel] = ""
    language = np.where(kind == 2, "en", "zh-hans")

    band = rng.choice(5, n, p=_weights([8, 18, 32, 30, 12]))
    band_start = np.array([1950, 1965, 1975, 1985, 1995])[band]
    band_len = np.array([15, 10, 10, 10, 10])[band]
    birth_year = band_start + rng.integers(0, band_len)
    birthday = (np.array([np.datetime64(f"{y}-01-01", "D") for y in range(1950, 2006)])[birth_year - 1950]
                + rng.integers(0, 365, n).astype("timedelta64[D]"))
    birthday_days = np.where(rng.random(n) < 0.12, NULL_DAY, _days(birthday))  # 12 % unknown

    has_phone = rng.random(n) < 0.85
    prefixes = list(data.MOBILE_PREFIXES)
    phone_kind = np.where(has_phone, np.where(kind == 2, 2, 1), 0).astype(np.int16)  # 0 none, 1 +86, 2 +81
    phone_prefix = rng.integers(0, len(prefixes), n).astype(np.int32)
    phone_number = np.where(kind == 2, rng.integers(9 * 10**9, 10**10, n), rng.integers(0, 10**8, n))
    domains = list(data.EMAIL_DOMAINS_CN)
    email_domain = np.where(rng.random(n) < 0.55, rng.integers(0, len(domains), n), -1).astype(np.int32)

    status = rng.choice(np.array(["active", "prospect", "inactive", "lost", "unsuitable"], dtype=object), n,
                        p=_weights([82, 5, 7, 4.5, 1.5]))
    tiers = np.array([t_ for t_, _w in data.TIERS], dtype=object)
    channels = np.array([c for c, _w in data.SOURCE_CHANNELS], dtype=object)
    source_channel = channels[rng.choice(len(channels), n, p=_weights([w for _c, w in data.SOURCE_CHANNELS]))]
    corporate = (rng.random(n) < 0.24) & (kind != 1)
    # companies have Zipf-like sizes: a few large accounts
    company_rank = np.minimum(np.floor(rng.pareto(1.1, n) * 40).astype(np.int64), n_companies - 1)
    company_perm = rng.permutation(n_companies)
    company_id = np.where(corporate, c_ids[company_perm[company_rank]], -1)
    source_channel[corporate & (rng.random(n) < 0.6)] = "corporate"
    home = rng.choice(4, n, p=HOME_WEIGHTS)

    # --- stays per guest ------------------------------------------------------------------------------------------
    stayer = status != "prospect"
    buyers = np.flatnonzero(stayer)
    k = stays_per_guest(rng, len(buyers), n_stays)
    n_s = int(k.sum())
    # tier follows value a little: frequent guests are more often card holders
    tier_idx = rng.choice(len(tiers), n, p=_weights([w for _t, w in data.TIERS]))
    frequent = buyers[k >= 8]
    tier_idx[frequent] = np.maximum(tier_idx[frequent], rng.choice(len(tiers), len(frequent),
                                                                    p=_weights([20, 35, 25, 14, 6])))
    tier = tiers[tier_idx]
    owned = ((rng.random(n) < 0.12) | ((tier_idx >= 2) & (rng.random(n) < 0.6))
             | (corporate & (rng.random(n) < 0.5)))
    owner = np.where(owned, rng.choice(rep_ids, n), -1)

    # first arrival: repeaters started earlier; one-timers a little more recent (growth)
    u = rng.random(len(buyers))
    first = np.where(k == 1, span * u ** 0.85, span * u ** (1 + 0.35 * np.log(k))).astype(np.int64)
    life = rng.exponential(1100, len(buyers)) + 3.0 * k
    last_possible = np.minimum(span, first + life).astype(np.int64)
    first = np.minimum(first, span)
    s_guest_pos = np.repeat(np.arange(len(buyers)), k)
    offsets = np.zeros(n_s, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(k)[:-1]])
    is_first = np.zeros(n_s, dtype=bool)
    is_first[starts] = True
    g_first = first[s_guest_pos]
    g_last = last_possible[s_guest_pos]
    offsets[:] = g_first + np.floor(rng.random(n_s) * (g_last - g_first + 1)).astype(np.int64)
    offsets[is_first] = g_first[is_first]
    offsets = np.minimum(offsets, span)
    s_guest = buyers[s_guest_pos]
    s_corp = corporate[s_guest]
    # segment / channel / rate code
    lmix, cmix = data.LEISURE_MIX, data.CORPORATE_MIX
    mix_channel = np.array([m[0] for m in lmix + cmix], dtype=object)
    mix_segment = np.array([m[1] for m in lmix + cmix], dtype=object)
    mix_rate = np.array([m[2] for m in lmix + cmix], dtype=object)
    pick = np.where(s_corp, len(lmix) + rng.choice(len(cmix), n_s, p=_weights([m[3] for m in cmix])),
                    rng.choice(len(lmix), n_s, p=_weights([m[3] for m in lmix])))
    segment = mix_segment[pick]
    nights = np.minimum(rng.geometric(0.42, n_s), 14)
    long_stay = segment == "long_stay"
    nights[long_stay] = rng.integers(14, 61, int(long_stay.sum()))
    prop_idx = np.where(rng.random(n_s) < 0.75, home[s_guest], rng.integers(0, 4, n_s))
    arrival = epoch + offsets.astype("timedelta64[D]")
    departure = arrival + nights.astype("timedelta64[D]")
    room_types = data.ROOM_TYPES
    rt = rng.choice(len(room_types), n_s, p=_weights([r[1] for r in room_types]))
    month = (arrival.astype("datetime64[M]").astype(np.int64) % 12) + 1
    month_price = np.array([data.MONTH_PRICE[m] for m in range(1, 13)])[month - 1]
    years_in = offsets / 365.0
    adr = (base_adr[prop_idx] * np.array([r[2] for r in room_types])[rt] * month_price
           * (1 + 0.03 * years_in) * rng.lognormal(0, 0.15, n_s))
    adr[long_stay] *= 0.6
    adr[segment == "complimentary"] = 0
    adr = np.round(adr, 2)
    room_revenue = np.round(adr * nights, 2)
    fnb = np.where(rng.random(n_s) < 0.45, np.round(rng.gamma(2.0, 110.0, n_s) * np.sqrt(nights), 2), 0.0)
    other = np.where(rng.random(n_s) < 0.25, np.round(rng.gamma(1.5, 120.0, n_s), 2), 0.0)
    today_np = np.datetime64(today.isoformat(), "D")
    status_s = np.where(departure > today_np, "in_house", "checked_out")
    s_company = np.where((segment == "corporate") | ((segment == "mice") & s_corp), company_id[s_guest], -1)
    order = np.argsort(offsets, kind="stable")  # ids grow with the arrival date, as in a live system
    t = lap("generated guests+stays in memory", t)

    # --- guests: last stay, created_at --------------------------------------------------------------------------
    last_offset = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_offset, s_guest, offsets)
    first_offset = np.full(n, span, dtype=np.int64)
    first_offset[buyers] = first
    created_offset = first_offset - rng.integers(0, 30, n)
    created_offset[~stayer] = rng.integers(0, span, int((~stayer).sum()))
    created_seconds = _seconds(epoch + created_offset.astype("timedelta64[D]")) + rng.integers(0, 86400, n)
    last_days = np.where(last_offset >= 0, _days(epoch + np.maximum(last_offset, 0).astype("timedelta64[D]")),
                         NULL_DAY)
    text = {name: _codes(values) for name, values in {
        "family_name": family, "given_name": given, "family_name_latin": family_latin,
        "given_name_latin": given_latin, "gender": gender, "nationality": nationality, "language": language,
        "city": city, "province": province, "country": country, "status": status, "tier": tier,
        "source_channel": source_channel}.items()}
    stage("stage_guest", id=gid, birthday=birthday_days, last_stay=last_days, created=created_seconds,
          company_id=np.maximum(company_id, 0), owner_id=np.maximum(owner, 0), phone_kind=phone_kind,
          phone_prefix=phone_prefix, phone_number=phone_number, email_domain=email_domain,
          **{name: codes for name, (_vocab, codes) in text.items()})
    params: list[Any] = []
    exprs = []
    for name, (vocab, _unused) in text.items():
        exprs.append(f"(%s::text[])[s.{name} + 1]")
        params.append(vocab)
    params += [prefixes, domains, now_ts.to_pydatetime()]
    with transaction.atomic():
        _execute(f"""
            INSERT INTO guests_guest (id, {', '.join(text)}, birthday, last_stay_on, phone, email, address_1, address_2,
                postcode, status_reason, notes, external_ref, source, version, created_at, updated_at, company_id,
                owner_id)
            SELECT s.id, {', '.join(exprs)},
                DATE '2000-01-01' + NULLIF(s.birthday, {NULL_DAY}), DATE '2000-01-01' + NULLIF(s.last_stay, {NULL_DAY}),
                CASE s.phone_kind
                    WHEN 1 THEN '+86' || (%s::text[])[s.phone_prefix + 1] || lpad(s.phone_number::text, 8, '0')
                                  WHEN 2 THEN '+81' || s.phone_number::text ELSE '' END,
                CASE WHEN s.email_domain >= 0 THEN 'g' || s.id || '@' || (%s::text[])[s.email_domain + 1] ELSE '' END,
                '', '', '', '', '', '', 'bench', 1, to_timestamp(s.created), %s, NULLIF(s.company_id, 0),
                NULLIF(s.owner_id, 0)
            FROM stage_guest s ORDER BY s.id""", params)
        _execute("DROP TABLE stage_guest")
    t = lap(f"guests ({n:,})", t)

    # --- stays ---------------------------------------------------------------------------------------------------
    o = order
    lead = rng.integers(0, 60, n_s)
    stage("stage_stay", id=np.arange(1, n_s + 1), arrival=_days(arrival[o]), departure=_days(departure[o]),
          nights=nights[o].astype(np.int32), room_type=rt[o].astype(np.int16), mix=pick[o].astype(np.int16),
          adr=adr[o], room_revenue=room_revenue[o], fnb=fnb[o], other=other[o],
          in_house=(status_s[o] == "in_house"), adults=np.where(rng.random(n_s) < 0.6, 1, 2).astype(np.int16),
          children=np.where(rng.random(n_s) < 0.12, 1, 0).astype(np.int16),
          created=_seconds(arrival[o]) - lead[o] * 86400 + 7200, company_id=np.maximum(s_company[o], 0),
          guest_id=s_guest[o] + 1, property_id=prop_ids[prop_idx[o]])
    params = [[r[0] for r in room_types], list(mix_rate), list(mix_channel), list(mix_segment)]
    with transaction.atomic():
        _execute("""
            INSERT INTO stays_stay (id, arrival, departure, room_nights, room_type, room_number, rate_code, adr,
                room_revenue, fnb_revenue, other_revenue, currency, channel, market_segment, status, adults, children,
                external_ref, source, created_at, updated_at, company_id, guest_id, property_id)
            SELECT s.id, DATE '2000-01-01' + s.arrival, DATE '2000-01-01' + s.departure, s.nights,
                (%s::text[])[s.room_type + 1], '', (%s::text[])[s.mix + 1], round(s.adr::numeric, 2),
                round(s.room_revenue::numeric, 2), round(s.fnb::numeric, 2), round(s.other::numeric, 2), 'CNY',
                (%s::text[])[s.mix + 1], (%s::text[])[s.mix + 1],
                CASE WHEN s.in_house THEN 'in_house' ELSE 'checked_out' END, s.adults, s.children, '', 'bench',
                to_timestamp(s.created), to_timestamp(s.created), NULLIF(s.company_id, 0), s.guest_id, s.property_id
            FROM stage_stay s ORDER BY s.id""", params)
        _execute("DROP TABLE stage_stay")
    t = lap(f"stays ({n_s:,})", t)

    # --- guest <-> property links --------------------------------------------------------------------------------
    link_key = np.concatenate([s_guest * 4 + prop_idx, np.arange(n) * 4 + home])  # 0-based guest index
    link_day = np.concatenate([offsets, created_offset])
    srt = np.lexsort((link_day, link_key))
    link_key, link_day = link_key[srt], link_day[srt]
    keep = np.concatenate([[True], link_key[1:] != link_key[:-1]])
    link_key, link_day = link_key[keep], link_day[keep]
    n_links = len(link_key)
    stage("stage_link", id=np.arange(1, n_links + 1), first_seen=_seconds(epoch + link_day.astype("timedelta64[D]")),
          guest_id=link_key // 4 + 1, property_id=prop_ids[link_key % 4])
    with transaction.atomic():
        _execute("INSERT INTO guests_guestproperty (id, first_seen, guest_id, property_id) "
                 "SELECT id, to_timestamp(first_seen + 21600), guest_id, property_id FROM stage_link ORDER BY id")
        _execute("DROP TABLE stage_link")
    t = lap(f"guest-property links ({n_links:,})", t)

    # --- stay items -------------------------------------------------------------------------------------------------
    n_items = int(n_s * 0.3)
    item_stay = np.sort(rng.choice(n_s, n_items, replace=False)) + 1
    prod_w = _weights([3, 2, 1.5, 6, 10, 3, 5, 5, 1.5, 1, 2, 2.5, 2, 3, 4, 3, 6, 1, 0.5, 1])
    item_prod = rng.choice(len(product_ids), n_items, p=prod_w)
    qty = np.where(rng.random(n_items) < 0.8, 1, rng.integers(2, 4, n_items)).astype(np.int32)
    stage("stage_item", id=np.arange(1, n_items + 1), quantity=qty, amount=product_price[item_prod] * qty,
          product_id=product_ids[item_prod], stay_id=item_stay)
    with transaction.atomic():
        _execute("INSERT INTO stays_stayitem (id, quantity, amount, product_id, stay_id) "
                 "SELECT id, quantity, round(amount::numeric, 2), product_id, stay_id FROM stage_item ORDER BY id")
        _execute("DROP TABLE stage_item")
    t = lap(f"stay items ({n_items:,})", t)

    # --- tags and preferences -------------------------------------------------------------------------------------
    tag_ids = np.array([tg.pk for tg in tags])
    tagged = np.flatnonzero(rng.random(n) < 0.12)
    tag_pick = rng.choice(len(tag_ids), len(tagged), p=_weights([4, 6, 8, 2, 3, 1, 3, 1, 1, 0.5, 3]))
    vip = np.flatnonzero((tier_idx >= 3) & (rng.random(n) < 0.5))
    pairs = np.unique(np.concatenate([tagged * 100 + tag_pick, vip * 100 + 0]))
    copy_frame("guests_guest_tags", pd.DataFrame({"id": np.arange(1, len(pairs) + 1), "guest_id": pairs // 100 + 1,
                                                  "tag_id": tag_ids[pairs % 100]}))
    pref_options = [(cat, zh, en) for cat, values in data.PREFERENCES.items() for zh, en in values
                    if "{" not in zh]
    pref_guests = np.flatnonzero(rng.random(n) < 0.15)
    per = rng.integers(1, 4, len(pref_guests))
    p_guest = np.repeat(pref_guests, per)
    p_opt = rng.integers(0, len(pref_options), len(p_guest))
    p_en = language[p_guest] == "en"
    prefs = pd.DataFrame({
        "id": np.arange(1, len(p_guest) + 1),
        "category": np.array([o_[0] for o_ in pref_options], dtype=object)[p_opt],
        "value": np.where(p_en, np.array([o_[2] for o_ in pref_options], dtype=object)[p_opt],
                          np.array([o_[1] for o_ in pref_options], dtype=object)[p_opt]),
        "note": "", "source": "staff", "recorded_at": now_ts, "is_active": True, "guest_id": p_guest + 1})
    copy_frame("guests_preference", prefs)
    t = lap(f"tags ({len(pairs):,}) + preferences ({len(prefs):,})", t)

    # --- sequences, indexes, statistics -----------------------------------------------------------------------------
    for table in ["guests_company", "guests_company_properties", "guests_guest", "stays_stay", "stays_stayitem",
                  "guests_guestproperty", "guests_guest_tags", "guests_preference"]:
        _execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    _execute("SET session_replication_role = DEFAULT")
    for definition in dropped:
        _execute(definition)
    t = lap(f"rebuilt {len(dropped)} indexes", t)
    _execute("VACUUM ANALYZE")
    t = lap("VACUUM ANALYZE", t)

    one_timers = int((k == 1).sum())
    counts = {
        "guests": n, "stays": n_s, "companies": n_companies, "stay_items": n_items, "guest_property_links": n_links,
        "guest_tags": len(pairs), "preferences": len(prefs), "guests_with_stays": len(buyers),
        "one_timer_share": round(one_timers / len(buyers), 3), "max_stays_per_guest": int(k.max()),
        "guests_with_10plus_stays": int((k >= 10).sum()), "first_arrival": str(start_day), "last_arrival": str(today),
        "build_seconds": round(time.perf_counter() - started, 1), "timings": timings, "seed": seed,
        "built_at": timezone.now().isoformat(), "manager": manager.username,
    }
    return counts


def table_sizes() -> dict[str, str]:
    rows = _execute("SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class "
                    "WHERE relname IN ('guests_guest', 'stays_stay', 'stays_stayitem', 'guests_guestproperty') "
                    "ORDER BY relname")
    rows.append(("database", _execute("SELECT pg_size_pretty(pg_database_size(current_database()))")[0][0]))
    return dict(rows)


def ensure(url: str, n_guests: int, n_stays: int, *, rebuild: bool = False, seed: int = 7) -> dict[str, Any]:
    """Make sure the database holds the requested data set (building it if not); return its meta data.

    Must be called before Django is set up (it points DATABASE_URL at the bench database)."""
    if rebuild:
        drop_database(url)
    prepare_database(url, postgres_only=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    meta = read_meta()
    complete = meta.get("complete") and meta.get("guests") == n_guests and meta.get("stays") == n_stays
    call_command("migrate", interactive=False, verbosity=0)  # also picks up migrations that landed since the build
    if complete:
        print(f"reusing {connection.settings_dict['NAME']}: {n_guests:,} guests, {n_stays:,} stays "
              f"(built {meta.get('built_at', '?')[:16]} in {meta.get('build_seconds')} s)")
        return meta
    if meta or _execute("SELECT EXISTS (SELECT 1 FROM properties_property)")[0][0]:  # other size, or a failed build
        connection.close()
        drop_database(url)
        return ensure(url, n_guests, n_stays, seed=seed)
    print(f"building {connection.settings_dict['NAME']}: {n_guests:,} guests, {n_stays:,} stays …", flush=True)
    write_meta({"complete": False})
    counts = build(n_guests, n_stays, seed)
    counts["sizes"] = table_sizes()
    write_meta({**counts, "complete": True})
    print("  " + ", ".join(f"{key} {value:,}" if isinstance(value, int) else f"{key} {value}"
                           for key, value in counts.items() if key not in ("timings",)))
    return read_meta()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guests", type=int, default=1_000_000)
    parser.add_argument("--stays", type=int, default=5_000_000)
    parser.add_argument("--rebuild", action="store_true", help="Drop and rebuild the database.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_ANALYTICS_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    meta = ensure(args.database_url, args.guests, args.stays, rebuild=args.rebuild, seed=args.seed)
    print(json.dumps({k: v for k, v in meta.items()}, indent=1, default=str))


if __name__ == "__main__":
    main()
