"""Messaging fixtures: a real SMTP server and a provider gateway double on loopback, guests who consented."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from concierge.messaging.tests.factories import make_guest
from concierge.messaging.tests.http_double import Gateway, provider_gateway
from concierge.surveys.tests.smtp import Inbox, smtp_server


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    with smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.CONCIERGE_BASE_URL = "https://crm.example.cn"
        yield server


@pytest.fixture
def gateway(settings: Any) -> Iterator[Gateway]:
    with provider_gateway() as server:
        settings.MESSAGING_SMS_URL = settings.MESSAGING_WECHAT_URL = server.url
        settings.MESSAGING_SMS_KEY = settings.MESSAGING_WECHAT_KEY = "test-key"
        settings.MESSAGING_HTTP_BACKOFF = 0.01
        yield server


@pytest.fixture
def marketer(property_a: Any) -> Any:
    from concierge.accounts.models import User

    return User.objects.create_user(username="mia", password="test-password-123", role="marketing",
                                    first_name="Mia", email="mia@example.com")


@pytest.fixture
def guest_zh(frontdesk_a: Any, property_a: Any) -> Any:
    """王芳, Chinese-speaking, agreed to email, SMS and WeChat."""
    return make_guest(frontdesk_a, property_a, email="wang.fang@example.cn", channels=("email", "sms", "wechat"))


@pytest.fixture
def guest_en(frontdesk_a: Any, property_a: Any) -> Any:
    """John Smith, English-speaking, agreed to email."""
    return make_guest(frontdesk_a, property_a, language="en", family_name="", given_name="",
                      family_name_latin="SMITH", given_name_latin="John", email="john.smith@example.com")


@pytest.fixture
def no_quiet_hours(property_a: Any) -> Any:
    """Property A without quiet hours and a cap of 3, so tests send at any time of day."""
    from concierge.messaging.models import SuppressionRule

    return SuppressionRule.objects.create(property=property_a, quiet_start=None, quiet_end=None, monthly_cap=3)
