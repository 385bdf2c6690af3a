"""Marketing email benchmark: a campaign to N guests through a real Celery worker to a real SMTP server.

    flock /tmp/concierge-bench.lock .venv/bin/python bench/_marketing_email.py               # 100,000 recipients
    flock /tmp/concierge-bench.lock .venv/bin/python bench/_marketing_email.py --guests 10000

What it does (PostgreSQL only; the database name must contain "bench", default concierge_bench_marketing):

1. Creates + migrates the database, flushes it, and loads N guests with an email address, a link to one hotel and
   an email consent with COPY; one marketing user, one email template, one segment "everyone".
2. Starts aiosmtpd on 127.0.0.1 in a subprocess that appends the X-Concierge-Message header of every message it
   accepts to a file, and a Celery worker subprocess on Redis (redis://127.0.0.1:6379/5) with the bench database.
3. Creates a campaign over the segment and sends it ("send now" = the start task in the worker: snapshot + bulk
   enqueue), adds `--chains - 1` extra delivery tasks, waits until the campaign is `sent` and the server has all
   mails, then starts it again and replays a delivery task (must add nothing), and prints the table.

Delivery is throttled by the outbox (MESSAGING_RATE_PER_SECOND per delivery chain, MESSAGING_BATCH_SIZE); the
bench sets them in the worker's environment (`--rate`, `--batch`), it does not bypass the throttle.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/concierge_bench_marketing"
BROKER = "redis://127.0.0.1:6379/5"
# The worker's own follow-up tasks (a delivery task queueing the next) go to the default queue, so the bench uses
# the default queue name on its private Redis database (db 5) rather than a custom queue.
QUEUE = "celery"
HEADER = re.compile(rb"^X-Concierge-Message:[ \t]*(.+?)\r?$", re.MULTILINE | re.IGNORECASE)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guests", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--broker", default=BROKER)
    parser.add_argument("--rate", type=float, default=2000.0, help="MESSAGING_RATE_PER_SECOND per delivery chain.")
    parser.add_argument("--batch", type=int, default=500, help="MESSAGING_BATCH_SIZE.")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes.")
    parser.add_argument("--chains", type=int, default=2, help="Delivery tasks draining the campaign in parallel.")
    parser.add_argument("--timeout", type=int, default=3600)
    parser.add_argument("--enqueue-only", action="store_true",
                        help="Stop after the start task queued every message (measures snapshot + enqueue only).")
    parser.add_argument("--serve-smtp", nargs=2, metavar=("PORT", "FILE"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- the SMTP server subprocess ---------------------------------------------------------------------------------


def serve_smtp(port: int, path: str) -> None:
    """aiosmtpd on 127.0.0.1:port; one line per accepted message (its X-Concierge-Message) appended to `path`."""
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    out = open(path, "ab", buffering=0)  # noqa: SIM115 - open for the life of the process

    class Recorder:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            data = envelope.original_content or envelope.content
            head = data.split(b"\r\n\r\n", 1)[0]
            match = HEADER.search(head)
            out.write((match.group(1).strip() if match else b"<no header>") + b"\n")
            return "250 Message accepted for delivery"

    controller = Controller(Recorder(), hostname="127.0.0.1", port=port)
    controller.start()
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()
    out.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("SMTP server did not start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("SMTP server did not open its port")


# --- seeding ----------------------------------------------------------------------------------------------------


def _copy(table: str, columns: list[str], rows: Any) -> int:
    from django.db import connection

    n = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
    return n


def seed(n: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from concierge.accounts.models import User
    from concierge.guests.models import ConsentRecord, Guest, GuestProperty
    from concierge.messaging.models import MessageTemplate, SuppressionRule
    from concierge.properties.models import HotelGroup, Property
    from concierge.segments.models import Segment

    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    group = HotelGroup.objects.create(name_zh="礼宾酒店集团", name_en="Concierge Hotels")
    prop = Property.objects.create(group=group, code="SHA", name_zh="上海外滩酒店", name_en="Shanghai Bund Hotel")
    # The hotel's own rules: no quiet hours and no monthly cap, so the bench can send at any hour.
    SuppressionRule.objects.create(property=prop, quiet_start=None, quiet_end=None, monthly_cap=None)
    user = User.objects.create_user(username="bench-marketing", password="bench-password-123", role="marketing")
    template = MessageTemplate.objects.create(
        code="bench-spring", channel="email", purpose="marketing", name="Bench spring offer",
        subject_zh="{{ property.name }}：{{ guest.name }}，春季特惠", subject_en="{{ property.name }}: spring offer",
        body_zh="尊敬的{{ guest.name }}：\n\n春季入住享八折，优惠码 {{ offer_code }}。\n\n预订：{{ offer_url }}\n\n"
                "退订：{{ unsubscribe_url }}",
        body_en="Dear {{ guest.name }},\n\n20% off, code {{ offer_code }}.\n\nBook: {{ offer_url }}\n\n"
                "Unsubscribe: {{ unsubscribe_url }}")
    segment = Segment.objects.create(name="Everyone", created_by=user, definition={
        "op": "and", "items": [{"field": "status", "operator": "not_in", "value": ["lost"]}]})
    now = timezone.now()
    probe = Guest(family_name="王", given_name="客", family_name_latin="WANG", given_name_latin="GUEST",
                  email="x@bench.example.cn", status="active", created_at=now)
    fields = [f for f in Guest._meta.concrete_fields if not f.primary_key]
    base = [f.get_db_prep_save(f.pre_save(probe, True), connection) for f in fields]
    names = [f.attname for f in fields]
    i_given, i_email = names.index("given_name"), names.index("email")
    columns = ["id"] + [connection.ops.quote_name(f.column) for f in fields]

    def guests() -> Any:
        for i in range(1, n + 1):
            row = list(base)
            row[i_given], row[i_email] = f"客{i}", f"guest{i}@bench.example.cn"
            yield [i, *row]

    with transaction.atomic():
        _copy(Guest._meta.db_table, columns, guests())
        _copy(GuestProperty._meta.db_table, ["guest_id", "property_id", "first_seen"],
              ((i, prop.pk, now) for i in range(1, n + 1)))
        _copy(ConsentRecord._meta.db_table, ["guest_id", "channel", "granted", "source", "recorded_at"],
              ((i, "email", True, "bench", now) for i in range(1, n + 1)))
    with connection.cursor() as cursor:
        table = Guest._meta.db_table
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute("VACUUM ANALYZE")
    print(f"  seeded {n:,} guests with email consent in {time.perf_counter() - started:.1f} s", flush=True)
    return {"user": user, "segment": segment, "template": template, "property": prop}


# --- the run ----------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, seeded: dict[str, Any]) -> dict[str, Any]:
    import redis
    from django.db import connection
    from django.db.models import Count

    from concierge.campaigns import services
    from concierge.campaigns.models import Campaign
    from concierge.campaigns.tasks import deliver, start_campaign
    from concierge.celery import app
    from concierge.messaging.models import Message

    client = redis.Redis.from_url(args.broker)
    client.delete(QUEUE)
    app.close()
    app.amqp._producer_pool = None
    app.conf.update(broker_url=args.broker, task_default_queue=QUEUE, task_always_eager=False)
    received_path = ROOT / "var" / "bench-marketing-received.txt"
    received_path.write_bytes(b"")
    log_path = ROOT / "var" / "bench-marketing-worker.log"
    port = _free_port()
    smtp = subprocess.Popen([sys.executable, __file__, "--serve-smtp", str(port), str(received_path)], cwd=ROOT,
                            start_new_session=True)
    worker = None
    try:
        _wait_port(port, smtp)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "concierge.settings", "CONCIERGE_TESTING": "1",
               "DATABASE_URL": os.environ["DATABASE_URL"], "CELERY_BROKER_URL": args.broker,
               "CELERY_TASK_ALWAYS_EAGER": "0", "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
               "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "LOG_LEVEL": "WARNING",
               "CONCIERGE_BASE_URL": "https://crm.example.cn", "MESSAGING_RATE_PER_SECOND": str(args.rate),
               "MESSAGING_BATCH_SIZE": str(args.batch)}
        log = log_path.open("w+b")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "concierge", "worker", "--pool=prefork",
             f"--concurrency={args.concurrency}", "-Q", QUEUE, "--loglevel=WARNING", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-n", f"{QUEUE}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        _wait_ready(app, worker, log)
        campaign = services.campaign_create(
            actor=seeded["user"], name="Bench campaign", kind="message", channel="email",
            property=seeded["property"], segment=seeded["segment"], offer_code="SPRING20",
            offer_url="https://hotel.example.cn/book?code=SPRING20",
            variants=[services.VariantInput(label="A", template=seeded["template"], share_percent=100)])
        services.campaign_schedule(actor=seeded["user"], campaign=campaign,
                                   send_at=campaign.created_at)
        t0 = time.perf_counter()
        start_campaign.delay(campaign.pk)  # what "send now" queues
        deadline = time.monotonic() + args.timeout
        while not Campaign.objects.filter(pk=campaign.pk, enqueued_at__isnull=False).exists():
            _alive(worker, deadline, log_path)
            time.sleep(0.2)
        campaign.refresh_from_db()
        enqueue_seconds = (campaign.enqueued_at - campaign.started_at).total_seconds()
        if args.enqueue_only:
            enqueued = Message.objects.filter(source="campaign", source_id=campaign.pk).count()
            return {"recipients": campaign.audience_count, "enqueued": enqueued,
                    "enqueue_seconds": enqueue_seconds, "enqueue_only": True}
        for _ in range(max(0, args.chains - 1)):
            deliver.delay(campaign.pk)
        sent_total = None
        while True:
            _alive(worker, deadline, log_path)
            campaign.refresh_from_db()
            if campaign.status == "sent":
                sent_total = Message.objects.filter(source="campaign", source_id=campaign.pk, status="sent").count()
                if _lines(received_path) >= sent_total:
                    break
            time.sleep(0.5)
        t_done = time.perf_counter()
        delivery_seconds = (campaign.finished_at - campaign.enqueued_at).total_seconds()
        # Start again and replay a delivery: neither may add a message or a mail.
        start_campaign.delay(campaign.pk)
        deliver.delay(campaign.pk)
        time.sleep(5)
        while client.llen(QUEUE):
            time.sleep(0.5)
        time.sleep(3)
        statuses = dict(Message.objects.filter(source="campaign", source_id=campaign.pk).order_by()
                        .values_list("status").annotate(n=Count("pk")))
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        smtp.send_signal(signal.SIGTERM)
        try:
            smtp.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(smtp.pid, signal.SIGKILL)
        client.delete(QUEUE)
        app.close()
    headers = [line for line in received_path.read_bytes().decode().splitlines() if line]
    expected = set(Message.objects.filter(source="campaign", source_id=campaign.pk, status="sent")
                   .values_list("idempotency_key", flat=True))
    connection.close()
    distinct = set(headers)
    return {"recipients": campaign.audience_count, "enqueued": sum(statuses.values()), "statuses": statuses,
            "enqueue_seconds": enqueue_seconds, "delivery_seconds": delivery_seconds,
            "wall_seconds": t_done - t0, "received": len(headers), "distinct": len(distinct),
            "duplicates": len(headers) - len(distinct), "lost": len(expected - distinct),
            "unexpected": len(distinct - expected)}


def _lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def _alive(worker: subprocess.Popen, deadline: float, log_path: Path) -> None:
    if worker.poll() is not None:
        raise SystemExit(f"worker stopped; see {log_path}")
    if time.monotonic() > deadline:
        raise SystemExit(f"timed out; see {log_path}")


def _wait_ready(app: Any, worker: subprocess.Popen, log: Any) -> None:
    deadline = time.monotonic() + 90
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
    raise SystemExit("worker did not answer a ping within 90 s")


def report(args: argparse.Namespace, result: dict[str, Any]) -> None:
    load = os.getloadavg()
    if result.get("enqueue_only"):
        print("\n" + "=" * 80)
        print(f"{'recipients (segment snapshot)':<52}{result['recipients']:,}")
        print(f"{'outbox rows queued':<52}{result['enqueued']:,}")
        print(f"{'enqueue seconds (snapshot + render + bulk insert)':<52}{result['enqueue_seconds']:.1f}")
        print(f"{'delivery':<52}not measured (--enqueue-only)")
        print(f"{'load average (1/5/15 min)':<52}{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
        return
    rows = [
        ("recipients (segment snapshot)", f"{result['recipients']:,}"),
        ("outbox rows", f"{result['enqueued']:,}  {result['statuses']}"),
        ("enqueue seconds (snapshot + render + bulk insert)", f"{result['enqueue_seconds']:.1f}"),
        ("delivery seconds (all queued -> campaign sent)", f"{result['delivery_seconds']:.1f}"),
        ("throughput msg/s", f"{result['statuses'].get('sent', 0) / max(result['delivery_seconds'], 1e-9):.0f}"),
        ("received at server", f"{result['received']:,}"),
        ("distinct", f"{result['distinct']:,}"),
        ("duplicates", f"{result['duplicates']:,}"),
        ("lost (sent but not received)", f"{result['lost']:,}"),
        ("unexpected (received, not ours)", f"{result['unexpected']:,}"),
        ("settings", f"rate {args.rate:g}/s per chain, batch {args.batch}, chains {args.chains}, "
                     f"worker concurrency {args.concurrency}"),
        ("load average (1/5/15 min)", f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}"),
    ]
    width = max(len(r[0]) for r in rows)
    print("\n" + "=" * (width + 50))
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.serve_smtp:
        serve_smtp(int(args.serve_smtp[0]), args.serve_smtp[1])
        return 0
    from _bench_db import prepare_database

    # SIGTERM (timeout, a user) -> SystemExit, so the worker and the SMTP server are stopped in `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    prepare_database(args.database_url, postgres_only=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"seeding {args.guests:,} guests ...", flush=True)
    seeded = seed(args.guests)
    result = run(args, seeded)
    report(args, result)
    if result.get("enqueue_only"):
        return 0 if result["enqueued"] == result["recipients"] else 1
    ok = result["duplicates"] == 0 and result["lost"] == 0 and result["received"] == result["statuses"].get("sent")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
