"""Duplicate review in a real browser (Debian Chromium via Playwright), against pytest-django's live server.

A manager runs the duplicate finder (its progress is polled), opens the strongest pair, merges it choosing
one value, sees the survivor's card with "Merged from #id", follows the merged profile's old link, undoes
the merge, and finally meets the warning when entering the same guest a third time.
Screenshots land in var/screenshots/ (merge-*.png).
"""
from __future__ import annotations

import datetime as dt
import os
import re
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "concierge-demo"


@pytest.fixture
def worker(monkeypatch):
    """Stands in for Celery: runs the queued finder in a thread a moment later, so the page polls for real."""
    from django.db import connection

    from concierge.dedupe import tasks

    threads: list[threading.Thread] = []

    def run(run_id: int) -> None:
        time.sleep(1.5)
        try:
            tasks.find_duplicates(run_id=run_id)
        finally:
            connection.close()

    def delay(run_id: int) -> None:
        thread = threading.Thread(target=run, args=(run_id,), daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(tasks.find_duplicates, "delay", delay)
    yield
    for thread in threads:
        thread.join(timeout=30)


@pytest.fixture
def hotel(db):
    """Property SHA, the manager login, 张伟 entered twice (once in traditional characters), 李娜 twice."""
    from concierge.accounts.models import User
    from concierge.guests.services import alert_add, guest_create, preference_add
    from concierge.properties.models import HotelGroup, Property
    from concierge.stays.services import stay_create

    group = HotelGroup.objects.create(name_zh="礼宾酒店集团", name_en="Concierge Hotels")
    sha = Property.objects.create(group=group, code="SHA", name_zh="上海外滩酒店", name_en="Shanghai Bund Hotel")
    User.objects.create_user(username="gm", password=PASSWORD, role="manager", first_name="Gao", last_name="Min")
    desk = User.objects.create_user(username="frontdesk", password=PASSWORD, role="front_desk", first_name="Lin")
    desk.properties.set([sha])

    zhang = guest_create(
        actor=desk, property=sha, family_name="张", given_name="伟", family_name_latin="ZHANG", given_name_latin="WEI",
        phone="138 0013 8000", email="zhang.wei@example.cn", birthday=dt.date(1985, 3, 7), gender="M",
        nationality="CN", id_documents=[{"doc_type": "cn_id", "number": "11010519491231002X"}], tags=["VIP"],
    )
    alert_add(actor=desk, guest=zhang, text="Severe peanut allergy", severity="critical", category="allergy")
    twin = guest_create(
        actor=desk, property=sha, family_name="張", given_name="偉", phone="+86 138-0013-8000",
        email="wei.zhang@corp.example", birthday=dt.date(1985, 3, 7), city="上海", address_1="南京西路 1266 号",
    )
    preference_add(actor=desk, guest=twin, category="pillow", value="Buckwheat pillow")
    for guest, arrivals in ((zhang, (dt.date(2025, 2, 3), dt.date(2025, 6, 9))), (twin, (dt.date(2025, 9, 14),))):
        for arrival in arrivals:
            stay_create(actor=desk, guest=guest, property=sha, arrival=arrival,
                        departure=arrival + dt.timedelta(days=2), room_nights=2, room_type="Deluxe King",
                        adr=Decimal("980"), status="checked_out")
    for phone in ("139 0000 1111", "139 0000 2222"):
        guest_create(actor=desk, property=sha, family_name="李", given_name="娜", birthday=dt.date(1990, 1, 2),
                     phone=phone)
    guest_create(actor=desk, property=sha, family_name="王", given_name="芳", phone="139 0000 0001")
    return {"zhang": zhang, "twin": twin, "property": sha}


def _login(page: Page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    expect(page.locator(".app-sidebar")).to_be_visible()


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"merge-{name}.png"), full_page=True)


