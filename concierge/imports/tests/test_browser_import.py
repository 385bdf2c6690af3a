"""The import page in a real browser: upload a GBK CSV, read the preview, run the import, watch the htmx progress
bar until the summary appears. Screenshots land in var/screenshots/."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from concierge.imports.tests.factories import csv_bytes  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.urls("concierge.imports.tests.urls")]

SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


@pytest.fixture
def page(live_server):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=live_server.url,
                                      locale="en-US")
        context.set_default_timeout(15_000)
        yield context.new_page()
        browser.close()


def test_upload_preview_import_and_progress(page, tmp_path, monkeypatch, property_a):
    from django.db import connections

    from concierge.accounts.models import User
    from concierge.guests.models import Guest
    from concierge.imports import tasks
    from concierge.imports.models import ImportBatch
    from concierge.imports.services import import_batch_execute

    queued: list[int] = []
    monkeypatch.setattr(tasks.run_import_batch, "delay", queued.append)  # the test plays the worker
    User.objects.create_user(username="mgr", password="concierge-demo-1", role="manager", language="en")
    path = tmp_path / "客户.csv"
    path.write_bytes(csv_bytes([["客户编号", "姓名", "手机", "生日"], ["G1", "王芳", "13900001111", "1985-12-12"],
                                ["G2", "", "13900002222", ""], ["G3", "John Smith", "", "31/02/1990"]],
                               encoding="gbk"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto("/login/")
    page.fill("#id_username", "mgr")
    page.fill("#id_password", "concierge-demo-1")
    page.locator("form[action='/login/'] button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto("/imports/")
    page.set_input_files("input[name=file]", str(path))
    page.fill("input[name=source]", "pms")
    page.click("[data-testid=import-upload] button[type=submit]")

    expect(page.get_by_test_id("preview-rows")).to_contain_text("王芳")
    expect(page.get_by_test_id("preview-rows")).to_contain_text("The row has no name")
    page.screenshot(path=str(SCREENSHOTS / "import-preview.png"), full_page=True)

    page.get_by_test_id("run-import").click()
    expect(page.get_by_test_id("import-progress")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "import-queued.png"))
    import_batch_execute(batch_id=queued[0])

    expect(page.get_by_test_id("import-summary")).to_be_visible()  # htmx polled, saw it finish, reloaded
    expect(page.get_by_test_id("rejected-rows")).to_contain_text("The row has no name")
    page.screenshot(path=str(SCREENSHOTS / "import-summary.png"), full_page=True)
    assert Guest.objects.count() == 2
    assert ImportBatch.objects.get().status == "succeeded"
    # ORM calls made while Playwright's sync API runs get their own connection (another context); close it, or
    # PostgreSQL cannot drop the test database at the end of the session.
    connections.close_all()
