"""Campaign fixtures: a real SMTP server on loopback (refusing `bounce@…` recipients), a marketer, two templates,
an audience segment and guests who consented (and some who did not)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from concierge.campaigns.tests.factories import make_campaign, make_email_template
from concierge.messaging.tests.factories import make_guest
from concierge.surveys.tests.smtp import Inbox, free_port


class BouncingInbox(Inbox):
    """Accepts everything except recipients whose local part starts with "bounce" (550, like a real MTA)."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: Any) -> str:
        if address.lower().startswith("bounce"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@contextmanager
def bouncing_smtp_server() -> Iterator[BouncingInbox]:
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    port = free_port()
    inbox = BouncingInbox(host="127.0.0.1", port=port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def inbox(settings: Any) -> Iterator[BouncingInbox]:
    with bouncing_smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.CONCIERGE_BASE_URL = "https://crm.example.cn"
        settings.MESSAGING_RATE_PER_SECOND = 0
        yield server


@pytest.fixture
def marketer(property_a: Any) -> Any:
    from concierge.accounts.models import User

    return User.objects.create_user(username="mia", password="test-password-123", role="marketing",
                                    first_name="Mia", email="mia@example.com")


@pytest.fixture
def sales_a(property_a: Any) -> Any:
    from concierge.accounts.models import User

    user = User.objects.create_user(username="sid", password="test-password-123", role="sales_rep")
    user.properties.set([property_a])
    return user


@pytest.fixture
def no_quiet_hours(property_a: Any) -> Any:
    from concierge.messaging.models import SuppressionRule

    return SuppressionRule.objects.create(property=property_a, quiet_start=None, quiet_end=None, monthly_cap=None)


@pytest.fixture
def templates(db: Any) -> tuple[Any, Any]:
    return make_email_template("spring-a", "A"), make_email_template("spring-b", "B")


@pytest.fixture
def audience(frontdesk_a: Any, property_a: Any) -> dict[str, Any]:
    """Six guests at property A: four consented (one English), one without consent, one unsuitable."""
    guests = {
        "wang": make_guest(frontdesk_a, property_a, email="wang.fang@example.cn"),
        "li": make_guest(frontdesk_a, property_a, family_name="李", given_name="娜", family_name_latin="LI",
                         given_name_latin="Na", email="li.na@example.cn"),
        "chen": make_guest(frontdesk_a, property_a, family_name="陈", given_name="杰", family_name_latin="CHEN",
                           given_name_latin="Jie", email="chen.jie@example.cn"),
        "smith": make_guest(frontdesk_a, property_a, language="en", family_name="", given_name="",
                            family_name_latin="SMITH", given_name_latin="John", email="john.smith@example.com"),
        "noconsent": make_guest(frontdesk_a, property_a, channels=(), email="no.consent@example.cn"),
        "unsuitable": make_guest(frontdesk_a, property_a, email="unsuitable@example.cn"),
    }
    guests["unsuitable"].status = "unsuitable"
    guests["unsuitable"].save(update_fields=["status"])
    return guests


@pytest.fixture
def campaign(marketer: Any, property_a: Any, templates: Any, audience: Any, no_quiet_hours: Any) -> Any:
    return make_campaign(marketer, property_a, templates, shares=(50, 50))

