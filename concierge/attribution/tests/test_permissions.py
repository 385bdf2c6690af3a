"""Who may use attribution: marketing, managers and administrators — the pages and the API agree."""
from __future__ import annotations

import pytest
from django.urls import reverse

from concierge.attribution.tests.conftest import card, cards_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(frontdesk_a, service_a, marketing, manager):
    from concierge.accounts.models import User

    admin = User.objects.create_user(username="ada", password="test-password-123", role="admin")
    sales = User.objects.create_user(username="sid", password="test-password-123", role="sales_rep")
    return {"front_desk": frontdesk_a, "service_agent": service_a, "sales_rep": sales, "marketing": marketing,
            "manager": manager, "admin": admin}


ALLOWED = {"front_desk": False, "service_agent": False, "sales_rep": False, "marketing": True, "manager": True,
           "admin": True}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_pages_and_api_allow_the_same_roles(client, users, trade_show, role):
    client.force_login(users[role])
    pages = [client.get(reverse("attribution:roi_list")).status_code,
             client.get(reverse("attribution:campaign_detail", args=[trade_show.pk])).status_code]
    api = [client.get(reverse("api:attribution-campaign-list")).status_code,
           client.get(reverse("api:attribution-campaign-detail", args=[trade_show.pk])).status_code]
    expected = 200 if ALLOWED[role] else 403
    assert pages == [expected, expected] and api == [expected, expected]
    upload_page = client.post(reverse("attribution:lead_upload", args=[trade_show.pk]),
                              {"file": _file()}).status_code
    upload_api = client.post(reverse("api:attribution-lead-import-create", args=[trade_show.pk]),
                             {"file": _file()}).status_code
    assert (upload_page in (302, 200)) == ALLOWED[role] and (upload_api == 202) == ALLOWED[role]
    if not ALLOWED[role]:
        assert upload_page == 403 and upload_api == 403


def _file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("cards.csv", cards_csv([card(1, email="bad@")]), content_type="text/csv")


def test_only_managers_change_settings(client, users):
    for role, status in (("marketing", 403), ("manager", 200), ("admin", 200)):
        client.force_login(users[role])
        assert client.get(reverse("attribution:settings")).status_code == status


def test_settings_form_rejects_a_bad_window_and_saves_a_good_one(client, users, settings):
    from concierge.attribution.models import AttributionSettings

    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.force_login(users["manager"])
    bad = client.post(reverse("attribution:settings"), {"by_guest": "on", "lead_window_days": "0"})
    assert bad.status_code == 400 and "lead_window_days" in bad.context["form"].errors
    client.post(reverse("attribution:settings"), {"by_guest": "on", "lead_window_days": "365"})
    conf = AttributionSettings.load()
    assert (conf.by_guest, conf.by_company, conf.lead_window_days) == (True, False, 365)


def test_api_lead_import_returns_a_job_with_errors_by_row_and_field(client, marketing, trade_show):
    client.force_login(marketing)
    response = client.post(reverse("api:attribution-lead-import-create", args=[trade_show.pk]), {"file": _file()})
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "invalid" and job["errors"][0]["row"] == 2 and job["errors"][0]["field"] == "email"
    status = client.get(reverse("api:attribution-lead-import-detail", args=[job["id"]])).json()
    assert status["id"] == job["id"] and status["errors_count"] == 1


def test_message_campaigns_take_no_leads(client, marketing, property_a):
    from concierge.campaigns.models import Campaign

    campaign = Campaign.objects.create(name="Spring mail", kind="message", property=property_a)
    client.force_login(marketing)
    response = client.post(reverse("api:attribution-lead-import-create", args=[campaign.pk]), {"file": _file()})
    assert response.status_code == 400


def test_panels_are_registered_with_the_campaign_page(marketing, frontdesk_a, trade_show):
    from concierge.campaigns.selectors import campaign_report_panels

    templates = [t for t, _c in campaign_report_panels(campaign=trade_show, user=marketing)]
    assert "attribution/partials/roi_panel.html" in templates
    assert "attribution/partials/leads_panel.html" in templates
    assert not [t for t, _c in campaign_report_panels(campaign=trade_show, user=frontdesk_a)
                if t.startswith("attribution/")]
