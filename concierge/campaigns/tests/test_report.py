"""The campaign report: per-variant counts and rates from the outbox and the touches, the CSV, the panel registry."""
from __future__ import annotations

import pytest

from concierge.campaigns import selectors, services
from concierge.campaigns.models import CampaignTouch
from concierge.messaging.models import Message
from concierge.messaging.services import guest_unsubscribe, send_queued

pytestmark = pytest.mark.django_db


def test_report_counts_each_variant_once_per_message(campaign, audience, inbox):
    services.campaign_start(campaign_id=campaign.pk)
    send_queued()
    messages = {m.guest_id: m for m in Message.objects.filter(source="campaign", source_id=campaign.pk)}
    sent = [messages[audience[k].pk] for k in ("wang", "li", "chen", "smith")]
    for message in sent[:3]:
        services.touch_open(message_id=message.pk)
        services.touch_open(message_id=message.pk)  # a second load of the pixel counts once
    services.touch_click(message_id=sent[0].pk, url="https://hotel.example.cn/book?code=SPRING20&lang=zh")
    services.touch_click(message_id=sent[0].pk, url="https://hotel.example.cn/book?code=SPRING20&lang=zh")
    guest_unsubscribe(guest_id=sent[1].guest_id, channel="email", reference=sent[1].idempotency_key)

    report = {row.label: row for row in selectors.campaign_report(campaign)}

    template_of = {v.template_id: v.label for v in campaign.variants.all()}
    expected: dict[str, dict[str, int]] = {"A": {}, "B": {}}
    for message in messages.values():
        counts = expected[template_of[message.template_id]]
        counts["recipients"] = counts.get("recipients", 0) + 1
        counts[message.status] = counts.get(message.status, 0) + 1
    for label, row in report.items():
        assert row.recipients == expected[label].get("recipients", 0)
        assert row.sent == expected[label].get("sent", 0)
        assert row.suppressed == expected[label].get("suppressed", 0)
        assert sum(row.suppressed_by_reason.values()) == row.suppressed
    assert sum(r.sent for r in report.values()) == 4
    assert sum(r.suppressed for r in report.values()) == 2
    assert sum(r.opens for r in report.values()) == 3
    assert sum(r.clicks for r in report.values()) == 1
    assert sum(r.unsubscribes for r in report.values()) == 1
    label_of_click = template_of[sent[0].template_id]
    row = report[label_of_click]
    assert row.click_rate == round(100 * row.clicks / row.sent, 1)
    campaign.refresh_from_db()
    progress = selectors.campaign_progress(campaign)
    assert (progress.audience, progress.enqueued, progress.sent, progress.suppressed) == (6, 6, 4, 2)
    assert dict((code, n) for code, _label, n in progress.suppressed_by_reason) == {"no_consent": 1, "unsuitable": 1}
    assert CampaignTouch.objects.filter(campaign=campaign, kind="opened").count() == 3


def test_the_csv_and_the_registered_panels_appear_on_the_detail_page(campaign, audience, inbox, client, marketer):
    services.campaign_start(campaign_id=campaign.pk)
    send_queued()

    def roi_panel(c, user):
        return ("campaigns/tests/panel.html", {"text": f"ROI for {c.pk} seen by {user.username}"})

    selectors.CAMPAIGN_REPORT_PANELS.append(roi_panel)
    selectors.CAMPAIGN_REPORT_PANELS.append(lambda c, user: None)
    try:
        client.force_login(marketer)
        page = client.get(f"/campaigns/{campaign.pk}/")
        csv = client.get(f"/campaigns/{campaign.pk}/report.csv")
    finally:
        del selectors.CAMPAIGN_REPORT_PANELS[-2:]

    assert page.status_code == 200
    assert f"ROI for {campaign.pk} seen by mia" in page.content.decode()
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0].startswith("Variant,Template,Share (%),Recipients,Sent,Suppressed")
    assert len(lines) == 3 and lines[1].startswith("A,Spring A,50,")
