"""Invitations through a real Celery worker (subprocess) to a real SMTP server on loopback: every guest gets one
mail, even when the same batches are delivered to the worker again."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.worker_support import broker_url_for, celery_sends_to, database_url, unique_queue

from concierge.surveys import services
from concierge.surveys.choices import InvitationStatus
from concierge.surveys.models import Invitation
from concierge.surveys.tests.factories import make_guest
from concierge.surveys.tests.smtp import Inbox, smtp_server

ROOT = Path(__file__).resolve().parents[3]
TIMEOUT = 90.0
WORKER_QUEUE = unique_queue()
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True),
              pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning")]


@pytest.fixture
def broker_url(tmp_path: Path, eager_celery: None) -> Iterator[str]:
    """The environment's broker (CI: Redis), else a throw-away SQLite file, on a queue of this test's own."""
    url = broker_url_for(tmp_path)
    with celery_sends_to(url, WORKER_QUEUE):
        yield url


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def worker(transactional_db: None, broker_url: str, inbox: Inbox, tmp_path: Path) -> Iterator[subprocess.Popen]:
    env = {
        **os.environ,  # the test secrets settings_test put there: links signed by the worker verify here
        "DJANGO_SETTINGS_MODULE": "concierge.settings",  # settings_test forces the in-memory mail backend
        "CONCIERGE_TESTING": "1",
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": WORKER_QUEUE,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": inbox.host,
        "EMAIL_PORT": str(inbox.port),
    }
    log = (tmp_path / "worker.log").open("w+b")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "concierge", "worker", "--pool=solo", "--concurrency=1", "-Q", WORKER_QUEUE,
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-n", f"surveys-test-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    process.log = log  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # the main process only: it stops its own children
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()


def _log(process: subprocess.Popen) -> str:
    process.log.flush()  # type: ignore[attr-defined]
    process.log.seek(0)  # type: ignore[attr-defined]
    return process.log.read().decode(errors="replace")[-4000:]  # type: ignore[attr-defined]


def test_a_real_worker_mails_each_guest_once(worker, inbox, survey_a, quality_a, frontdesk_a, property_a):
    from concierge.surveys.tasks import send_invitations

    guests = [make_guest(frontdesk_a, property_a, email=f"worker{i}@example.cn", language="en" if i % 3 else
                         "zh-hans") for i in range(30)]
    services.invitations_create_for_guests(actor=quality_a, survey=survey_a, guests=survey_a.property.guests.filter(
        pk__in=[g.pk for g in guests]), cooldown_days=0)
    ids = list(Invitation.objects.values_list("pk", flat=True))
    assert Invitation.objects.filter(queued_at__isnull=False).count() == 30  # queued when the transaction committed
    for start in range(0, 30, 10):  # the same rows delivered again, as after a lost acknowledgement
        send_invitations.delay(ids[start:start + 10])

    deadline = time.monotonic() + TIMEOUT
    while Invitation.objects.filter(status=InvitationStatus.SENT).count() < 30 or inbox.count() < 30:
        assert worker.poll() is None, f"worker died:\n{_log(worker)}"
        assert time.monotonic() < deadline, f"{inbox.count()} mails after {TIMEOUT:.0f} s:\n{_log(worker)}"
        time.sleep(0.25)
    time.sleep(2)  # let the duplicate batches run too

    assert inbox.count() == 30
    assert sorted(inbox.recipients) == sorted(f"worker{i}@example.cn" for i in range(30))
    subjects = {m["To"]: m["Subject"].strip() for m in inbox.messages}
    assert subjects["worker0@example.cn"] == "您在上海外滩酒店的入住体验如何？"
    assert subjects["worker1@example.cn"] == "How was your stay at Shanghai Bund Hotel?"
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0, _log(worker)
