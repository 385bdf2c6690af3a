"""SMS and WeChat through the loopback provider double: request shape, retries, error mapping."""
from __future__ import annotations

import pytest

from concierge.messaging.channels import ChannelError, Envelope, SmsChannel, get_channel
from concierge.messaging.services import send_message
from concierge.messaging.tests.factories import make_template

pytestmark = pytest.mark.django_db


def test_an_sms_posts_the_documented_json(gateway, guest_zh, no_quiet_hours):
    make_template("sms", subject_zh="", subject_en="")

    message = send_message(guest=guest_zh, template_code="spring-offer", channel="sms", idempotency_key="s-1")

    assert message.status == "sent", message.error
    assert message.provider_message_id == "prov-1"
    [request] = gateway.requests
    assert request.path == "/v1/messages"
    assert request.headers["authorization"] == "Bearer test-key"
    assert request.headers["idempotency-key"] == "s-1"
    assert request.headers["content-type"].startswith("application/json")
    body = request.json
    assert body["channel"] == "sms" and body["to"] == "+8613800138000"
    assert body["template_id"] == "SMS_1234" and body["language"] == "zh-hans" and body["reference"] == "s-1"
    assert body["text"].startswith("尊敬的王芳：")
    assert "/m/u/sms." in body["text"]


def test_a_wechat_template_message_goes_to_the_openid(gateway, guest_zh, no_quiet_hours):
    make_template("wechat", provider_template_id="TM00001")

    message = send_message(guest=guest_zh, template_code="spring-offer", channel="wechat", idempotency_key="w-1")

    assert message.status == "sent", message.error
    body = gateway.requests[0].json
    assert body["channel"] == "wechat" and body["to"] == f"oOPENID{guest_zh.pk}"
    assert body["template_id"] == "TM00001"
    assert body["data"]["title"] == "上海外滩酒店：王芳，春季特惠"
    assert body["data"]["content"].startswith("尊敬的王芳：")


def test_a_provider_refusal_fails_the_message_with_its_code(gateway, guest_zh, no_quiet_hours):
    make_template("sms", subject_zh="", subject_en="")
    gateway.respond(400, {"error": "invalid_number", "message": "not a mobile number"})

    message = send_message(guest=guest_zh, template_code="spring-offer", channel="sms", idempotency_key="s-2")

    assert message.status == "failed"
    assert message.reason == "provider_error"
    assert message.error.startswith("invalid_number: 400 not a mobile number")
    assert len(gateway.requests) == 1  # a 4xx is final: not retried


def test_a_server_error_is_retried_with_the_same_idempotency_key(gateway):
    gateway.respond(503, {"error": "busy"})
    gateway.respond(429, {"error": "rate_limited"})

    receipt = SmsChannel(url=gateway.url, key="k", retries=2, backoff=0.01).send(
        Envelope(to="+8613800138000", subject="", body="你好", language="zh-hans", reference="ref-9"))

    assert receipt.provider_message_id == "prov-1"
    assert [r.headers["idempotency-key"] for r in gateway.requests] == ["ref-9"] * 3


def test_retries_exhausted_raise_a_retryable_error(gateway):
    for _ in range(3):
        gateway.respond(502)

    with pytest.raises(ChannelError) as error:
        SmsChannel(url=gateway.url, key="k", retries=2, backoff=0.01).send(
            Envelope(to="+86138", subject="", body="x", language="en", reference="r"))

    assert error.value.retryable and error.value.code == "http_502"


def test_an_unreachable_provider_is_retryable_and_the_message_waits(settings, guest_zh, no_quiet_hours):
    from concierge.surveys.tests.smtp import free_port

    settings.MESSAGING_SMS_URL = f"http://127.0.0.1:{free_port()}/"
    settings.MESSAGING_HTTP_RETRIES = 0
    make_template("sms", subject_zh="", subject_en="")

    message = send_message(guest=guest_zh, template_code="spring-offer", channel="sms", idempotency_key="s-3")

    assert (message.status, message.reason) == ("queued", "retry")
    assert message.error.startswith("unreachable")


def test_an_unconfigured_channel_fails_clearly(settings, guest_zh, no_quiet_hours):
    settings.MESSAGING_WECHAT_URL = ""
    make_template("wechat")

    message = send_message(guest=guest_zh, template_code="spring-offer", channel="wechat", idempotency_key="w-2")

    assert message.status == "failed"
    assert message.error.startswith("not_configured")


def test_the_registry_knows_every_channel():
    assert {get_channel(code).code for code in ("email", "sms", "wechat")} == {"email", "sms", "wechat"}
    with pytest.raises(ValueError):
        get_channel("fax")
