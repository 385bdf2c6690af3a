"""Screens and API share one permission matrix; form and API validation name the field; stale versions are 409s."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from concierge.campaigns.models import Campaign

pytestmark = pytest.mark.django_db

ROLES = [("marketing", 200, 200, True), ("manager", 200, 200, True), ("admin", 200, 200, True),
         ("sales_rep", 200, 200, False), ("front_desk", 403, 403, False), ("service_agent", 403, 403, False)]


def _user(role, property_a):
    from concierge.accounts.models import User

    user = User.objects.create_user(username=f"u-{role}", password="test-password-123", role=role)
    user.properties.set([property_a])
    return user


@pytest.mark.parametrize(("role", "ui_status", "api_status", "may_manage"), ROLES)
def test_the_ui_and_the_api_allow_the_same_roles(role, ui_status, api_status, may_manage, campaign, property_a,
                                                 client):
    user = _user(role, property_a)
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)

    assert client.get("/campaigns/").status_code == ui_status
    assert client.get(f"/campaigns/{campaign.pk}/").status_code == ui_status
    assert api.get("/api/v1/campaigns/").status_code == api_status
    assert api.get(f"/api/v1/campaigns/{campaign.pk}/report/").status_code == api_status
    ui_cancel = client.post(f"/campaigns/{campaign.pk}/cancel/")
    api_cancel = api.post(f"/api/v1/campaigns/{campaign.pk}/cancel/")
    if may_manage:
        assert ui_cancel.status_code == 302 and Campaign.objects.get(pk=campaign.pk).status == "cancelled"
        assert api_cancel.status_code == 400  # already cancelled by the UI
    else:
        assert ui_cancel.status_code == 403 and api_cancel.status_code == 403
        assert Campaign.objects.get(pk=campaign.pk).status == "scheduled"


def test_a_campaign_of_another_hotel_is_not_found(campaign, property_b, frontdesk_b, client, marketer, templates):
    from concierge.accounts.models import User
    from concierge.campaigns.tests.factories import make_campaign

    other = make_campaign(marketer, property_b, templates[:1])
    seller_a = User.objects.create_user(username="seller", password="test-password-123", role="sales_rep")
    seller_a.properties.set([campaign.property])
    client.force_login(seller_a)
    api = APIClient()
    api.force_authenticate(seller_a)

    assert client.get(f"/campaigns/{other.pk}/").status_code == 404
    assert api.get(f"/api/v1/campaigns/{other.pk}/").status_code == 404
    listed = [row["id"] for row in api.get("/api/v1/campaigns/").json()["results"]]
    assert campaign.pk in listed and other.pk not in listed


def _form(segment, templates, **overrides):
    data = {"name": "Autumn", "kind": "message", "channel": "email", "property": "", "segment": segment.pk,
            "scheduled_at": "", "cost": "500", "currency": "CNY", "offer_code": "", "offer_url": "",
            "tracking_enabled": "on", "attribution_window_days": "90",
            "variants-TOTAL_FORMS": "2", "variants-INITIAL_FORMS": "0",
            "variants-0-label": "A", "variants-0-template": templates[0].pk, "variants-0-share_percent": "60",
            "variants-1-label": "B", "variants-1-template": templates[1].pk, "variants-1-share_percent": "30"}
    data.update(overrides)
    return data


def test_the_form_rejects_shares_that_do_not_add_up_and_saves_when_they_do(client, marketer, campaign, templates):
    client.force_login(marketer)

    bad = client.post("/campaigns/new/", _form(campaign.segment, templates))
    assert bad.status_code == 400
    assert "must add up to 100 (now 90)" in bad.content.decode()

    good = client.post("/campaigns/new/", _form(campaign.segment, templates, **{"variants-1-share_percent": "40"}))
    assert good.status_code == 302
    created = Campaign.objects.get(name="Autumn")
    assert created.status == "draft" and [(v.label, v.share_percent) for v in created.variants.all()] == [
        ("A", 60), ("B", 40)]


def test_an_offline_trade_show_has_cost_and_dates_and_nothing_to_send(client, marketer):
    client.force_login(marketer)
    response = client.post("/campaigns/new/", {
        "name": "Canton Fair 广交会", "kind": "trade_show", "channel": "", "property": "", "segment": "",
        "starts_on": "2026-10-15", "ends_on": "2026-10-19", "cost": "1000000", "currency": "CNY",
        "attribution_window_days": "365", "variants-TOTAL_FORMS": "0", "variants-INITIAL_FORMS": "0"})
    assert response.status_code == 302
    show = Campaign.objects.get(name="Canton Fair 广交会")
    assert (show.status, show.channel, show.cost) == ("active", "", 1000000)
    page = client.get(f"/campaigns/{show.pk}/").content.decode()
    assert "1,000,000" in page or "1000000" in page
    assert "Send now" not in page
    api = APIClient()
    api.force_authenticate(marketer)
    assert api.post(f"/api/v1/campaigns/{show.pk}/send/").json()["errors"][0]["attr"] == "kind"


def test_the_api_creates_updates_with_409_on_a_stale_version_and_schedules(marketer, campaign, templates):
    api = APIClient()
    api.force_authenticate(marketer)
    payload = {"name": "Summer", "kind": "message", "channel": "email", "segment": campaign.segment_id,
               "variants": [{"label": "A", "template": templates[0].pk, "share_percent": 70},
                            {"label": "B", "template": templates[1].pk, "share_percent": 20}]}

    bad = api.post("/api/v1/campaigns/", payload, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "variants"
    payload["variants"][1]["share_percent"] = 30
    created = api.post("/api/v1/campaigns/", payload, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["version"] == 1

    first = api.patch(f"/api/v1/campaigns/{body['id']}/", {"name": "Summer 2", "version": 1}, format="json")
    stale = api.patch(f"/api/v1/campaigns/{body['id']}/", {"name": "Summer 3", "version": 1}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 2
    assert stale.status_code == 409 and stale.json()["errors"][0]["code"] == "stale_version"

    scheduled = api.post(f"/api/v1/campaigns/{body['id']}/schedule/", {"send_at": "2030-01-01T09:00:00+08:00"},
                         format="json")
    assert scheduled.status_code == 200 and scheduled.json()["status"] == "scheduled"
    cancelled = api.post(f"/api/v1/campaigns/{body['id']}/cancel/")
    assert cancelled.json()["status"] == "cancelled"


def test_the_detail_page_previews_each_variant_in_both_languages(client, marketer, campaign):
    client.force_login(marketer)
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()

    assert "春季入住享八折，优惠码 SPRING20" in page and "20% off this spring, code SPRING20" in page
    previews = page[page.index('data-testid="previews"'):]
    assert previews.count('lang="zh-hans"') == 2 and previews.count('lang="en"') == 2  # variants A and B


def test_the_progress_partial_polls_while_sending(client, marketer, campaign):
    from concierge.campaigns.services import campaign_start

    campaign_start(campaign_id=campaign.pk)
    client.force_login(marketer)
    response = client.get(f"/campaigns/{campaign.pk}/progress/", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert 'hx-trigger="every 3s"' in html
    assert 'data-testid="enqueued">6<' in html
