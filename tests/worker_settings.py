"""Settings for Celery worker subprocesses started by tests and benches (tests/fault_scenario.py).

The test settings, plus two things a subprocess takes from its environment: a real email backend (the test
settings use the in-memory one, which a subprocess cannot share) and a private default queue, so tasks the worker
queues itself (batches, take-overs) stay with this worker and never reach anyone else's on a shared broker.
"""
import os

from concierge.settings_test import *  # noqa: F403

EMAIL_BACKEND = os.environ.get("WORKER_EMAIL_BACKEND", EMAIL_BACKEND)  # noqa: F405
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("WORKER_QUEUE", "celery")
