"""Open pixel and click redirect: counted once, signed, no open redirect; tracking off per property; the
unsubscribe link of a campaign message is recorded as a touch."""
from __future__ import annotations

import re

import pytest
from django.test import Client

from concierge.campaigns.models import CampaignTouch
from concierge.campaigns.services import campaign_start, tracking_setting_set
from concierge.campaigns.tracking import click_token, open_token
from concierge.messaging.models import Message
from concierge.messaging.services import send_queued

pytestmark = pytest.mark.django_db


def _sent_html(inbox, address):
    message = next(m for m in inbox.messages if m["To"] == address)
    return message, message.get_body(("html",)).get_content()


def _path(url: str) -> str:
    return url.replace("https://crm.example.cn", "")


def test_the_html_part_carries_a_pixel_and_tracked_links_and_each_counts_once(campaign, audience, inbox):
    campaign_start(campaign_id=campaign.pk)
    send_queued()
    email, html = _sent_html(inbox, "wang.fang@example.cn")
    message = Message.objects.get(idempotency_key=email["X-Concierge-Message"])

    pixel = re.search(r'<img src="([^"]+/t/o/[^"]+\.gif)"', html).group(1)
    clicks = re.findall(r'<a href="(https://crm\.example\.cn/t/c/[^"]+)">', html)
    assert len(clicks) == 1  # the offer link; the unsubscribe link stays direct
    assert 'href="https://crm.example.cn/m/u/' in html
    client = Client()

    for _ in range(3):
        response = client.get(_path(pixel))
        assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    for _ in range(2):
        response = client.get(_path(clicks[0].replace("&amp;", "&")))
        assert response.status_code == 302
        assert response["Location"] == "https://hotel.example.cn/book?code=SPRING20&lang=zh"

    touches = CampaignTouch.objects.filter(message=message)
    assert sorted(touches.values_list("kind", flat=True)) == ["clicked", "delivered", "opened", "sent"]
    clicked = touches.get(kind="clicked")
    assert clicked.detail == "https://hotel.example.cn/book?code=SPRING20&lang=zh"
    assert clicked.variant.campaign_id == campaign.pk and clicked.guest_id == audience["wang"].pk


def test_a_tampered_or_foreign_click_token_never_redirects(campaign, audience, inbox):
    campaign_start(campaign_id=campaign.pk)
    send_queued()
    message = Message.objects.filter(source_id=campaign.pk, status="sent").first()
    client = Client()
    good = click_token(message.pk, "https://hotel.example.cn/book?code=SPRING20&lang=zh")

    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    assert client.get(f"/t/c/{tampered}/").status_code == 404
    # Validly signed by us but naming a link that was not in the message (e.g. a leaked signing of another URL).
    evil = click_token(message.pk, "https://evil.example.com/")
    assert client.get(f"/t/c/{evil}/").status_code == 404
    # An open-pixel token is not a click token (different salt).
    assert client.get(f"/t/c/{open_token(message.pk)}/").status_code == 404
    assert client.get("/t/o/garbage.gif").status_code == 404
    assert not CampaignTouch.objects.filter(kind__in=["clicked", "opened"]).exists()


def test_tracking_switched_off_for_the_property_sends_plain_links(campaign, audience, inbox, marketer, property_a):
    tracking_setting_set(actor=marketer, property=property_a, tracking_allowed=False)
    campaign_start(campaign_id=campaign.pk)
    send_queued()

    _email, html = _sent_html(inbox, "li.na@example.cn")

    assert "/t/o/" not in html and "/t/c/" not in html
    assert "https://hotel.example.cn/book?code=SPRING20&amp;lang=zh" in html  # as text, untouched


def test_the_unsubscribe_link_of_a_campaign_message_records_a_touch(campaign, audience, inbox):
    campaign_start(campaign_id=campaign.pk)
    send_queued()
    email, _html = _sent_html(inbox, "chen.jie@example.cn")
    link = email["List-Unsubscribe"].strip().strip("<>")

    response = Client().post(_path(link))  # the RFC 8058 one-click POST, no login, no CSRF token

    assert response.status_code == 200
    touch = CampaignTouch.objects.get(campaign=campaign, kind="unsubscribed")
    assert touch.guest_id == audience["chen"].pk and touch.message.idempotency_key == email["X-Concierge-Message"]
