"""The API docs page in a real browser: it renders the schema offline for a signed-in user."""
from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests", allow_module_level=True)

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context(live_server):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        yield context
        context.close()
        browser.close()


def test_the_docs_page_lists_the_endpoints_from_the_schema_without_leaving_the_server(
    browser_context, live_server, frontdesk_a
):
    client = Client()
    client.force_login(frontdesk_a)
    browser_context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                                  "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page = browser_context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)

    page.goto("/api/v1/docs/")
    # The schema is generated on request (a few seconds on a busy machine): allow for it on the first look.
    expect(page.locator("summary", has_text="/api/v1/guests/{id}/card/")).to_be_visible(timeout=60_000)
    page.fill("#filter", "lookup")
    expect(page.locator("details.endpoint:visible")).to_have_count(1)
    page.locator("summary", has_text="/api/v1/guests/lookup/").click()
    expect(page.locator("details.endpoint[open]")).to_contain_text("id_number")
    assert outside == []


def test_the_docs_page_asks_an_anonymous_visitor_to_sign_in(browser_context):
    page = browser_context.new_page()
    page.goto("/api/v1/docs/")
    expect(page.locator("#status")).to_contain_text("Sign in")
