#!/usr/bin/env python
"""Surveys benchmark: results-page aggregates over 200,000 responses, and 10,000 invitations through Celery.

    .venv/bin/python bench/surveys.py [--responses 200000] [--send 10000] [--reuse] [--explain]

1. Seeds a year of post-stay responses (the demo questionnaire: NPS, overall, four department ratings, a
   follow-up, choices, comments; cleanliness improves after a training date) straight into its own
   PostgreSQL database with COPY, then VACUUM ANALYZE.
2. Times `survey_results` (everything the results page aggregates) for a group-wide manager, a front-desk
   user of one property and a manager filtering one property, then the whole results page and the API
   aggregates endpoint through Django's test client. Target: under 500 ms.
3. Starts a real Celery worker (subprocess, Redis broker on a private database and queue) and a real SMTP
   server on loopback (aiosmtpd, in this process), invites N guests, and measures the time until the
   server has every mail. Then every batch is delivered to the worker again, and the server's inbox is
   checked for duplicates and losses.

The bench flushes its database, so it refuses any database whose name does not contain "bench".
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/concierge_bench_surveys"
DEFAULT_BROKER = "redis://127.0.0.1:6379/13"
QUEUE = f"bench-surveys-{os.getpid()}"
CHUNK = 20_000
TARGET_MS = 500.0
MANAGER, FRONTDESK = "bench_manager", "bench_frontdesk"


from _bench_db import prepare_database  # noqa: E402 - bench/ is on sys.path when run as a script

def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=200_000, help="Responses to seed (default 200,000).")
    parser.add_argument("--send", type=int, default=10_000, help="Invitations to mail through Celery (default 10,000;"
                                                                  " 0 skips the sending part).")
    parser.add_argument("--runs", type=int, default=15, help="Timed runs per aggregate scenario (default 15).")
    parser.add_argument("--concurrency", type=int, default=2, help="Worker processes (default 2).")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--broker-url", default=os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER))
    parser.add_argument("--reuse", action="store_true", help="Skip seeding when the database holds N responses.")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the results queries.")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()




# --- seeding ------------------------------------------------------------------------------------------------------


def seed(n_responses: int, seed_value: int) -> dict[str, Any]:
    """Flush, then load a year of responses (COPY in chunks) for the demo questionnaire."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from concierge.accounts.models import User
    from concierge.core.demo import data
    from concierge.core.demo.loader import BulkWriter
    from concierge.guests.models import ConsentRecord, Guest, GuestProperty
    from concierge.properties.models import HotelGroup, Property
    from concierge.surveys import demo
    from concierge.surveys.models import Answer, Invitation, Response, SurveyMarker
    from concierge.surveys.services.stats import survey_stats_rebuild
    from concierge.surveys.tokens import new_public_id

    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    rng = random.Random(seed_value)
    group = HotelGroup.objects.create(**data.HOTEL_GROUP)
    props = [Property.objects.create(group=group, code=p["code"], name_zh=p["name_zh"], name_en=p["name_en"],
                                     city=p["city"]) for p in data.PROPERTIES]
    manager = User.objects.create_user(username=MANAGER, password=None, role="manager", email="m@example.com")
    frontdesk = User.objects.create_user(username=FRONTDESK, password=None, role="front_desk")
    frontdesk.properties.set([props[0]])
    survey, q = demo._build_survey(manager)
    today = timezone.localdate()
    training = today - dt.timedelta(days=demo.TRAINING_DAYS_AGO)
    SurveyMarker.objects.create(label="Housekeeping training", date=training, department="housekeeping")

    writer = BulkWriter(batch_size=10_000)
    n_guests = max(1000, n_responses // 3)
    guests = [Guest(family_name="王", given_name=f"客{i}", family_name_latin="WANG", given_name_latin=f"Guest{i}",
                    email=f"guest{i}@bench.example.cn", language="en" if i % 5 == 0 else "zh-hans",
                    created_at=timezone.now()) for i in range(n_guests)]
    with transaction.atomic():
        writer.insert(guests)
        writer.insert_values(GuestProperty, ["guest_id", "property_id", "first_seen"],
                             [(g.pk, props[i % 3].pk, timezone.now()) for i, g in enumerate(guests)])
        writer.insert_values(ConsentRecord, ["guest_id", "channel", "granted", "source", "recorded_at"],
                             [(g.pk, "email", True, "bench", timezone.now()) for g in guests])

    choice_ids = {key: [c.pk for c in q[key].choices.order_by("position")] for key in ("reason", "used")}
    negative_used = choice_ids["used"][-1]
    tz = timezone.get_current_timezone()
    start = timezone.now() - dt.timedelta(days=365)
    invitation_id = response_id = answer_id = 0
    counts = {"invitations": 0, "responses": 0, "answers": 0, "choices": 0}
    inv_cols = ["id", "survey_id", "guest_id", "property_id", "source", "public_id", "language", "status", "email",
                "created_at", "expires_at", "claim", "sent_at", "answered_at", "error"]
    resp_cols = ["id", "invitation_id", "survey_id", "guest_id", "property_id", "language", "submitted_at",
                 "is_negative", "action"]
    ans_cols = ["id", "response_id", "question_id", "survey_id", "property_id", "submitted_at", "score", "text"]
    through = Answer.choices.through
    done = 0
    while done < n_responses:
        size = min(CHUNK, n_responses - done)
        invitations, responses, answers, chosen = [], [], [], []
        made = 0
        while made < size:
            guest = guests[rng.randrange(n_guests)]
            prop = props[guest.pk % 3]
            sent = start + dt.timedelta(seconds=rng.uniform(0, 365 * 86400))
            invitation_id += 1
            answered = rng.random() < 0.55
            submitted = sent + dt.timedelta(hours=rng.uniform(0.3, 70)) if answered else None
            if submitted is not None and submitted >= timezone.now():
                submitted, answered = None, False
            invitations.append((invitation_id, survey.pk, guest.pk, prop.pk, "post_stay", new_public_id(),
                                guest.language, "sent", guest.email, sent - dt.timedelta(minutes=5),
                                sent + dt.timedelta(days=14), "", sent, submitted, ""))
            if not answered:
                continue
            made += 1
            response_id += 1
            local = submitted.astimezone(tz)
            shift = demo.PROPERTY_SHIFT.get(prop.code, 0.0)
            clean = demo._pick(rng, demo.CLEAN_AFTER if local.date() >= training else demo.CLEAN_BEFORE, shift)
            front, fnb, eng = (demo._pick(rng, demo.OTHER[d], shift) for d in ("front_office", "fnb", "engineering"))
            overall = max(1, min(5, round((clean + front + fnb + eng) / 4 + rng.uniform(-0.6, 0.6))))
            nps = demo._nps_from(rng, overall)
            rows: list[tuple[Any, Any]] = [("nps", nps), ("overall", overall), ("clean", clean), ("front", front),
                                           ("fnb", fnb), ("reason", None)]
            if rng.random() < 0.85:
                rows.append(("engineering", eng))
            if clean <= 2:
                rows.append(("wrong", "浴室有头发" if guest.language != "en" else "Hair in the bathroom"))
            used = [c for c in choice_ids["used"] if rng.random() < (0.08 if c == negative_used else 0.35)]
            if used:
                rows.append(("used", None))
            if rng.random() < 0.3:
                rows.append(("comments", rng.choice(demo.COMMENTS[guest.language])))
            negative = clean <= 2 or overall <= 2 or nps <= 4 or negative_used in used
            responses.append((response_id, invitation_id, survey.pk, guest.pk, prop.pk, guest.language, submitted,
                              negative, ""))
            for key, value in rows:
                answer_id += 1
                is_text = isinstance(value, str)
                answers.append((answer_id, response_id, q[key].pk, survey.pk, prop.pk, submitted,
                                None if is_text or value is None else value, value if is_text else ""))
                if key == "reason":
                    chosen.append((answer_id, rng.choice(choice_ids["reason"])))
                elif key == "used":
                    chosen.extend((answer_id, c) for c in used)
        with transaction.atomic():
            writer.insert_values(Invitation, inv_cols, invitations)
            writer.insert_values(Response, resp_cols, responses)
            writer.insert_values(Answer, ans_cols, answers)
            writer.insert_values(through, ["answer_id", "choice_id"], chosen)
        counts["invitations"] += len(invitations)
        counts["responses"] += len(responses)
        counts["answers"] += len(answers)
        counts["choices"] += len(chosen)
        done += size
        elapsed = time.perf_counter() - started
        print(f"\r  seeded {done:>9,} / {n_responses:,} responses  {done / elapsed:>7,.0f}/s  {elapsed:>5.0f} s",
              end="", flush=True)
    print()
    with connection.cursor() as cursor:
        for model in (Invitation, Response, Answer):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute("ANALYZE")
    rebuilt_at = time.perf_counter()
    counts["stat_rows"] = survey_stats_rebuild(survey=survey)
    counts["stats_rebuild_seconds"] = round(time.perf_counter() - rebuilt_at, 1)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    counts["guests"] = n_guests
    counts["seconds"] = round(time.perf_counter() - started, 1)
    print("  " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return counts


# --- aggregates -----------------------------------------------------------------------------------------------------


def timed(fn: Callable[[], Any], runs: int, warmup: int = 3) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50": statistics.median(times), "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
            "max": times[-1]}


def aggregates(runs: int, explain: bool) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from concierge.accounts.models import User
    from concierge.properties.models import Property
    from concierge.surveys.models import Survey, SurveyMarker
    from concierge.surveys.selectors import survey_results

    survey = Survey.objects.get(kind="post_stay")
    manager, frontdesk = User.objects.get(username=MANAGER), User.objects.get(username=FRONTDESK)
    marker = SurveyMarker.objects.get()
    today = timezone.localdate()
    period = {"date_from": (today.replace(day=1) - dt.timedelta(days=335)).replace(day=1), "date_to": today}
    hgh = Property.objects.get(code="HGH")

    def results(user: Any, **extra: Any) -> Any:
        return survey_results(survey=survey, user=user, pivot=marker.date, pivot_label=marker.label,
                              department=marker.department, **period, **extra)

    check = results(manager)
    print(f"  responses in period {check.responses:,}, NPS {check.nps.score:.1f} "
          f"[{check.nps.low:.1f}, {check.nps.high:.1f}], CSAT {check.csat.rate:.1f} %, "
          f"response rate {check.response_rate.rate:.1f} %")
    for row in check.before_after.rows if check.before_after else []:
        print(f"  before/after {row.label}: {row.before.rate:.1f} % (n={row.before.n:,}) -> "
              f"{row.after.rate:.1f} % (n={row.after.n:,})")

    web, api = Client(), Client()
    web.force_login(manager)
    api.force_login(manager)
    scenarios = [
        ("survey_results, group manager, all properties", lambda: results(manager)),
        ("survey_results, front desk of one property", lambda: results(frontdesk)),
        ("survey_results, manager filtering HGH", lambda: results(manager, property=hgh)),
        ("GET results page (HTML, manager)", lambda: _ok(web.get(f"/surveys/{survey.pk}/results/"))),
        ("GET /api/v1/surveys/{id}/results/ (JSON)", lambda: _ok(api.get(f"/api/v1/surveys/{survey.pk}/results/",
                                                                        {"pivot": marker.date.isoformat()}))),
    ]
    rows = []
    for name, fn in scenarios:
        stats = timed(fn, runs)
        rows.append({"scenario": name, **stats, "ok": stats["p95"] < TARGET_MS})
    with CaptureQueriesContext(connection) as captured:
        results(manager)
    breakdown = sorted(((float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries), reverse=True)
    print(f"\n  queries of one survey_results run (manager): {len(breakdown)}, "
          f"{sum(ms for ms, _ in breakdown):.0f} ms in the database")
    for ms, sql in breakdown[:5]:
        print(f"    {ms:7.1f} ms  {sql[:110]}…")
    if explain:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + breakdown[0][1])
            print("\n".join(r[0] for r in cursor.fetchall()))
    return rows


def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.status_code
    return response


# --- sending --------------------------------------------------------------------------------------------------------


def _database_url() -> str:
    return os.environ["DATABASE_URL"]


def send(n: int, broker_url: str, concurrency: int) -> dict[str, Any]:
    """N invitations through a real worker to aiosmtpd; then every batch again; count what the server got."""
    import redis
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from concierge.accounts.models import User
    from concierge.celery import app
    from concierge.guests.models import Guest
    from concierge.surveys import services
    from concierge.surveys.choices import InvitationStatus
    from concierge.surveys.models import Invitation, Survey
    from concierge.surveys.tasks import send_invitations
    from concierge.surveys.tests.smtp import smtp_server

    survey = Survey.objects.get(kind="post_stay")
    manager = User.objects.get(username=MANAGER)
    Invitation.objects.filter(source="periodic").delete()  # a previous --reuse run
    guests = Guest.objects.filter(pk__in=list(Guest.objects.order_by("pk").values_list("pk", flat=True)[:n]))
    client = redis.Redis.from_url(broker_url)
    client.delete(QUEUE)
    app.close()
    app.amqp._producer_pool = None  # app.close() keeps it, bound to whatever broker it was made for
    app.conf.update(broker_url=broker_url, task_default_queue=QUEUE, task_always_eager=False)
    log_path = ROOT / "var" / "bench-surveys-worker.log"
    with smtp_server() as inbox, log_path.open("w+b") as log:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "concierge.settings", "CONCIERGE_TESTING": "1",
               "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": broker_url, "CELERY_TASK_ALWAYS_EAGER": "0",
               "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": inbox.host,
               "EMAIL_PORT": str(inbox.port), "LOG_LEVEL": "WARNING", "CONCIERGE_BASE_URL": "https://crm.example.cn"}
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "concierge", "worker", "--pool=prefork",
             f"--concurrency={concurrency}", "-Q", QUEUE, "--loglevel=WARNING", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-n", f"{QUEUE}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_ready(app, worker, log)
            started = time.perf_counter()
            invited, skipped = services.invitations_create_for_guests(actor=manager, survey=survey, guests=guests,
                                                                      cooldown_days=0)  # queued on commit
            queued_at = time.perf_counter()
            total = invited
            deadline = time.monotonic() + 900
            while inbox.count() < total:
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"worker stopped or timed out at {inbox.count()} mails; see {log_path}")
                time.sleep(0.2)
            received_at = time.perf_counter()
            while Invitation.objects.filter(source="periodic", status=InvitationStatus.SENT).count() < total:
                time.sleep(0.2)
            first_pass = inbox.count()

            # Every batch delivered to the worker again (a lost acknowledgement, a second dispatcher).
            ids = list(Invitation.objects.filter(source="periodic").order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), 100):
                send_invitations.delay(ids[start:start + 100])
            requeued = services.invitations_enqueue()
            while client.llen(QUEUE):
                time.sleep(0.2)
            time.sleep(3)
            stats = dict(Invitation.objects.filter(source="periodic").order_by().values_list("status")
                         .annotate(c=Count("id")))
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
            client.delete(QUEUE)
            app.close()
        expected = set(Invitation.objects.filter(source="periodic").values_list("public_id", flat=True))
        headers = [m["X-Concierge-Invitation"] for m in inbox.messages]
        per_recipient: dict[str, int] = {}
        for rcpt in inbox.recipients:
            per_recipient[rcpt] = per_recipient.get(rcpt, 0) + 1
    connection.close()
    seconds = received_at - started
    return {
        "invited": invited, "skipped": skipped, "queue_seconds": round(queued_at - started, 2),
        "seconds_to_last_mail": round(seconds, 2), "mails_per_second": round(total / seconds, 1),
        "received_first_pass": first_pass, "received_after_replay": inbox.count(),
        "duplicates": len(headers) - len(set(headers)), "missing": len(expected - set(headers)),
        "unexpected": len(set(headers) - expected),
        "recipients_with_more_than_one_mail": sum(1 for c in per_recipient.values() if c > 1),
        "requeued_by_dispatcher": requeued, "statuses": stats, "concurrency": concurrency,
        "finished": timezone.now().isoformat(),
    }


