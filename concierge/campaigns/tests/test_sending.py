"""Starting a campaign: snapshot, deterministic A/B split, one message per guest however often it starts, real SMTP
delivery with suppression at send time, bounces, and the campaign finishing."""
from __future__ import annotations

import pytest

from concierge.campaigns import services
from concierge.campaigns.models import Campaign, CampaignTouch
from concierge.campaigns.services import campaign_start, variant_bucket
from concierge.messaging.models import Message
from concierge.messaging.services import send_queued
from concierge.segments.models import SegmentSnapshot

pytestmark = pytest.mark.django_db


def _messages(campaign):
    return Message.objects.filter(source="campaign", source_id=campaign.pk)


def test_start_records_the_snapshot_and_enqueues_one_message_per_member(campaign, audience):
    assert campaign.status == "scheduled"

    assert campaign_start(campaign_id=campaign.pk) is True

    campaign.refresh_from_db()
    assert campaign.status == "sending" and campaign.enqueued_at is not None
    assert campaign.snapshot is not None and campaign.snapshot.count == len(audience) == campaign.audience_count
    assert set(campaign.snapshot.members.values_list("guest_id", flat=True)) == {g.pk for g in audience.values()}
    keys = set(_messages(campaign).values_list("idempotency_key", flat=True))
    assert keys == {f"campaign:{campaign.pk}:guest:{g.pk}" for g in audience.values()}
    assert set(_messages(campaign).values_list("status", flat=True)) == {"queued"}


def test_starting_twice_never_produces_a_second_message_or_snapshot(campaign, audience):
    assert campaign_start(campaign_id=campaign.pk) is True
    assert campaign_start(campaign_id=campaign.pk) is False
    services.campaign_enqueue(campaign_id=campaign.pk)  # a resumed enqueue after a crash inserts nothing new
    services.campaigns_dispatch()

    assert _messages(campaign).count() == len(audience)
    assert SegmentSnapshot.objects.filter(segment=campaign.segment).count() == 1


def test_a_future_campaign_is_not_started_by_the_dispatcher(marketer, property_a, templates, audience, no_quiet_hours):
    import datetime as dt

    from django.utils import timezone

    from concierge.campaigns.tests.factories import make_campaign

    later = make_campaign(marketer, property_a, templates[:1], scheduled_at=timezone.now() + dt.timedelta(hours=2))

    assert services.campaigns_dispatch()["started"] == 0
    later.refresh_from_db()
    assert later.status == "scheduled" and not _messages(later).exists()


def test_the_ab_split_is_deterministic_and_follows_the_shares(campaign, audience, templates):
    campaign_start(campaign_id=campaign.pk)
    variant_a, variant_b = campaign.variants.order_by("label")

    for message in _messages(campaign):
        expected = templates[0] if variant_bucket(campaign.pk, message.guest_id) < 50 else templates[1]
        assert message.template_id == expected.pk
    # Over many ids a 30/70 split lands near 30/70, and the same id always lands in the same bucket.
    buckets = [variant_bucket(campaign.pk, guest_id) for guest_id in range(1, 10001)]
    share_a = sum(1 for b in buckets if b < 30) / len(buckets)
    assert 0.28 < share_a < 0.32
    assert buckets == [variant_bucket(campaign.pk, guest_id) for guest_id in range(1, 10001)]
    assert services.pick_variant(29, [(30, "A"), (70, "B")]) == "A"
    assert services.pick_variant(30, [(30, "A"), (70, "B")]) == "B"
    assert services.pick_variant(99, [(0, "A"), (100, "B")]) == "B"


def test_delivery_over_real_smtp_in_chinese_honours_suppression_and_finishes(campaign, audience, inbox):
    campaign_start(campaign_id=campaign.pk)

    result = send_queued()
    services.campaign_finish(campaign_id=campaign.pk)

    assert (result.sent, result.suppressed) == (4, 2)
    by_guest = {m.guest_id: m for m in _messages(campaign)}
    assert by_guest[audience["noconsent"].pk].reason == "no_consent"
    assert by_guest[audience["unsuitable"].pk].reason == "unsuitable"
    received = {m["To"]: m for m in inbox.messages}
    assert set(received) == {"wang.fang@example.cn", "li.na@example.cn", "chen.jie@example.cn",
                             "john.smith@example.com"}
    wang = received["wang.fang@example.cn"]
    assert wang["Subject"].strip().startswith("上海外滩酒店：王芳，春季特惠")
    assert wang["X-Concierge-Message"] == f"campaign:{campaign.pk}:guest:{audience['wang'].pk}"
    assert "春季入住享八折，优惠码 SPRING20" in wang.get_body(("plain",)).get_content()
    assert "spring offer for SMITH John" in received["john.smith@example.com"]["Subject"]
    assert "?ref=campaign%3A" in wang["List-Unsubscribe"]
    campaign.refresh_from_db()
    assert campaign.status == "sent" and campaign.finished_at is not None
    sent_touches = CampaignTouch.objects.filter(campaign=campaign, kind="sent")
    assert sent_touches.count() == 4 and CampaignTouch.objects.filter(campaign=campaign, kind="delivered").count() == 4
    assert set(sent_touches.values_list("variant__label", flat=True)) <= {"A", "B"}


def test_an_unsubscribed_guest_is_suppressed_at_send_time(campaign, audience, inbox):
    from concierge.messaging.services import guest_unsubscribe

    campaign_start(campaign_id=campaign.pk)
    guest_unsubscribe(guest_id=audience["li"].pk, channel="email")  # after enqueue, before delivery

    send_queued()

    message = _messages(campaign).get(guest=audience["li"])
    assert (message.status, message.reason) == ("suppressed", "unsubscribed")
    assert "li.na@example.cn" not in inbox.recipients


def test_a_recipient_refused_by_the_smtp_server_is_a_bounce(campaign, audience, inbox):
    wang = audience["wang"]
    wang.email = "bounce.wang@example.cn"
    wang.save(update_fields=["email"])
    campaign_start(campaign_id=campaign.pk)

    send_queued()

    message = _messages(campaign).get(guest=wang)
    assert message.status == "failed" and message.error.startswith("recipient_refused")
    bounce = CampaignTouch.objects.get(campaign=campaign, kind="bounced")
    assert (bounce.guest_id, bounce.message_id) == (wang.pk, message.pk)
    assert not CampaignTouch.objects.filter(campaign=campaign, kind="sent", guest=wang).exists()


def test_cancelling_a_scheduled_campaign_stops_it(campaign, marketer):
    services.campaign_cancel(actor=marketer, campaign=campaign)

    assert campaign_start(campaign_id=campaign.pk) is False
    assert Campaign.objects.get(pk=campaign.pk).status == "cancelled"
    assert not _messages(campaign).exists()
    with pytest.raises(Exception, match="cancelled"):
        services.campaign_cancel(actor=marketer, campaign=campaign)


def test_the_beat_task_starts_and_finishes_a_due_campaign(campaign, audience, inbox, settings, eager_celery):
    from concierge.campaigns import tasks

    assert settings.CELERY_BEAT_SCHEDULE["campaigns-dispatch-every-minute"]["task"] == tasks.dispatch.name
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the follow-up deliver task runs in this process

    first = tasks.dispatch.apply().get()

    assert first["started"] == 1
    campaign.refresh_from_db()
    assert campaign.status == "sent"
    assert inbox.count() == 4
