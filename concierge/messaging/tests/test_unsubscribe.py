"""One-click unsubscribe: signed per guest and channel, no login, honoured by the very next send."""
from __future__ import annotations

import pytest

from concierge.core.models import Activity
from concierge.guests.models import ConsentRecord
from concierge.messaging.services import send_message
from concierge.messaging.tests.factories import make_template
from concierge.messaging.tokens import InvalidToken, read_unsubscribe_token, unsubscribe_token

pytestmark = pytest.mark.django_db


def _path(guest, channel="email"):
    return f"/m/u/{unsubscribe_token(guest_id=guest.pk, channel=channel)}/"


def test_the_link_in_the_mail_unsubscribes_without_login_and_the_next_send_is_suppressed(client, inbox, guest_zh,
                                                                                          no_quiet_hours):
    make_template("email")
    send_message(guest=guest_zh, template_code="spring-offer", channel="email", idempotency_key="u-1")
    link = inbox.messages[0]["List-Unsubscribe"].strip()[1:-1]
    path = link.removeprefix("https://crm.example.cn")

    page = client.get(path)
    assert page.status_code == 200
    assert 'data-done="0"' in page.content.decode()
    assert ConsentRecord.objects.filter(guest=guest_zh, granted=False).count() == 0  # GET never unsubscribes

    done = client.post(path)
    assert done.status_code == 200
    assert 'data-done="1"' in done.content.decode()
    record = ConsentRecord.objects.filter(guest=guest_zh, channel="email").order_by("-recorded_at", "-id").first()
    assert (record.granted, record.source) == (False, "unsubscribe link")
    assert Activity.objects.filter(guest=guest_zh, kind="consent").exists()

    again = send_message(guest=guest_zh, template_code="spring-offer", channel="email", idempotency_key="u-2")
    assert (again.status, again.reason) == ("suppressed", "unsubscribed")
    assert inbox.count() == 1


def test_rfc8058_one_click_post_works_without_a_csrf_token(guest_zh):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(_path(guest_zh), data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    assert ConsentRecord.objects.filter(guest=guest_zh, channel="email", granted=False).count() == 1


def test_unsubscribing_twice_records_one_decision(client, guest_zh):
    client.post(_path(guest_zh))
    client.post(_path(guest_zh))

    assert ConsentRecord.objects.filter(guest=guest_zh, channel="email", granted=False).count() == 1


def test_the_link_is_per_channel(client, guest_zh):
    client.post(_path(guest_zh, "sms"))

    assert ConsentRecord.objects.filter(guest=guest_zh, channel="sms", granted=False).count() == 1
    assert ConsentRecord.objects.filter(guest=guest_zh, channel="email", granted=False).count() == 0


def test_the_page_speaks_the_guest_language(client, guest_zh, guest_en):
    assert 'lang="zh-hans"' in client.get(_path(guest_zh)).content.decode()
    english = client.get(_path(guest_en)).content.decode()
    assert 'lang="en"' in english and "Unsubscribe" in english


def test_a_forged_or_edited_link_is_refused(client, guest_zh, guest_en):
    token = unsubscribe_token(guest_id=guest_zh.pk, channel="email")
    forged = token.replace(f"email.{guest_zh.pk}", f"email.{guest_en.pk}")
    other_channel = token.replace("email.", "sms.")

    for bad in (forged, other_channel, "email.1", "nonsense"):
        assert client.post(f"/m/u/{bad}/").status_code == 404
        with pytest.raises(InvalidToken):
            read_unsubscribe_token(bad)
    assert not ConsentRecord.objects.filter(granted=False).exists()


def test_a_merged_profile_link_unsubscribes_the_survivor(client, frontdesk_a, property_a, guest_zh):
    from concierge.guests.models import Guest
    from concierge.messaging.tests.factories import make_guest

    survivor = make_guest(frontdesk_a, property_a)
    Guest.objects.filter(pk=guest_zh.pk).update(merged_into=survivor)

    client.post(_path(guest_zh))

    assert ConsentRecord.objects.filter(guest=survivor, channel="email", granted=False).exists()
