"""A Celery worker killed in the middle of a batch (survey invitations, or the outbox), then restarted: shared by
tests/test_worker_kill.py (fixed kill points, assertions) and bench/faults.py (random kill points, a table).

Pieces: a real SMTP server on loopback (aiosmtpd, in this process) that takes 5-20 ms per message before it
accepts it and records every delivery with its Message-ID; N guests who checked out two days ago at a property
whose post-stay trigger fires at once; real `celery worker` subprocesses (solo pool, settings
`tests.worker_settings`, a private queue, the claim lease shortened to a few seconds) that are SIGKILLed when the
server has received a given number of mails and replaced by a fresh one.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.worker_support import database_url  # noqa: F401  (re-exported for the tests and bench/faults.py)

ROOT = Path(__file__).resolve().parent.parent
LEASE_SECONDS = 3  # the workers' OUTBOX_CLAIM_LEASE_SECONDS: a killed worker's rows are taken over after this
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(.+?)\r?$", re.MULTILINE | re.IGNORECASE)


# --- the mail server ----------------------------------------------------------------------------------------------


@dataclass
class RecordingServer:
    """aiosmtpd handler: waits `delay` seconds (uniform) per message, then accepts it and records
    (recipient, Message-ID). A client that dies while the server waits still leaves the message delivered, as with
    a real server that has the whole message."""

    delay: tuple[float, float] = (0.005, 0.02)
    host: str = "127.0.0.1"
    port: int = 0
    deliveries: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        await asyncio.sleep(random.uniform(*self.delay))
        match = MESSAGE_ID.search(envelope.original_content or envelope.content)
        message_id = match.group(1).decode().strip() if match else ""
        with self.lock:
            self.deliveries.extend((rcpt, message_id) for rcpt in envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.deliveries)

    def snapshot(self) -> list[tuple[str, str]]:
        with self.lock:
            return list(self.deliveries)


@contextmanager
def recording_smtp_server(delay: tuple[float, float] = (0.005, 0.02)) -> Iterator[RecordingServer]:
    from aiosmtpd.controller import Controller

    from concierge.surveys.tests.smtp import free_port

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    server = RecordingServer(delay=delay, port=free_port())
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


# --- the guests -----------------------------------------------------------------------------------------------------


def seed_checked_out_guests(*, frontdesk: Any, quality: Any, property: Any, n: int) -> Any:  # noqa: A002
    """A post-stay survey at `property` sent right after checkout, and `n` guests (email consent) who checked out
    two days ago. Returns the survey; the next dispatch invites all `n`."""
    from django.utils import timezone

    from concierge.surveys import services
    from concierge.surveys.tests.factories import checked_out_stay, make_guest, make_survey

    survey, _questions = make_survey(quality, property=property)
    services.trigger_set(actor=quality, survey=survey, property=property, delay_hours=0, cooldown_days=0)
    departure = timezone.localdate() - dt.timedelta(days=2)
    for i in range(n):
        guest = make_guest(frontdesk, property, email=f"guest{i:04d}@example.cn", given_name=f"芳{i}",
                           given_name_latin=f"Fang{i}")
        checked_out_stay(frontdesk, guest, property, departure)
    return survey


# --- the workers ----------------------------------------------------------------------------------------------------


class Workers:
    """Starts `celery worker` subprocesses (one at a time) and kills them; every log is kept in `log_dir`."""

    def __init__(self, *, database_url: str, broker_url: str, queue: str, smtp: RecordingServer,
                 log_dir: Path) -> None:
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "WORKER_QUEUE": queue,
            "WORKER_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": smtp.host,
            "EMAIL_PORT": str(smtp.port),
            "OUTBOX_CLAIM_LEASE_SECONDS": str(LEASE_SECONDS),
            "MESSAGING_RATE_PER_SECOND": "0",  # no throttle: the server's own pace sets the speed
            "MESSAGING_BATCH_SIZE": "100",
        }
        self.queue, self.log_dir = queue, log_dir
        self.started: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        number = len(self.started) + 1
        log = (self.log_dir / f"worker-{number}.log").open("w+b")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "concierge", "worker", "--pool=solo", "--concurrency=1",
             "-Q", self.queue, "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", f"{self.queue}-{number}@%h"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        worker.log = log  # type: ignore[attr-defined]
        self.started.append(worker)
        return worker

    @staticmethod
    def kill(worker: subprocess.Popen) -> None:
        """SIGKILL, no warning: the worker cannot finish, acknowledge or clean up anything."""
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)

    def stop_all(self) -> None:
        for worker in self.started:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.kill(worker)
            worker.log.close()  # type: ignore[attr-defined]

    def logs(self) -> str:
        texts = []
        for number, worker in enumerate(self.started, start=1):
            log = worker.log  # type: ignore[attr-defined]
            log.flush()
            log.seek(0)
            texts.append(f"--- worker {number} ---\n" + log.read().decode(errors="replace")[-3000:])
        return "\n".join(texts)


# --- the run --------------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    invited: int
    sent: int  # invitations the database says are sent
    unsent: int  # invitations in any other state (pending, sending, failed, skipped)
    received: int  # deliveries the server recorded, duplicates included
    lost: int  # invited guests who received nothing
    doubled: int  # extra deliveries (raw): a guest's second copy of the same mail counts here
    doubled_distinct: int  # extra *different* mails (another Message-ID) to an invited guest: a real duplicate
    wrong_id: int  # deliveries whose Message-ID is not their invitation's
    kills: int
    seconds: float


class StopRun(Exception):
    pass


def run(*, workers: Workers, smtp: RecordingServer, survey: Any, kill_at: list[int], timeout: float = 180.0,
        dispatch: Any = None, jitter: float = 0.0) -> Outcome:
    """Survey invitations: dispatch the post-stay batch, kill and restart the worker at `kill_at` (see
    `kill_and_drain`), wait until no invitation is left unsent, and count."""
    from concierge.surveys.choices import InvitationStatus
    from concierge.surveys.models import Invitation

    invitations = Invitation.objects.filter(survey=survey)
    kills, seconds = kill_and_drain(
        workers=workers, smtp=smtp, kill_at=kill_at, timeout=timeout, start=dispatch, jitter=jitter,
        unsent=lambda: not invitations.exists() or invitations.exclude(status=InvitationStatus.SENT).exists(),
        left=lambda: dict(Counter(invitations.exclude(status=InvitationStatus.SENT).values_list("status", flat=True))))
    return count(smtp=smtp, survey=survey, kills=kills, seconds=seconds)


def kill_and_drain(*, workers: Workers, smtp: RecordingServer, kill_at: list[int], timeout: float, start: Any,
                   unsent: Any, left: Any, jitter: float = 0.0, tick: Any = None, tick_every: float = 1.0
                   ) -> tuple[int, float]:
    """Start a worker and `start()` the work; SIGKILL the worker each time the server has received `kill_at[i]`
    mails (a fresh worker is started at once); wait until `unsent()` is false, calling `tick()` (a beat) every
    `tick_every` seconds meanwhile; stop the last worker gracefully. Returns (kills, seconds).

    With `jitter` 0 the kill comes the moment the server accepts mail number `kill_at[i]`, before the worker can
    record it: the worst case, the in-flight message is always in doubt. A jitter waits a random 0..jitter seconds
    more, so the kill lands anywhere in the worker's cycle (rendering, committing, talking SMTP)."""
    from django.db import close_old_connections

    started = time.monotonic()
    deadline = started + timeout
    worker = workers.start()
    start()
    kills = 0
    last_tick = time.monotonic()
    for target in kill_at:
        while smtp.count() < target:
            if worker.poll() is not None:
                raise StopRun(f"worker died on its own at {smtp.count()} mails:\n{workers.logs()}")
            if time.monotonic() > deadline:
                raise StopRun(f"only {smtp.count()} mails after {timeout:.0f} s:\n{workers.logs()}")
            # The beat keeps ticking between kills too, as in production: when a kill lands just after the worker
            # recorded its last message (no row left "sending", so the new worker schedules no take-over) and the
            # batch had ended, the next tick is what sends the rest. Without it the run waited for nothing.
            if tick is not None and time.monotonic() - last_tick >= tick_every:
                tick()
                last_tick = time.monotonic()
            time.sleep(0.002)
        if jitter:
            time.sleep(random.uniform(0.0, jitter))
        workers.kill(worker)
        kills += 1
        worker = workers.start()
    while unsent():
        if worker.poll() is not None:
            raise StopRun(f"worker died on its own:\n{workers.logs()}")
        if time.monotonic() > deadline:
            raise StopRun(f"still unsent after {timeout:.0f} s: {left()}, {smtp.count()} mails:\n{workers.logs()}")
        time.sleep(0.25)
        close_old_connections()
        if tick is not None and time.monotonic() - last_tick >= tick_every:
            tick()
            last_tick = time.monotonic()
    seconds = time.monotonic() - started
    workers.stop_all()  # a graceful stop: anything still in flight would land now, before we count
    return kills, seconds


