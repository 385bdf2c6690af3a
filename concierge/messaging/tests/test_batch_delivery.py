"""Batched delivery (`send_queued`): set-based suppression, chunked commits, and what happens when a batch breaks."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concierge.core.models import Activity
from concierge.messaging.models import Message
from concierge.messaging.services import messages_release_stale, send_message, send_queued
from concierge.messaging.tests.factories import grant, make_guest, make_template

pytestmark = pytest.mark.django_db


def _queue(guest, key, code="spring-offer", channel="email"):
    return send_message(guest=guest, template_code=code, channel=channel, idempotency_key=key, defer=True)


def test_one_batch_decides_each_message_and_commits_in_chunks(inbox, frontdesk_a, property_a, no_quiet_hours,
                                                               settings):
    settings.MESSAGING_COMMIT_EVERY = 2
    make_template("email")
    ok = [make_guest(frontdesk_a, property_a, email=f"ok{i}@example.cn") for i in range(3)]
    refused = make_guest(frontdesk_a, property_a, email="no@example.cn")
    grant(refused, "email", False, source="unsubscribe link")
    never_asked = make_guest(frontdesk_a, property_a, email="ask@example.cn", channels=())
    no_address = make_guest(frontdesk_a, property_a, email="")
    for guest in [*ok, refused, never_asked, no_address]:
        _queue(guest, f"b:{guest.pk}")

    result = send_queued(rate_per_second=0)

    assert (result.claimed, result.sent, result.suppressed) == (6, 3, 3)
    assert sorted(inbox.recipients) == sorted(g.email for g in ok)
    rows = {m.guest_id: m for m in Message.objects.all()}
    assert {rows[g.pk].status for g in ok} == {"sent"}
    assert (rows[refused.pk].reason, rows[never_asked.pk].reason, rows[no_address.pk].reason) == (
        "unsubscribed", "no_consent", "no_address")
    assert all(m.claim == "" and m.sent_at is not None for m in rows.values() if m.status == "sent")
    assert {m.attempts for m in rows.values() if m.status == "sent"} == {1}
    assert {m.provider_message_id for m in rows.values() if m.status == "sent"} == {
        mail["Message-ID"] for mail in inbox.messages}
    timeline = Activity.objects.filter(kind="email")
    assert sorted(a.data["message_id"] for a in timeline) == sorted(rows[g.pk].pk for g in ok)
    assert send_queued(rate_per_second=0).claimed == 0
    assert inbox.count() == 3


def test_the_monthly_cap_counts_the_messages_of_the_same_batch(inbox, guest_zh, no_quiet_hours):
    make_template("email")
    for i in range(5):  # the cap of property A is 3
        _queue(guest_zh, f"cap:{i}")

    result = send_queued(rate_per_second=0)

    assert (result.sent, result.suppressed) == (3, 2)
    assert inbox.count() == 3
    assert sorted(Message.objects.values_list("reason", flat=True)) == ["", "", "", "cap_reached", "cap_reached"]


def test_a_batch_that_breaks_before_sending_puts_its_rows_back_in_the_queue(inbox, guest_zh, no_quiet_hours,
                                                                             settings):
    make_template("email")
    _queue(guest_zh, "broken:1")
    smtp_backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "concierge.no_such_module.EmailBackend"

    with pytest.raises(ImportError):
        send_queued(rate_per_second=0)

    row = Message.objects.get(idempotency_key="broken:1")
    assert (row.status, row.claim, row.attempts) == ("queued", "", 0)
    assert inbox.count() == 0
    settings.EMAIL_BACKEND = smtp_backend
    assert send_queued(rate_per_second=0).sent == 1
    assert inbox.count() == 1


def test_a_dead_workers_rows_are_queued_again_and_the_one_handed_over_is_resent(guest_zh):
    old = timezone.now() - dt.timedelta(hours=1)
    waiting = Message.objects.create(guest=guest_zh, channel="email", language="zh-hans", status="sending",
                                     idempotency_key="dead:waiting", claim="~abc", claimed_at=old)
    handed = Message.objects.create(guest=guest_zh, channel="email", language="zh-hans", status="sending",
                                    idempotency_key="dead:handed", claim="abc", claimed_at=old, attempts=1)
    recent = Message.objects.create(guest=guest_zh, channel="email", language="zh-hans", status="sending",
                                    idempotency_key="dead:recent", claim="~def", claimed_at=timezone.now())

    assert messages_release_stale() == 2

    waiting.refresh_from_db()
    handed.refresh_from_db()
    recent.refresh_from_db()
    assert (waiting.status, waiting.claim) == ("queued", "")
    assert (handed.status, handed.reason, handed.claim) == ("queued", "retry", "")  # in doubt: sent again
    assert recent.status == "sending"


def test_sms_and_wechat_in_one_batch_use_the_stored_addresses(gateway, guest_zh, no_quiet_hours):
    make_template("sms")
    make_template("wechat")
    _queue(guest_zh, "multi:sms", channel="sms")
    _queue(guest_zh, "multi:wechat", channel="wechat")

    result = send_queued(rate_per_second=0)

    assert result.sent == 2
    assert sorted(r.json["to"] for r in gateway.requests) == sorted(["+8613800138000", f"oOPENID{guest_zh.pk}"])
