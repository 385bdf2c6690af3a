"""A rep's morning in a real browser (Debian Chromium via Playwright): Today lists the due task, "Done" ticks it off,
and the account page shows the plan, team, ownership history and group tree. Screenshots land in var/screenshots/."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


@pytest.fixture
def page(live_server):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=live_server.url,
                                      locale="en-US", timezone_id="Asia/Shanghai")
        context.set_default_timeout(15_000)
        page = context.new_page()
        external: list[str] = []
        page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
        yield page
        context.close()
        browser.close()
        assert not [u for u in external if u.startswith("http")], f"requests left the server: {external}"


def test_a_rep_ticks_off_todays_task_and_opens_the_account(page: Page, company, rep, sales_manager):
    from django.utils import timezone

    from concierge.sales.services import account_plan_save, account_team_add
    from concierge.worklist.models import Task
    from concierge.worklist.services import task_create

    task, _ = task_create(title="Visit Acme: quarterly review", kind="visit", assignee=rep, company=company,
                          due_on=timezone.localdate())
    account_plan_save(company=company, actor=rep, potential_room_nights=1500, competitor_hotels="Hilton\nHyatt")
    account_team_add(company=company, user=sales_manager, role="executive", actor=sales_manager)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto("/login/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "test-password-123")
    page.locator("form[action='/login/'] button[type=submit]").click()
    page.locator(".app-sidebar a[href='/sales/today/']").click()
    due = page.get_by_test_id("today-due")
    expect(due).to_contain_text("Visit Acme: quarterly review")
    page.screenshot(path=str(SCREENSHOTS / "sales-01-today.png"), full_page=True)
    due.get_by_role("button", name="Mark done").click()
    expect(page.get_by_test_id("today-due")).to_contain_text("No task due today.")
    task.refresh_from_db()
    assert task.status == "done" and task.done_by == rep

    page.goto(f"/sales/accounts/{company.pk}/")
    expect(page.get_by_test_id("account-plan")).to_contain_text("Hilton")
    expect(page.get_by_test_id("account-team")).to_contain_text("Mona")
    expect(page.get_by_test_id("ownership-history")).to_contain_text("Rita")
    expect(page.get_by_test_id("account-tree")).to_contain_text("Acme Trading")
    page.screenshot(path=str(SCREENSHOTS / "sales-02-account.png"), full_page=True)
    assert not Task.objects.filter(status="open", assignee=rep).exists()
