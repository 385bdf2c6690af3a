"""Issue 9: a Celery worker SIGKILLed in the middle of a batch (survey invitations; the outbox campaigns and
journeys use), then restarted, mails every guest once.

Real pieces only: a `celery worker` subprocess on the test database (SQLite file, or PostgreSQL) and the broker in
CELERY_BROKER_URL (Redis in CI) or a throw-away SQLite broker file, on a private queue; a real SMTP server on
loopback (aiosmtpd) that takes 5-20 ms per message and records each delivery with its Message-ID. The worker is
killed (SIGKILL: no acknowledgement, no clean-up) when the server has about a third of the mails, a fresh worker
is started at once and killed again at about two thirds; a third worker finishes. See tests/fault_scenario.py.
Each kill comes the moment the server accepts a mail, before the worker can record it: the worst case.

The one message in flight at each kill may reach the server twice (the server had it, the worker died before
recording it): it is sent again with the same Message-ID, so every guest still receives exactly one distinct
mail. Nothing is lost, nothing is left unsent, and the database counts what the server received.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.fault_scenario import (
    Workers,
    database_url,
    recording_smtp_server,
    run,
    run_outbox,
    seed_checked_out_guests,
    seed_outbox,
)

GUESTS = 300
TIMEOUT = 180.0  # seconds until every invitation is sent; generous, the suite runs under load (no timing asserted)


@pytest.fixture
def private_queue(transactional_db: None, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(broker URL, queue): the environment's broker (CI: Redis) or a throw-away SQLite file, and a queue of our
    own, so nothing this test leaves behind (tasks of killed workers) reaches another worker."""
    from concierge.celery import app

    url = os.environ.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    queue = f"test-worker-kill-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.close()
    app.amqp._producer_pool = None  # close() keeps it, bound to the broker it was made for
    app.conf.update(broker_url=url, task_always_eager=False)
    try:
        yield url, queue
    finally:
        if url.startswith("redis"):
            import redis

            redis.Redis.from_url(url).delete(queue)
        app.close()
        app.amqp._producer_pool = None
        app.conf.update(saved)


@pytest.fixture
def quality_a(property_a: Any) -> Any:
    from concierge.accounts.models import User

    user = User.objects.create_user(username="quinn", password="test-password-123", role="quality")
    user.properties.set([property_a])
    return user


@pytest.mark.worker
@pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning")  # kombu's SQL transport
def test_a_worker_killed_twice_mid_batch_mails_every_guest_exactly_once(
    private_queue: tuple[str, str], frontdesk_a: Any, quality_a: Any, property_a: Any, tmp_path: Path
) -> None:
    from concierge.celery import app
    from concierge.surveys.services.inviting import IN_DOUBT
    from concierge.surveys.models import Invitation

    broker_url, queue = private_queue
    survey = seed_checked_out_guests(frontdesk=frontdesk_a, quality=quality_a, property=property_a, n=GUESTS)

    with recording_smtp_server() as smtp:
        workers = Workers(database_url=database_url(connection.settings_dict), broker_url=broker_url, queue=queue,
                          smtp=smtp, log_dir=tmp_path)
        try:
            outcome = run(workers=workers, smtp=smtp, survey=survey, kill_at=[GUESTS // 3, 2 * GUESTS // 3],
                          timeout=TIMEOUT,
                          dispatch=lambda: app.send_task("concierge.surveys.tasks.dispatch", queue=queue))
        finally:
            workers.stop_all()
        deliveries = smtp.snapshot()

    print(outcome)  # in the report of a failure
    assert outcome.kills == 2
    assert outcome.invited == GUESTS
    assert (outcome.unsent, outcome.lost) == (0, 0)
    assert outcome.wrong_id == 0  # every mail carries its invitation's Message-ID
    assert outcome.doubled_distinct == 0  # nobody received two different mails
    assert outcome.sent == len(set(deliveries)) == GUESTS  # the database says what the server received
    # The raw log: at most the one message in flight per kill arrived twice, with the same Message-ID.
    assert outcome.doubled <= outcome.kills
    assert outcome.received == GUESTS + outcome.doubled
    assert Invitation.objects.filter(survey=survey, error=IN_DOUBT).count() == 0  # sent rows keep no error


@pytest.mark.worker
@pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning")  # kombu's SQL transport
def test_a_worker_killed_twice_mid_outbox_batch_sends_every_message_exactly_once(
    private_queue: tuple[str, str], frontdesk_a: Any, property_a: Any, tmp_path: Path
) -> None:
    from concierge.celery import app

    broker_url, queue = private_queue
    assert seed_outbox(frontdesk=frontdesk_a, property=property_a, n=GUESTS) == GUESTS

    with recording_smtp_server() as smtp:
        workers = Workers(database_url=database_url(connection.settings_dict), broker_url=broker_url, queue=queue,
                          smtp=smtp, log_dir=tmp_path)
        try:
            # `send_queued` every second stands for the every-minute beat (batches of 100, no throttle).
            outcome = run_outbox(
                workers=workers, smtp=smtp, kill_at=[GUESTS // 3, 2 * GUESTS // 3], timeout=TIMEOUT,
                send=lambda: app.send_task("concierge.messaging.tasks.send_queued", queue=queue))
        finally:
            workers.stop_all()
        deliveries = smtp.snapshot()

    print(outcome)  # in the report of a failure
    assert outcome.kills == 2
    assert outcome.invited == GUESTS
    assert (outcome.unsent, outcome.lost) == (0, 0)
    assert outcome.wrong_id == 0  # every mail carries its message's Message-ID (made from the idempotency key)
    assert outcome.doubled_distinct == 0
    assert outcome.sent == len(set(deliveries)) == GUESTS
    assert outcome.doubled <= outcome.kills
    assert outcome.received == GUESTS + outcome.doubled
