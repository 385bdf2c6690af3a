"""Pointing this test process's Celery app at a throw-away broker queue, for the tests that start a real worker.

Two such tests may run at once (pytest-xdist) against the same Redis: each gets its own queue, so a worker never
takes the other test's tasks (which name another test database, or a task it does not know)."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote


def unique_queue(prefix: str = "test") -> str:
    return f"{prefix}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def broker_url_for(tmp_path: Path) -> str:
    """The environment's broker (CI: Redis), else a throw-away SQLite file."""
    return os.environ.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"


def _forget_connections_and_routes(app: Any) -> None:
    """app.close() keeps the producer pool (bound to the broker it was made for) and the AMQP helper caches the
    queues and router of the first default queue; drop all of them so the new settings take effect."""
    app.close()
    app.amqp._producer_pool = None
    for cached in ("queues", "default_queue", "router", "_rtable", "producer_pool"):
        app.amqp.__dict__.pop(cached, None)


@contextmanager
def celery_sends_to(broker_url: str, queue: str) -> Iterator[None]:
    """Within the block, this process's tasks go to `queue` on `broker_url` (not run eagerly)."""
    from concierge.celery import app

    keys = ("broker_url", "task_always_eager", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}
    _forget_connections_and_routes(app)
    app.conf.update(broker_url=broker_url, task_always_eager=False, task_default_queue=queue)
    try:
        yield
    finally:
        _forget_connections_and_routes(app)
        app.conf.update(saved)


def worker_environment(broker_url: str, queue: str) -> dict[str, str]:
    """Environment variables that make a `celery worker` subprocess consume and send on the same queue."""
    return {"CELERY_BROKER_URL": broker_url, "CELERY_TASK_ALWAYS_EAGER": "0", "CELERY_TASK_DEFAULT_QUEUE": queue}


def database_url(settings_dict: dict[str, Any]) -> str:
    """A DATABASE_URL (django-environ syntax) for the database this (test) process is connected to; a worker subprocess opens the same one."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"
