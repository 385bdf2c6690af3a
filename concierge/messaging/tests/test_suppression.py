"""Every suppression reason, the monthly cap, and quiet hours in the property's time zone (frozen time)."""
from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time

from concierge.messaging.models import Message, SuppressionRule
from concierge.messaging.services import send_message, send_queued
from concierge.messaging.tests.factories import grant, make_guest, make_template

pytestmark = pytest.mark.django_db


def _send(guest, key, channel="email", **extra):
    return send_message(guest=guest, template_code="spring-offer", channel=channel, idempotency_key=key, **extra)


@pytest.fixture
def template(db):
    return make_template("email")


def test_no_consent_on_the_channel_suppresses(inbox, frontdesk_a, property_a, template, no_quiet_hours):
    guest = make_guest(frontdesk_a, property_a, channels=())

    message = _send(guest, "k1")

    assert (message.status, message.reason) == ("suppressed", "no_consent")
    assert inbox.count() == 0


def test_a_refusal_suppresses_even_transactional_messages(inbox, frontdesk_a, property_a, no_quiet_hours):
    make_template("email", code="receipt", purpose="transactional")
    guest = make_guest(frontdesk_a, property_a, channels=())
    grant(guest, "email", False)

    refused = send_message(guest=guest, template_code="receipt", channel="email", idempotency_key="k2")
    assert (refused.status, refused.reason) == ("suppressed", "no_consent")
    never_asked = make_guest(frontdesk_a, property_a, channels=())
    message = send_message(guest=never_asked, template_code="receipt", channel="email", idempotency_key="k3")
    assert message.status == "sent"  # transactional: sent unless refused
    assert inbox.count() == 1


def test_consent_on_another_channel_does_not_count(gateway, frontdesk_a, property_a, no_quiet_hours):
    make_template("sms", subject_zh="", subject_en="")
    guest = make_guest(frontdesk_a, property_a, channels=("email",))

    assert _send(guest, "k4", channel="sms").reason == "no_consent"
    assert gateway.requests == []


def test_an_unsuitable_guest_never_receives_anything(inbox, guest_zh, template, no_quiet_hours):
    guest_zh.status = "unsuitable"
    guest_zh.save(update_fields=["status"])
    make_template("email", code="receipt", purpose="transactional")

    assert _send(guest_zh, "k5").reason == "unsuitable"
    assert send_message(guest=guest_zh, template_code="receipt", channel="email",
                        idempotency_key="k6").reason == "unsuitable"
    assert inbox.count() == 0


def test_an_erased_guest_never_receives_anything(inbox, guest_zh, template, no_quiet_hours):
    from concierge.guests.models import Guest

    Guest.objects.filter(pk=guest_zh.pk).update(status="erased")
    guest_zh.refresh_from_db()

    assert _send(guest_zh, "k7").reason == "erased"
    assert inbox.count() == 0


def test_a_merged_profile_is_not_messaged(inbox, frontdesk_a, property_a, guest_zh, template, no_quiet_hours):
    from concierge.guests.models import Guest

    survivor = make_guest(frontdesk_a, property_a)
    Guest.objects.filter(pk=guest_zh.pk).update(merged_into=survivor)
    guest_zh.refresh_from_db()

    assert _send(guest_zh, "k8").reason == "merged"


def test_no_address_suppresses(inbox, frontdesk_a, property_a, template, no_quiet_hours):
    guest = make_guest(frontdesk_a, property_a, email="")
    guest.email = ""
    guest.save(update_fields=["email"])

    assert _send(guest, "k9").reason == "no_address"


def test_the_monthly_cap_stops_marketing_after_n_messages(inbox, guest_zh, template, no_quiet_hours):
    make_template("email", code="receipt", purpose="transactional")
    statuses = [_send(guest_zh, f"cap-{i}").status for i in range(4)]

    assert statuses == ["sent", "sent", "sent", "suppressed"]
    assert Message.objects.get(idempotency_key="cap-3").reason == "cap_reached"
    # Transactional messages are not counted and not capped.
    assert send_message(guest=guest_zh, template_code="receipt", channel="email",
                        idempotency_key="receipt-1").status == "sent"
    assert inbox.count() == 4


def test_the_cap_starts_again_with_the_month_in_the_property_time_zone(inbox, guest_zh, template, no_quiet_hours):
    no_quiet_hours.monthly_cap = 1
    no_quiet_hours.save()
    with freeze_time("2026-03-31T15:30:00Z"):  # 23:30 on 31 March in Shanghai
        assert _send(guest_zh, "m-1").status == "sent"
        assert _send(guest_zh, "m-2").reason == "cap_reached"
    with freeze_time("2026-03-31T16:30:00Z"):  # 00:30 on 1 April in Shanghai, still March in UTC
        assert _send(guest_zh, "m-3").status == "sent"


@pytest.fixture
def evening_quiet(property_a):
    property_a.timezone = "Asia/Shanghai"
    property_a.save()
    return SuppressionRule.objects.create(property=property_a, quiet_start=dt.time(21), quiet_end=dt.time(8),
                                          monthly_cap=None)


def test_quiet_hours_hold_marketing_until_they_end_in_the_property_time_zone(inbox, guest_zh, template,
                                                                                evening_quiet):
    with freeze_time("2026-05-04T14:00:00Z"):  # 22:00 in Shanghai (but 14:00 UTC: outside quiet hours in UTC)
        message = _send(guest_zh, "q-1")
        assert (message.status, message.reason) == ("queued", "quiet_hours")
        assert message.not_before == dt.datetime(2026, 5, 5, 0, 0, tzinfo=dt.UTC)  # 08:00 Shanghai
        assert send_queued().claimed == 0
    with freeze_time("2026-05-04T23:59:00Z"):  # 07:59 Shanghai: still quiet
        assert send_queued().claimed == 0
    with freeze_time("2026-05-05T00:01:00Z"):  # 08:01 Shanghai
        result = send_queued(rate_per_second=0)
    assert result.sent == 1
    message.refresh_from_db()
    assert (message.status, message.reason) == ("sent", "")
    assert inbox.count() == 1


def test_quiet_hours_follow_each_property_time_zone(inbox, frontdesk_a, property_a, template, evening_quiet):
    property_a.timezone = "Europe/London"
    property_a.save()
    guest = make_guest(frontdesk_a, property_a)
    with freeze_time("2026-05-04T14:00:00Z"):  # 15:00 in London: daytime
        assert _send(guest, "q-2").status == "sent"
    with freeze_time("2026-05-04T21:30:00Z"):  # 22:30 in London
        assert _send(guest, "q-3").reason == "quiet_hours"


def test_quiet_hours_do_not_hold_transactional_messages(inbox, guest_zh, evening_quiet):
    make_template("email", code="receipt", purpose="transactional")
    with freeze_time("2026-05-04T14:00:00Z"):
        assert send_message(guest=guest_zh, template_code="receipt", channel="email",
                            idempotency_key="r-q").status == "sent"


def test_a_queued_message_is_checked_again_when_it_goes_out(inbox, guest_zh, template, evening_quiet):
    with freeze_time("2026-05-04T14:00:00Z"):
        message = _send(guest_zh, "q-4")
    grant(guest_zh, "email", False, source="phone call")
    with freeze_time("2026-05-05T01:00:00Z"):
        send_queued(rate_per_second=0)
    message.refresh_from_db()
    assert (message.status, message.reason) == ("suppressed", "no_consent")
    assert inbox.count() == 0


def test_an_unknown_template_is_an_error_naming_the_field(guest_zh):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        _send(guest_zh, "x")
    assert "template_code" in error.value.message_dict
