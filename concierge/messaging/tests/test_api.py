"""REST API: templates, preview (sends nothing), the outbox (paginated, scoped)."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from concierge.messaging.models import Message
from concierge.messaging.tests.factories import make_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_templates_are_listed(api, marketer):
    make_template("email")
    api.force_authenticate(marketer)

    data = api.get("/api/v1/messaging/templates/").json()

    assert data["count"] == 1 and data["results"][0]["code"] == "spring-offer"


def test_preview_renders_for_a_guest_without_sending(api, marketer, guest_zh, inbox, no_quiet_hours):
    make_template("email")
    api.force_authenticate(marketer)

    response = api.post("/api/v1/messaging/preview/", {"guest": guest_zh.pk, "template_code": "spring-offer",
                                                       "channel": "email"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["subject"] == "上海外滩酒店：王芳，春季特惠"
    assert response.json()["would_send"] is True
    assert inbox.count() == 0 and not Message.objects.exists()


def test_preview_names_the_bad_field(api, marketer, guest_zh):
    api.force_authenticate(marketer)

    response = api.post("/api/v1/messaging/preview/", {"guest": guest_zh.pk, "template_code": "nope",
                                                       "channel": "email"}, format="json")

    assert response.status_code == 400
    assert "template_code" in response.content.decode()


def test_front_desk_cannot_preview(api, frontdesk_a, guest_zh):
    make_template("email")
    api.force_authenticate(frontdesk_a)

    response = api.post("/api/v1/messaging/preview/", {"guest": guest_zh.pk, "template_code": "spring-offer",
                                                       "channel": "email"}, format="json")

    assert response.status_code == 403


def test_the_outbox_is_paginated_and_scoped(api, manager, frontdesk_b, guest_zh):
    for i in range(3):
        Message.objects.create(guest=guest_zh, channel="email", language="zh-hans", status="suppressed",
                               reason="cap_reached", idempotency_key=f"a-{i}")
    api.force_authenticate(manager)

    data = api.get("/api/v1/messaging/messages/?status=suppressed").json()

    assert data["count"] == 3 and data["results"][0]["reason"] == "cap_reached"
    api.force_authenticate(frontdesk_b)
    assert api.get("/api/v1/messaging/messages/").json()["count"] == 0