def count(*, smtp: RecordingServer, survey: Any, kills: int, seconds: float) -> Outcome:
    from concierge.surveys.choices import InvitationStatus
    from concierge.surveys.models import Invitation
    from concierge.surveys.services.inviting import invitation_message_id

    expected = {inv.guest.email: invitation_message_id(inv)
                for inv in Invitation.objects.filter(survey=survey).select_related("guest")}
    statuses = Counter(Invitation.objects.filter(survey=survey).values_list("status", flat=True))
    return _outcome(expected, smtp.snapshot(), statuses, InvitationStatus.SENT, kills, seconds)

# --- the outbox (campaigns, journeys) -------------------------------------------------------------------------------


def seed_outbox(*, frontdesk: Any, property: Any, n: int, source: str = "fault") -> int:  # noqa: A002
    """`n` guests (email consent) and one queued outbox row each, through `messages_enqueue_bulk` as campaigns do.
    The template is transactional (no quiet hours, no monthly cap). Returns the rows queued."""
    from concierge.messaging.services import message_build, message_template, messages_enqueue_bulk
    from concierge.messaging.tests.factories import make_guest, make_template

    make_template("email", code="fault-notice", purpose="transactional")
    template = message_template("fault-notice", "email")
    guests = [make_guest(frontdesk, property, email=f"guest{i:04d}@example.cn", given_name=f"芳{i}",
                         given_name_latin=f"Fang{i}") for i in range(n)]
    return messages_enqueue_bulk(messages=[
        message_build(guest=guest, template=template, idempotency_key=f"{source}:{guest.pk}", source=source,
                      property=property) for guest in guests])


