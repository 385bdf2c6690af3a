"""Placeholders are validated on save; rendering uses a restricted context; preview renders without sending."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from concierge.messaging.models import Message
from concierge.messaging.services import preview_message
from concierge.messaging.tests.factories import make_template

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("field", "text", "expected"), [
    ("body_en", "Hi {{ guest.password }}", "Unknown placeholder {{ guest.password }}"),
    ("body_zh", "{{ settings.SECRET_KEY }}", "Unknown placeholder {{ settings.SECRET_KEY }}"),
    ("subject_en", "Hi {% if guest.name %}x", "Template syntax error"),
    ("body_en", "{% load static %}x", "Template syntax error"),
    ("body_en", "{% for x in guest %}{% endfor %}", "Tag not allowed"),
    ("body_en", "{{ guest.name|safe }}", "Filter not allowed: safe"),
    ("body_en", "{% if guest.secret %}x{% endif %}", "Unknown placeholder {{ guest.secret }}"),
])
def test_bad_placeholders_are_refused_naming_the_field(field, text, expected):
    with pytest.raises(ValidationError) as error:
        make_template("email", **{field: text})

    assert field in error.value.message_dict
    assert any(expected in m for m in error.value.message_dict[field])


def test_an_email_needs_a_subject_in_both_languages():
    with pytest.raises(ValidationError) as error:
        make_template("email", subject_en="")
    assert "subject_en" in error.value.message_dict


def test_allowed_tags_and_filters_render(guest_en, property_a):
    template = make_template("sms", subject_en="", subject_zh="",
                             body_en="{% if offer_code %}Code {{ offer_code|upper }}{% endif %} "
                                     "{{ guest.given_name|default:'friend' }} @ {{ property.name }}")

    preview = preview_message(guest=guest_en, template=template, context={"offer_code": "spring", "evil": "x"})

    assert preview.body == "Code SPRING John @ Shanghai Bund Hotel"


def test_preview_renders_in_the_guest_language_and_sends_nothing(inbox, guest_zh, no_quiet_hours):
    make_template("email")

    zh = preview_message(guest=guest_zh, template_code="spring-offer", channel="email")
    en = preview_message(guest=guest_zh, template_code="spring-offer", channel="email", language="en")

    assert zh.subject == "上海外滩酒店：王芳，春季特惠"
    assert zh.language == "zh-hans" and zh.recipient == "wang.fang@example.cn"
    assert zh.decision.send
    assert en.subject == "Shanghai Bund Hotel: spring offer for WANG Fang"
    assert inbox.count() == 0 and not Message.objects.exists()


def test_preview_says_when_a_message_would_be_suppressed(frontdesk_a, property_a, no_quiet_hours):
    from concierge.messaging.tests.factories import make_guest

    make_template("email")
    guest = make_guest(frontdesk_a, property_a, channels=())

    preview = preview_message(guest=guest, template_code="spring-offer", channel="email")

    assert not preview.decision.send and preview.decision.reason == "no_consent"