def _wait_ready(app: Any, worker: subprocess.Popen, log: Any) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            log.seek(0)
            raise SystemExit("worker did not start:\n" + log.read().decode(errors="replace")[-3000:])
        try:
            if app.control.ping(destination=[f"{QUEUE}@{os.uname().nodename}"], timeout=0.5):
                return
        except Exception:  # noqa: BLE001 - broker not reachable yet
            pass
        time.sleep(0.5)
    raise SystemExit("worker did not answer a ping within 60 s")


# --- report -----------------------------------------------------------------------------------------------------


def report(seeded: dict[str, Any], rows: list[dict[str, Any]], sending: dict[str, Any] | None) -> None:
    print("\n" + "=" * 92)
    print(f"{'results-page aggregates (' + str(seeded.get('responses', '?')) + ' responses)':<58}"
          f"{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  {'< 500':>5}")
    print("-" * 92)
    for row in rows:
        print(f"{row['scenario']:<58}{row['p50']:>9.0f}{row['p95']:>9.0f}{row['max']:>9.0f}  "
              f"{'yes' if row['ok'] else 'NO':>5}")
    if sending:
        print("-" * 92)
        print(f"{'sending through a Celery worker to aiosmtpd on 127.0.0.1':<58}")
        lines = [
            ("invitations created and queued", f"{sending['invited']:,} in {sending['queue_seconds']} s"),
            (f"time to the last mail (worker concurrency {sending['concurrency']})",
             f"{sending['seconds_to_last_mail']} s"),
            ("throughput", f"{sending['mails_per_second']:,} mails/s"),
            ("received at the server (first pass / after replay)",
             f"{sending['received_first_pass']:,} / {sending['received_after_replay']:,}"),
            ("duplicates / missing / unexpected at the server",
             f"{sending['duplicates']} / {sending['missing']} / {sending['unexpected']}"),
            ("recipients with more than one mail", str(sending["recipients_with_more_than_one_mail"])),
            ("invitation statuses", ", ".join(f"{k} {v:,}" for k, v in sending["statuses"].items())),
        ]
        for label, value in lines:
            print(f"  {label:<56}{value:>30}")
    print("=" * 92)


def main() -> None:
    args = parse_args()
    warnings.filterwarnings("ignore", message="No directory at")
    prepare_database(args.database_url, postgres_only=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from concierge.surveys.models import Response

    call_command("migrate", interactive=False, verbosity=0)
    existing = Response.objects.count()
    if args.reuse and existing == args.responses:
        print(f"reusing {existing:,} responses in {connection.settings_dict['NAME']}")
        seeded: dict[str, Any] = {"responses": existing, "reused": True}
    else:
        print(f"seeding {args.responses:,} responses into {connection.settings_dict['NAME']}")
        seeded = seed(args.responses, args.seed)
    print("\ntiming the results aggregates …")
    rows = aggregates(args.runs, args.explain)
    sending = None
    if args.send:
        print(f"\nsending {args.send:,} invitations through a Celery worker …")
        sending = send(args.send, args.broker_url, args.concurrency)
    report(seeded, rows, sending)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"surveys-{args.responses}.json"
    path.write_text(json.dumps({"seeded": seeded, "aggregates": rows, "sending": sending}, indent=1, default=str))
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
