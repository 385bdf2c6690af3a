"""Dragging an opportunity card to another kanban column in real Chromium (Debian's, via Playwright), then reading
the database; dropping on "Lost" asks for the reason first."""
from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
PASSWORD = "test-password-123"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1600, "height": 900}, base_url=live_server.url, locale="en-US",
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = context.new_page()
    external: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    yield page
    context.close()
    assert not [u for u in external if u.startswith("http")], f"requests left the server: {external}"
    assert not errors, f"JavaScript errors: {errors}"


def _login(page: Page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    expect(page.locator(".app-sidebar")).to_be_visible()


def test_dragging_a_card_moves_the_opportunity(page: Page, stages, rep_a, company_a, property_a):
    from concierge.pipeline.models import Opportunity, StageChange
    from concierge.pipeline.tests.factories import make_opportunity

    opp = make_opportunity(owner=rep_a, company=company_a, property=property_a, value=4000, title="Spring congress")
    lost_one = make_opportunity(owner=rep_a, company=company_a, property=property_a, title="Team dinner")
    _login(page, "rita")
    page.goto("/pipeline/")
    card = page.get_by_test_id(f"card-{opp.pk}")
    expect(page.get_by_test_id("column-lead").get_by_test_id(f"card-{opp.pk}")).to_be_visible()

    card.drag_to(page.get_by_test_id("column-proposal"))
    expect(page.get_by_test_id("column-proposal").get_by_test_id(f"card-{opp.pk}")).to_be_visible()
    expect(page.get_by_test_id("column-proposal").get_by_test_id(f"card-{opp.pk}")).to_have_attribute(
        "data-version", "2")
    opp.refresh_from_db()
    assert opp.stage == stages["Proposal"] and opp.probability == 50 and opp.version == 2
    assert StageChange.objects.filter(opportunity=opp, to_stage=stages["Proposal"], changed_by=rep_a).exists()

    # Someone else moves it meanwhile: the next drag from this (stale) board is refused with a message.
    Opportunity.objects.filter(pk=opp.pk).update(version=3)
    page.get_by_test_id(f"card-{opp.pk}").drag_to(page.get_by_test_id("column-negotiation"))
    expect(page.get_by_test_id("move-error")).to_contain_text("Reload the page")
    opp.refresh_from_db()
    assert opp.stage == stages["Proposal"]

    # Dropping on Lost asks for a reason.
    page.get_by_test_id(f"card-{lost_one.pk}").drag_to(page.get_by_test_id("column-lost"))
    expect(page.locator("#lose-modal")).to_be_visible()
    page.select_option("#lose-modal select[name=lost_reason]", "competitor")
    page.locator("#lose-modal button[type=submit]").click()
    expect(page.get_by_test_id("column-lost").get_by_test_id(f"card-{lost_one.pk}")).to_be_visible()
    lost_one.refresh_from_db()
    assert (lost_one.status, lost_one.lost_reason) == ("lost", "competitor")
