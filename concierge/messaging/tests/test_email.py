"""Email through a real SMTP server on loopback (aiosmtpd): Chinese subject and body intact, headers, once per key."""
from __future__ import annotations

import pytest

from concierge.core.models import Activity
from concierge.messaging.services import send_message, send_queued
from concierge.messaging.tests.factories import make_template
from concierge.messaging.tokens import unsubscribe_token

pytestmark = pytest.mark.django_db


def test_a_chinese_email_arrives_intact(inbox, guest_zh, no_quiet_hours):
    make_template("email")

    message = send_message(guest=guest_zh, template_code="spring-offer", channel="email", idempotency_key="t-1")

    assert message.status == "sent", message.reason
    assert inbox.recipients == ["wang.fang@example.cn"]
    mail = inbox.messages[0]
    assert mail["Subject"].strip() == "上海外滩酒店：王芳，春季特惠"
    assert mail["From"].addresses[0].display_name == "上海外滩酒店"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "尊敬的王芳：" in text
    assert "上海外滩酒店诚邀您春季入住，享受八折优惠。" in text
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "诚邀您春季入住" in html
    link = f"https://crm.example.cn/m/u/{unsubscribe_token(guest_id=guest_zh.pk, channel='email')}/"
    assert link in text
    assert mail["List-Unsubscribe"].strip() == f"<{link}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["X-Concierge-Message"] == "t-1"
    assert message.provider_message_id == mail["Message-ID"]
    assert message.language == "zh-hans"


def test_an_english_guest_gets_the_english_text(inbox, guest_en, no_quiet_hours):
    make_template("email")

    send_message(guest=guest_en, template_code="spring-offer", channel="email", idempotency_key="t-en")

    mail = inbox.messages[0]
    assert mail["Subject"].strip() == "Shanghai Bund Hotel: spring offer for SMITH John"
    assert mail["From"].addresses[0].display_name == "Shanghai Bund Hotel"
    assert "Dear SMITH John," in mail.get_body(preferencelist=("plain",)).get_content()


def test_the_same_key_twice_reaches_the_server_once(inbox, guest_zh, no_quiet_hours):
    make_template("email")

    first = send_message(guest=guest_zh, template_code="spring-offer", channel="email", idempotency_key="camp-1:g")
    second = send_message(guest=guest_zh, template_code="spring-offer", channel="email", idempotency_key="camp-1:g")
    send_queued()

    assert first.pk == second.pk
    assert inbox.count() == 1


def test_a_sent_message_is_on_the_guest_timeline(inbox, guest_zh, no_quiet_hours):
    from django.utils import translation

    make_template("email")
    message = send_message(guest=guest_zh, template_code="spring-offer", channel="email", idempotency_key="t-2",
                           source="campaign", source_id=7)

    entry = Activity.objects.get(guest=guest_zh, kind="email")
    assert entry.data["message_id"] == message.pk
    assert entry.data["source"] == "campaign" and entry.data["source_id"] == 7
    assert entry.display_summary == "Email sent: 上海外滩酒店：王芳，春季特惠"
    with translation.override("zh-hans"):
        assert "上海外滩酒店：王芳，春季特惠" in entry.display_summary


def test_a_mail_server_that_is_down_leaves_the_message_queued_for_retry(settings, guest_zh, no_quiet_hours):
    from concierge.surveys.tests.smtp import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    make_template("email")

    message = send_message(guest=guest_zh, template_code="spring-offer", channel="email", idempotency_key="t-3")

    assert message.status == "queued"
    assert message.reason == "retry"
    assert message.not_before is not None
    assert message.attempts == 1
    assert not Activity.objects.filter(guest=guest_zh, kind="email").exists()


def test_deferred_messages_go_out_with_the_batch(inbox, guest_zh, guest_en, no_quiet_hours):
    make_template("email")
    for guest in (guest_zh, guest_en):
        message = send_message(guest=guest, template_code="spring-offer", channel="email",
                               idempotency_key=f"batch:{guest.pk}", defer=True)
        assert message.status == "queued"

    result = send_queued(rate_per_second=0)
    again = send_queued(rate_per_second=0)

    assert (result.claimed, result.sent) == (2, 2)
    assert again.claimed == 0
    assert sorted(inbox.recipients) == ["john.smith@example.com", "wang.fang@example.cn"]
