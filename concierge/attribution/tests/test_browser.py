"""The lead panel in a real browser (Debian Chromium via Playwright): a bad file is refused with its errors, a good
one is imported (htmx multipart upload, progress partial), and the sidebar leads to Campaign ROI."""
from __future__ import annotations

import os

import pytest

from concierge.attribution.tests.conftest import card, cards_csv

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def test_upload_cards_on_the_campaign_page(live_server, marketing, trade_show, settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_bytes(cards_csv([card(1), card(2, email="nope@")]))
    good.write_bytes(cards_csv([card(n) for n in range(1, 31)]))
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(base_url=live_server.url, locale="en-US").new_page()
        page.set_default_timeout(20_000)
        page.goto("/login/")
        page.fill("#id_username", "mia")
        page.fill("#id_password", "test-password-123")
        page.locator("form[action='/login/'] button[type=submit]").click()
        page.locator(".app-sidebar a[href='/attribution/']").click()
        expect(page.get_by_test_id("roi-table")).to_contain_text("China International Travel Mart 2025")
        page.goto(f"/attribution/campaigns/{trade_show.pk}/")

        page.set_input_files("#id_file", str(bad))
        page.get_by_role("button", name="Check and import").click()
        first = page.get_by_test_id("lead-import").first
        expect(first).to_have_attribute("data-status", "invalid")
        expect(first).to_contain_text("nothing was imported")

        page.set_input_files("#id_file", str(good))
        page.get_by_role("button", name="Check and import").click()
        expect(page.get_by_test_id("lead-import")).to_have_count(2)
        expect(page.get_by_test_id("lead-import").first).to_have_attribute("data-status", "succeeded")
        expect(page.get_by_test_id("lead-import").first).to_contain_text("30 new guests")
        browser.close()

    from concierge.attribution.models import CampaignLead

    assert CampaignLead.objects.filter(campaign=trade_show).count() == 30
