"""A real SMTP server on loopback receives the invitation, Chinese subject intact, once however often we send."""
from __future__ import annotations

import pytest

from concierge.surveys import services
from concierge.surveys.tests.factories import invite
from concierge.surveys.tests.smtp import smtp_server
from concierge.surveys.tokens import link_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(settings):
    with smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.CONCIERGE_BASE_URL = "https://crm.example.cn"
        yield server


def test_the_invitation_arrives_with_a_chinese_subject(inbox, survey_a, quality_a, guest_zh):
    invitation = invite(quality_a, survey_a, guest_zh)

    result = services.invitations_send(invitation_ids=[invitation.pk])

    assert result.sent == 1
    assert inbox.recipients == ["wang.fang@example.cn"]
    message = inbox.messages[0]
    # Django folds the encoded word onto a continuation line; the parser keeps that line's leading space.
    assert message["Subject"].strip() == "您在上海外滩酒店的入住体验如何？"
    assert message["From"].addresses[0].display_name == "上海外滩酒店"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "尊敬的王芳" in text
    assert f"https://crm.example.cn/surveys/r/{link_token(invitation.public_id)}/" in text
    assert message.get_body(preferencelist=("html",)) is not None
    assert message["X-Concierge-Invitation"] == invitation.public_id


def test_sending_twice_reaches_the_server_once(inbox, survey_a, quality_a, guest_zh, guest_en):
    ids = [invite(quality_a, survey_a, guest_zh).pk, invite(quality_a, survey_a, guest_en).pk]

    services.invitations_send(invitation_ids=ids)
    services.invitations_send(invitation_ids=ids)
    services.invitations_send(invitation_ids=list(reversed(ids)))

    assert sorted(inbox.recipients) == ["john.smith@example.com", "wang.fang@example.cn"]
