"""Check-in flows in a real browser (Debian Chromium via Playwright), against pytest-django's live server.

Flow 1: sign in as `frontdesk`, switch to 中文, find 张伟 by pinyin initials, open the card, add a preference.
Flow 2: the same in English, straight from a typed ID number to the card.
Screenshots land in var/screenshots/.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
ID_NUMBER = "11010519491231002X"
PASSWORD = "concierge-demo"


@pytest.fixture
def hotel(db):
    """A property, the `frontdesk` demo login, 张伟 with an ID, a critical alert, stay history and today's arrivals."""
    from django.utils import timezone

    from concierge.accounts.models import User
    from concierge.guests.services import alert_add, guest_create, interaction_log, preference_add
    from concierge.properties.models import HotelGroup, Property
    from concierge.stays.services import stay_create

    group = HotelGroup.objects.create(name_zh="礼宾酒店集团", name_en="Concierge Hotels")
    sha = Property.objects.create(group=group, code="SHA", name_zh="上海外滩酒店", name_en="Shanghai Bund Hotel")
    user = User.objects.create_user(username="frontdesk", password=PASSWORD, role="front_desk", is_demo=True,
                                    first_name="Lin", last_name="Mei")
    user.properties.set([sha])
    zhang = guest_create(
        actor=user, property=sha, family_name="张", given_name="伟", family_name_latin="ZHANG", given_name_latin="WEI",
        phone="138 0013 8000", email="zhang.wei@example.cn", nationality="CN", tags=["VIP"],
        id_documents=[{"doc_type": "cn_id", "number": ID_NUMBER}],
    )
    alert_add(actor=user, guest=zhang, text="Severe peanut allergy / 花生严重过敏", severity="critical",
              category="allergy")
    preference_add(actor=user, guest=zhang, category="floor", value="High floor")
    today = timezone.localdate()
    for months_ago, nights, room in ((11, 2, "1203"), (8, 3, "1508"), (5, 1, "1806"), (2, 4, "2101")):
        arrival = today - dt.timedelta(days=30 * months_ago)
        stay_create(actor=user, guest=zhang, property=sha, arrival=arrival,
                    departure=arrival + dt.timedelta(days=nights), room_nights=nights, room_number=room, room_type="Deluxe King", adr=Decimal("980"),
                    status="checked_out")
    stay_create(actor=user, guest=zhang, property=sha, arrival=today, departure=today + dt.timedelta(days=2),
                room_nights=2, room_number="2208", room_type="Executive Suite", adr=Decimal("1680"), status="reserved")
    others = [("王", "芳", "WANG", "FANG"), ("李", "娜", "LI", "NA"), ("", "", "SMITH", "John")]
    for i, (fam, giv, fam_l, giv_l) in enumerate(others):
        guest = guest_create(actor=user, property=sha, family_name=fam, given_name=giv, family_name_latin=fam_l,
                             given_name_latin=giv_l, phone=f"139 0000 00{i:02d}")
        stay_create(actor=user, guest=guest, property=sha, arrival=today, departure=today + dt.timedelta(days=1),
                    room_nights=1, room_number=f"1{i}12", room_type="Superior Twin", adr=Decimal("760"),
                    status="reserved")
    interaction_log(actor=user, guest=zhang, kind="call", summary="Confirmed airport pickup at 15:00")
    return {"user": user, "guest": zhang, "property": sha}


def _login(page: Page, *, chinese: bool) -> None:
    page.goto("/login/")
    if chinese:
        page.get_by_role("button", name="中文").click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.fill("#id_username", "frontdesk")
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    expect(page.locator(".app-sidebar")).to_be_visible()


def _add_preference(page: Page, value: str) -> None:
    page.get_by_test_id("tab-preferences").click()
    form = page.get_by_test_id("preference-form")
    expect(form).to_be_visible()
    form.locator("select[name=category]").select_option("pillow")
    form.locator("input[name=value]").fill(value)
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("card-preferences")).to_contain_text(value)
    expect(page.get_by_test_id("prefs-panel")).to_contain_text(value)


def test_chinese_checkin_by_pinyin_initials(page: Page, hotel, live_server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto("/login/")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.screenshot(path=str(SCREENSHOTS / "01-login-zh.png"))
    _login(page, chinese=False)  # the language choice survives the sign-in
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("arrivals-count")).to_have_text("4")
    page.wait_for_function("() => !!document.querySelector('#room-nights-chart canvas')")
    page.wait_for_timeout(1500)  # let the bars finish their entry animation
    page.screenshot(path=str(SCREENSHOTS / "02-home-zh.png"), full_page=True)

    page.locator(".app-sidebar a[href='/search/']").click()
    search = page.locator("#search-q")
    expect(search).to_be_focused()
    search.press_sequentially("zw", delay=60)
    first = page.get_by_test_id("search-hit").first
    expect(first).to_contain_text("张伟")
    page.screenshot(path=str(SCREENSHOTS / "03-search-zh.png"))
    first.click()

    expect(page).to_have_url(re.compile(rf"/guests/{hotel['guest'].pk}/$"))
    card = page.get_by_test_id("guest-card")
    expect(card).to_contain_text("张伟")
    expect(card).to_contain_text("花生严重过敏")
    page.screenshot(path=str(SCREENSHOTS / "04-guest-card-zh.png"), full_page=True)

    _add_preference(page, "荞麦枕")
    page.screenshot(path=str(SCREENSHOTS / "05-preference-added-zh.png"), full_page=True)


def test_english_checkin_by_id_number(page: Page, hotel, live_server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    _login(page, chinese=False)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    topbar = page.locator(".app-topbar input[name=q]")
    topbar.fill(ID_NUMBER.lower())
    topbar.press("Enter")
    expect(page).to_have_url(re.compile(rf"/guests/{hotel['guest'].pk}/$"))
    expect(page.get_by_test_id("guest-card")).to_contain_text("ZHANG Wei")
    page.screenshot(path=str(SCREENSHOTS / "06-guest-card-en.png"), full_page=True)

    # Reveal the masked ID number once.
    expect(page.get_by_test_id("id-document")).not_to_contain_text(ID_NUMBER)
    page.get_by_test_id("id-document").get_by_role("button").click()
    expect(page.get_by_test_id("revealed-number")).to_have_text(ID_NUMBER)

    _add_preference(page, "Buckwheat pillow")
    page.screenshot(path=str(SCREENSHOTS / "07-preference-added-en.png"), full_page=True)
    page.get_by_role("tab", name="Audit").click()
    expect(page.get_by_test_id("audit-table")).to_contain_text("Revealed")
    page.screenshot(path=str(SCREENSHOTS / "07b-audit-en.png"), full_page=True)

    # The live search box also jumps straight to the card when an ID number is typed.
    page.goto("/search/")
    page.locator("#search-q").press_sequentially(ID_NUMBER, delay=20)
    expect(page).to_have_url(re.compile(rf"/guests/{hotel['guest'].pk}/$"))

    page.goto("/guests/")
    expect(page.locator("#guest-table")).to_contain_text("SMITH")
    page.screenshot(path=str(SCREENSHOTS / "08-guest-list-en.png"), full_page=True)
    page.goto("/guests/new/")
    page.locator("form.card button[type=submit]").click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "09-guest-form-errors-en.png"), full_page=True)
