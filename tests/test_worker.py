"""Guest statistics: the refresh ranks guests per property, and a real Celery worker runs it.

The worker test starts `celery worker` as a subprocess against the test database pytest-django
created (a file for SQLite, see settings) and a throw-away SQLite broker file, or the broker in
CELERY_BROKER_URL when the environment sets one (Redis in CI).
"""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest
from django.db import connection

from tests.worker_support import broker_url_for, celery_sends_to, database_url, unique_queue

from concierge.guests.models import Guest, SearchKey
from concierge.guests.services import guest_create
from concierge.stays.models import GuestPropertyStats
from concierge.stays.services import guest_statistics_refresh, stay_create

ROOT = Path(__file__).resolve().parent.parent
WORKER_TIMEOUT = 180.0
WORKER_QUEUE = unique_queue()


def _stay(actor: Any, guest: Guest, prop: Any, arrival: dt.date, revenue: str, **extra: Any) -> None:
    stay_create(actor=actor, guest=guest, property=prop, arrival=arrival, departure=arrival + dt.timedelta(days=2),
                room_nights=2, room_revenue=Decimal(revenue), status="checked_out", **extra)


@pytest.fixture
def two_guests(frontdesk_a: Any, property_a: Any, guest_a: Guest) -> tuple[Guest, Guest]:
    """张伟 spends 3,000 at property A over two stays; 李娜 spends 2,000 in one stay (and cancels another)."""
    li_na = guest_create(actor=frontdesk_a, property=property_a, family_name="李", given_name="娜")
    _stay(frontdesk_a, guest_a, property_a, dt.date(2025, 3, 1), "1000.00")
    _stay(frontdesk_a, guest_a, property_a, dt.date(2025, 6, 1), "2000.00")
    _stay(frontdesk_a, li_na, property_a, dt.date(2025, 5, 1), "1500.00", fnb_revenue=Decimal("500.00"))
    stay_create(actor=frontdesk_a, guest=li_na, property=property_a, arrival=dt.date(2025, 7, 1),
                departure=dt.date(2025, 7, 3), room_revenue=Decimal("9000"), status="cancelled")
    return guest_a, li_na


def _stats() -> list[tuple]:
    return list(
        GuestPropertyStats.objects.order_by("guest_id", "property_id").values_list(
            "guest_id", "property_id", "stays", "room_nights", "total_revenue", "last_stay_on", "revenue_rank")
    )


@pytest.mark.django_db
def test_refresh_ranks_guests_by_revenue_at_a_property(two_guests: tuple[Guest, Guest], property_a: Any) -> None:
    zhang, li = two_guests

    written = guest_statistics_refresh()

    assert written == 2
    assert _stats() == [
        (zhang.pk, property_a.pk, 2, 4, Decimal("3000.00"), dt.date(2025, 6, 1), 1),
        (li.pk, property_a.pk, 1, 2, Decimal("2000.00"), dt.date(2025, 5, 1), 2),
    ]
    zhang.refresh_from_db()
    assert zhang.last_stay_on == dt.date(2025, 6, 1)
    assert set(SearchKey.objects.filter(guest=zhang).values_list("rank_hint", flat=True)) == {20250601}


@pytest.mark.django_db
def test_refresh_is_idempotent(two_guests: tuple[Guest, Guest]) -> None:
    guest_statistics_refresh()
    first = _stats()

    assert guest_statistics_refresh() == 2
    assert _stats() == first


# --- the real worker ---------------------------------------------------------------------------------------------


@pytest.fixture
def broker_url(tmp_path: Path) -> Iterator[str]:
    """The environment's broker (CI: Redis), else a throw-away SQLite file, on a queue of this test's own."""
    url = broker_url_for(tmp_path)
    with celery_sends_to(url, WORKER_QUEUE):
        yield url


@pytest.fixture
def celery_worker(transactional_db: None, broker_url: str, tmp_path: Path) -> Iterator[subprocess.Popen]:
    """A real `celery worker` subprocess on the test database; stopped with SIGTERM to its main process."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "concierge.settings_test",
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": WORKER_QUEUE,
    }
    log = (tmp_path / "worker.log").open("w+b")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "concierge", "worker", "--pool=solo", "--concurrency=1",
         "-Q", WORKER_QUEUE, "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-n", f"test-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,  # keep terminal signals (Ctrl-C) away from the worker; we stop it ourselves
    )
    worker.log = log  # type: ignore[attr-defined]
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)  # last resort: do not leave a worker holding the test DB
                worker.wait(timeout=10)
        log.close()


def _worker_log(worker: subprocess.Popen) -> str:
    worker.log.flush()  # type: ignore[attr-defined]
    worker.log.seek(0)  # type: ignore[attr-defined]
    return worker.log.read().decode(errors="replace")[-4000:]  # type: ignore[attr-defined]


@pytest.mark.worker
@pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning")  # kombu's SQL transport
def test_a_real_worker_refreshes_guest_statistics(
    celery_worker: subprocess.Popen, two_guests: tuple[Guest, Guest]
) -> None:
    from concierge.celery import app

    assert not GuestPropertyStats.objects.exists()

    # By name, as beat does: independent of which tasks this test process happens to have registered.
    app.send_task("concierge.stays.tasks.refresh_guest_statistics")

    deadline = time.monotonic() + WORKER_TIMEOUT
    while not GuestPropertyStats.objects.exists():
        assert celery_worker.poll() is None, f"worker died:\n{_worker_log(celery_worker)}"
        assert time.monotonic() < deadline, f"no statistics after {WORKER_TIMEOUT:.0f} s:\n{_worker_log(celery_worker)}"
        time.sleep(0.25)
    assert [row[-1] for row in _stats()] == [1, 2]

    celery_worker.send_signal(signal.SIGTERM)  # the main process only: it stops its own children
    exit_code = celery_worker.wait(timeout=30)
    assert exit_code == 0, _worker_log(celery_worker)
    assert "succeeded" in _worker_log(celery_worker)
