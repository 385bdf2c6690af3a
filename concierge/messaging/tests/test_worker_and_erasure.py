"""The every-minute task, stale claims, and erasure of a guest's outbox rows."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concierge.messaging.models import Message
from concierge.messaging.services import messages_release_stale, messaging_anonymize_guest, send_message
from concierge.messaging.tests.factories import make_template

pytestmark = pytest.mark.django_db


def test_the_beat_task_sends_deferred_messages_once(inbox, guest_zh, no_quiet_hours, settings):
    from concierge.messaging import tasks

    settings.MESSAGING_RATE_PER_SECOND = 0
    assert settings.CELERY_BEAT_SCHEDULE["messaging-send-queued-every-minute"]["task"] == tasks.send_queued.name
    make_template("email")
    send_message(guest=guest_zh, template_code="spring-offer", channel="email", idempotency_key="d-1", defer=True)

    first = tasks.send_queued.apply().get()
    second = tasks.send_queued.apply().get()

    assert first["sent"] == 1 and second["claimed"] == 0
    assert inbox.count() == 1


def test_a_row_left_sending_by_a_dead_worker_is_sent_again_unless_it_used_up_its_attempts(guest_zh, settings):
    old = timezone.now() - dt.timedelta(hours=1)
    stale = Message.objects.create(guest=guest_zh, channel="email", language="zh-hans", status="sending",
                                   idempotency_key="s-1", claimed_at=old, attempts=1)
    worn = Message.objects.create(guest=guest_zh, channel="email", language="zh-hans", status="sending",
                                  idempotency_key="s-2", claimed_at=old, attempts=settings.MESSAGING_MAX_ATTEMPTS)

    assert messages_release_stale() == 2
    stale.refresh_from_db()
    worn.refresh_from_db()
    assert (stale.status, stale.reason) == ("queued", "retry")
    assert (worn.status, worn.error) == ("failed", "worker stopped while sending")


def test_erasure_removes_address_and_text_and_stops_queued_messages(guest_zh):
    queued = Message.objects.create(guest=guest_zh, channel="email", language="zh-hans", status="queued",
                                    recipient="wang.fang@example.cn", body="尊敬的王芳", idempotency_key="e-1")

    messaging_anonymize_guest(guest=guest_zh)

    queued.refresh_from_db()
    assert (queued.status, queued.reason, queued.guest_id, queued.recipient, queued.body) == (
        "suppressed", "erased", None, "", "")
