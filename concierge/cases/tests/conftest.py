"""Service-centre fixtures on top of the shared cast (property_a, service_a, frontdesk_b, manager, guest_a)."""
from __future__ import annotations

import os

import pytest

from concierge.accounts.models import User


@pytest.fixture
def head_a(property_a):
    """Head of engineering at property A, reads English."""
    user = User.objects.create_user(username="hugo", password="test-password-123", role="manager",
                                    first_name="Hugo", email="hugo@hotel.example", language="en")
    user.properties.set([property_a])
    return user


@pytest.fixture
def account_manager(property_a):
    user = User.objects.create_user(username="amy", password="test-password-123", role="sales_rep",
                                    first_name="Amy", email="amy@hotel.example", language="en")
    user.properties.set([property_a])
    return user


# --- Playwright (browser tests): Debian's Chromium, every request must stay on the live server -------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=live_server.url,
                                  locale="en-US", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = context.new_page()
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    yield page
    context.close()
    assert not [u for u in external if u.startswith("http")], f"requests left the server: {external}"