def run_outbox(*, workers: Workers, smtp: RecordingServer, kill_at: list[int], send: Any, source: str = "fault",
               timeout: float = 180.0, jitter: float = 0.0) -> Outcome:
    """The outbox: `send()` queues one `send_queued` task (the every-minute beat, here every second), kill and
    restart the worker at `kill_at`, wait until no row of `source` is left unsent, and count."""
    from concierge.messaging.choices import MessageStatus
    from concierge.messaging.models import Message

    rows = Message.objects.filter(source=source)
    kills, seconds = kill_and_drain(
        workers=workers, smtp=smtp, kill_at=kill_at, timeout=timeout, start=send, tick=send, jitter=jitter,
        unsent=lambda: rows.exclude(status=MessageStatus.SENT).exists(),
        left=lambda: dict(Counter(rows.exclude(status=MessageStatus.SENT).values_list("status", flat=True))))
    return count_outbox(smtp=smtp, source=source, kills=kills, seconds=seconds)


def count_outbox(*, smtp: RecordingServer, source: str, kills: int, seconds: float) -> Outcome:
    from django.conf import settings

    from concierge.messaging.channels.email import message_id
    from concierge.messaging.choices import MessageStatus
    from concierge.messaging.models import Message

    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    rows = Message.objects.filter(source=source)
    expected = {m.recipient: message_id(m.idempotency_key, domain) for m in rows}
    statuses = Counter(rows.values_list("status", flat=True))
    return _outcome(expected, smtp.snapshot(), statuses, MessageStatus.SENT, kills, seconds)


def _outcome(expected: dict[str, str], deliveries: list[tuple[str, str]], statuses: Counter, sent: str, kills: int,
             seconds: float) -> Outcome:
    raw = Counter(rcpt for rcpt, _id in deliveries)
    distinct = Counter(rcpt for rcpt, _id in set(deliveries))
    return Outcome(
        invited=len(expected), sent=statuses[sent], unsent=sum(statuses.values()) - statuses[sent],
        received=len(deliveries), lost=sum(1 for address in expected if not raw[address]),
        doubled=sum(c - 1 for c in raw.values() if c > 1),
        doubled_distinct=sum(c - 1 for c in distinct.values() if c > 1),
        wrong_id=sum(1 for rcpt, message_id in deliveries if expected.get(rcpt) != message_id),
        kills=kills, seconds=round(seconds, 1),
    )