def test_find_review_merge_and_undo(page: Page, hotel, worker, live_server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    zhang, twin = hotel["zhang"], hotel["twin"]
    _login(page, "gm")

    # The queue is empty until the finder runs; its progress is polled until it reports back.
    page.locator(".app-sidebar a[href='/duplicates/']").click()
    expect(page.get_by_test_id("duplicate-empty")).to_be_visible()
    page.get_by_test_id("run-finder").click()
    expect(page.get_by_test_id("finder-state")).to_contain_text(re.compile("Queued|Running"))
    _shot(page, "01-finder-running")
    expect(page.get_by_test_id("finder-state")).to_contain_text("Finished: 2 candidate pairs", timeout=20_000)
    page.get_by_role("link", name="Refresh the queue").click()

    rows = page.get_by_test_id("duplicate-row")
    expect(rows).to_have_count(2)
    zhang_row = rows.filter(has_text="张伟")
    expect(zhang_row).to_contain_text("same phone")
    _shot(page, "02-queue")

    # The pair side by side.
    zhang_row.get_by_role("link", name="Review").click()
    expect(page.get_by_test_id("comparison")).to_contain_text("張偉")
    expect(page.locator("[data-testid=comparison] tr[data-outcome=agree]").first).to_be_visible()
    _shot(page, "03-pair")

    # Merge: the newer email of the second profile is preselected; keep the name in simplified characters.
    page.get_by_test_id("merge-button").click()
    expect(page.get_by_test_id("merge-survivor")).to_contain_text(f"#{zhang.pk}")
    expect(page.locator("tr[data-group=email] input[value=merged]")).to_be_checked()
    name_row = page.locator("tr[data-group=native_name]")
    expect(name_row.locator("input[value=merged]")).to_be_checked()
    name_row.locator("input[value=survivor]").check()
    expect(name_row.locator("td").nth(0)).to_have_class(re.compile("table-success"))
    expect(name_row.locator("td").nth(1)).not_to_have_class(re.compile("table-success"))
    _shot(page, "04-merge-form")
    page.get_by_test_id("confirm-merge").click()

    expect(page.get_by_test_id("merge-summary")).to_contain_text(f"#{twin.pk}")
    expect(page.get_by_test_id("merge-moved")).to_contain_text("Stays")
    _shot(page, "05-merge-record")

    # The survivor's card: three stays now, and where it was merged from.
    page.get_by_test_id("merge-summary").get_by_role("link").nth(1).click()
    card = page.get_by_test_id("guest-card")
    expect(card.locator(".guest-name")).to_have_text("张伟")
    expect(card).to_contain_text("wei.zhang@corp.example")
    expect(page.get_by_test_id("merged-from")).to_contain_text(f"#{twin.pk}")
    _shot(page, "06-survivor-card")

    # The merged profile's old link still works: it lands on the survivor with a notice.
    page.goto(f"/guests/{twin.pk}/")
    expect(page).to_have_url(re.compile(rf"/guests/{zhang.pk}/$"))
    expect(page.locator(".messages")).to_contain_text(f"Profile #{twin.pk} was merged into this profile")

    # Undo from the merge record.
    page.get_by_test_id("merged-from").get_by_role("link").click()
    page.get_by_test_id("undo-merge").click()
    expect(page.locator(".messages")).to_contain_text("Merge undone")
    expect(page.get_by_test_id("undo-blocked")).to_contain_text("This merge was undone.")
    _shot(page, "07-undone")
    page.goto(f"/guests/{twin.pk}/")
    expect(page).to_have_url(re.compile(rf"/guests/{twin.pk}/$"))
    expect(page.get_by_test_id("guest-card")).to_contain_text("張偉")


def test_entering_a_known_guest_warns_and_create_anyway_is_possible(page: Page, hotel, live_server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    _login(page, "frontdesk")
    page.goto("/guests/new/")
    page.fill("#id_family_name", "张")
    page.fill("#id_given_name", "伟")
    page.fill("#id_phone", "13800138000")
    page.locator("form.card .card-footer button[type=submit]").click()
    warning = page.get_by_test_id("duplicate-warning")
    expect(warning).to_be_visible()
    expect(warning.get_by_test_id("duplicate-match")).to_have_count(2)
    expect(warning).to_contain_text("same phone")
    expect(warning).to_contain_text("1101**********002X")
    _shot(page, "08-create-warning")
    warning.get_by_test_id("create-anyway").click()
    expect(page.locator(".messages")).to_contain_text("Guest profile created.")
    expect(page.get_by_test_id("guest-card")).to_contain_text("张伟")
    _shot(page, "09-created-anyway")
