"""Staff screens: templates with live preview, the outbox (paginated, filtered, scoped), suppression rules."""
from __future__ import annotations

import pytest

from concierge.messaging.models import Message, MessageTemplate, SuppressionRule
from concierge.messaging.tests.factories import EN_BODY, EN_SUBJECT, ZH_BODY, ZH_SUBJECT, make_template

pytestmark = pytest.mark.django_db


def _outbox_row(guest, key, **extra):
    values = {"channel": "email", "language": "zh-hans", "status": "suppressed", "reason": "no_consent",
              "subject": "主题", "body": "正文", **extra}
    return Message.objects.create(guest=guest, idempotency_key=key, **values)


def test_marketing_creates_a_template_and_sees_both_previews(client, marketer, guest_zh):
    client.force_login(marketer)
    data = {"code": "welcome", "name": "Welcome", "channel": "email", "purpose": "marketing",
            "subject_zh": ZH_SUBJECT, "body_zh": ZH_BODY, "subject_en": EN_SUBJECT, "body_en": EN_BODY,
            "is_active": "on", "provider_template_id": ""}

    response = client.post("/messaging/templates/new/", data)

    template = MessageTemplate.objects.get(code="welcome")
    assert response.status_code == 302
    page = client.get(f"/messaging/templates/{template.pk}/?guest={guest_zh.pk}").content.decode()
    assert "上海外滩酒店：王芳，春季特惠" in page
    assert "Shanghai Bund Hotel: spring offer for WANG Fang" in page


def test_a_bad_placeholder_is_shown_on_its_field(client, marketer):
    client.force_login(marketer)
    data = {"code": "x", "name": "X", "channel": "email", "purpose": "marketing", "subject_zh": "主题",
            "body_zh": "{{ guest.phone }}", "subject_en": "S", "body_en": "B"}

    response = client.post("/messaging/templates/new/", data)

    assert response.status_code == 400
    assert "Unknown placeholder {{ guest.phone }}" in response.context["form"].errors["body_zh"][0]
    assert not MessageTemplate.objects.exists()


def test_the_live_preview_renders_unsaved_text(client, marketer, guest_en):
    client.force_login(marketer)

    response = client.post("/messaging/templates/preview/", {
        "preview_guest": guest_en.pk, "channel": "email", "subject_zh": "你好{{ guest.name }}",
        "body_zh": "正文", "subject_en": "Hello {{ guest.name }}", "body_en": "Body"}, HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert "Hello SMITH John" in page and "你好SMITH John" in page
    bad = client.post("/messaging/templates/preview/", {"preview_guest": guest_en.pk, "channel": "email",
                                                         "body_en": "{{ nope }}"}).content.decode()
    assert "Unknown placeholder {{ nope }}" in bad


def test_front_desk_cannot_edit_templates(client, frontdesk_a):
    client.force_login(frontdesk_a)

    assert client.get("/messaging/templates/new/").status_code == 403
    assert client.get("/messaging/rules/").status_code == 403


def test_the_outbox_lists_filters_and_paginates_with_reasons(client, manager, guest_zh, guest_en):
    for i in range(30):
        _outbox_row(guest_zh, f"o-{i}")
    _outbox_row(guest_en, "sent-1", status="sent", reason="", channel="sms", subject="")
    client.force_login(manager)

    first = client.get("/messaging/outbox/")
    suppressed = client.get("/messaging/outbox/?status=suppressed&page=2")
    sms = client.get("/messaging/outbox/?channel=sms")

    assert len(first.context["page"].object_list) == 25
    assert "No consent for this channel" in first.content.decode()
    assert len(suppressed.context["page"].object_list) == 5
    assert [m.idempotency_key for m in sms.context["page"]] == ["sent-1"]


def test_the_outbox_hides_guests_of_other_properties(client, frontdesk_b, guest_zh):
    message = _outbox_row(guest_zh, "hidden")
    client.force_login(frontdesk_b)

    assert client.get("/messaging/outbox/").context["page"].paginator.count == 0
    assert client.get(f"/messaging/outbox/{message.pk}/").status_code == 404


def test_a_manager_sets_quiet_hours_and_cap(client, manager, property_a):
    client.force_login(manager)

    response = client.post(f"/messaging/rules/{property_a.pk}/",
                           {"quiet_start": "22:00", "quiet_end": "07:30", "monthly_cap": "2"})
    bad = client.post(f"/messaging/rules/{property_a.pk}/", {"quiet_start": "22:00", "quiet_end": ""})

    assert response.status_code == 302
    rule = SuppressionRule.objects.get(property=property_a)
    assert (rule.quiet_start.hour, rule.quiet_end.minute, rule.monthly_cap) == (22, 30, 2)
    assert bad.status_code == 400 and "quiet_end" in bad.context["form"].errors
    assert "22:00" in client.get("/messaging/rules/").content.decode()


def test_the_sidebar_shows_the_marketing_entries(client, marketer):
    client.force_login(marketer)
    make_template("email")

    page = client.get("/messaging/templates/").content.decode()

    assert "/messaging/outbox/" in page and "spring-offer" in page


def test_the_screens_render_in_chinese(client, manager, guest_zh):
    from django.utils import translation

    _outbox_row(guest_zh, "zh-row")
    client.force_login(manager)
    client.cookies["django_language"] = "zh-hans"
    with translation.override("zh-hans"):
        for path in ("/messaging/templates/", "/messaging/outbox/", "/messaging/rules/", "/messaging/templates/new/"):
            assert client.get(path).status_code == 200, path


def test_the_outbox_page_runs_a_fixed_number_of_queries(client, manager, guest_zh, guest_en,
                                                        django_assert_max_num_queries):
    for i in range(40):
        _outbox_row(guest_zh if i % 2 else guest_en, f"q-{i}")
    client.force_login(manager)
    client.get("/messaging/outbox/")  # warm the session and user caches

    with django_assert_max_num_queries(12):
        response = client.get("/messaging/outbox/")
    assert response.status_code == 200
