"""An agent takes a complaint from the screen pop to resolution in a real browser (Debian Chromium, Playwright).

The phone rings; telephony opens the screen pop with the caller's number; the agent opens a case from the
card, logs the call back, resolves it (the closed loop runs: email to the guest in Chinese, account manager,
next-stay alert) and promotes the resolution to the knowledge base. Screenshots land in var/screenshots/.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
PASSWORD = "concierge-demo"


@pytest.fixture
def hotel(db):
    """SHA with a service agent, 张伟 in house in room 1203 (account manager Amy), and a KB answer about noise."""
    from django.utils import timezone

    from concierge.accounts.models import User
    from concierge.cases.reference import reference_data_load
    from concierge.cases.tests.factories import make_article, make_stay
    from concierge.guests.services import guest_create
    from concierge.properties.models import HotelGroup, Property

    reference_data_load()  # a transactional test before this one may have flushed the migration's data
    group = HotelGroup.objects.create(name_zh="礼宾酒店集团", name_en="Concierge Hotels")
    sha = Property.objects.create(group=group, code="SHA", name_zh="上海外滩酒店", name_en="Shanghai Bund Hotel",
                                  phone="+86 21 6000 8888")
    agent = User.objects.create_user(username="service", password=PASSWORD, role="service_agent", is_demo=True,
                                     first_name="Lin", last_name="Fang")
    amy = User.objects.create_user(username="amy", password=PASSWORD, role="sales_rep", first_name="Amy",
                                   email="amy@hotel.example", language="en")
    for user in (agent, amy):
        user.properties.set([sha])
    zhang = guest_create(actor=agent, property=sha, family_name="张", given_name="伟", family_name_latin="ZHANG",
                         given_name_latin="WEI", phone="138 0013 8000", email="zhang.wei@example.cn", owner=amy,
                         language="zh-hans", tier="金卡")
    make_stay(agent, zhang, sha, arrival=timezone.localdate() - dt.timedelta(days=1), nights=3, room="1203",
              status="in_house")
    make_article(agent, property=sha, department="engineering",
                 zh=("客房空调噪音处理", "先请工程部检查风机盘管；当晚修不好就为客人换到安静的房间。"),
                 en=("Noisy air conditioning",
                     "Send engineering first; if it cannot be fixed tonight, move the guest."))
    return {"agent": agent, "guest": zhang, "property": sha}


def _login(page: Page) -> None:
    page.goto("/login/")
    page.fill("#id_username", "service")
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    expect(page.locator(".app-sidebar")).to_be_visible()


def test_an_agent_takes_a_complaint_from_screen_pop_to_resolution(page: Page, hotel, live_server, mailoutbox):
    from concierge.cases.models import Case
    from concierge.guests.models import Alert

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    _login(page)

    # The phone rings: telephony opens the screen pop with the caller id in its own format.
    page.goto("/service/screen-pop/?phone=%2B86%20138-0013-8000")
    pop = page.get_by_test_id("screen-pop")
    expect(pop.get_by_test_id("guest-card")).to_contain_text("张伟")
    expect(pop.get_by_test_id("guest-card")).to_contain_text("1203")
    expect(pop.get_by_test_id("pop-open-cases")).to_contain_text("No open cases")
    page.screenshot(path=str(SCREENSHOTS / "service-01-screen-pop.png"), full_page=True)

    # Open a complaint from the card: the guest and the in-house stay are filled in.
    pop.get_by_test_id("pop-new-case").click()
    form = page.get_by_test_id("case-form")
    expect(form).to_contain_text("张伟")
    form.locator("select[name=department]").select_option("engineering")
    form.locator("select[name=priority]").select_option("high")
    form.locator("input[name=subject]").fill("房间空调噪音太大")
    form.locator("textarea[name=description]").fill("客人来电：1203房间空调整夜嗡嗡响，无法入睡。")
    page.screenshot(path=str(SCREENSHOTS / "service-02-new-case.png"), full_page=True)
    page.get_by_test_id("case-save").click()

    expect(page).to_have_url(re.compile(r"/service/cases/\d+/$"))
    case = Case.objects.get()
    assert case.guest == hotel["guest"] and case.stay.room_number == "1203" and case.channel == "phone"
    expect(page.get_by_test_id("case-status")).to_have_text("New")
    expect(page.get_by_test_id("case-articles")).to_contain_text("客房空调噪音处理")

    # Log the call back: the case is in progress, the agent owns it.
    page.get_by_test_id("open-respond").click()
    respond = page.get_by_test_id("respond-form")
    respond.locator("textarea[name=note]").fill("已致电客人致歉，工程部10分钟内到场。")
    respond.locator("button[type=submit]").click()
    expect(page.get_by_test_id("case-status")).to_have_text("In progress")
    expect(page.get_by_test_id("case-owner")).to_contain_text("Lin Fang")

    # Resolve: the closed loop runs.
    page.get_by_test_id("open-resolve").click()
    resolve = page.get_by_test_id("resolve-form")
    resolve.locator("textarea[name=resolution]").fill("Fan coil replaced; guest moved to a quiet room for the night.")
    resolve.locator("select[name=root_cause]").select_option(label="Air conditioning")
    resolve.locator("select[name=compensation_type]").select_option("upgrade")
    resolve.locator("select[name=guest_told_via]").select_option("email")
    page.screenshot(path=str(SCREENSHOTS / "service-03-resolve.png"), full_page=True)
    resolve.get_by_test_id("resolve-submit").click()

    expect(page.get_by_test_id("case-status")).to_have_text("Resolved")
    expect(page.get_by_test_id("loop-state")).to_contain_text("Loop closed")
    expect(page.get_by_test_id("loop-card")).to_contain_text("Complained about air conditioning on")
    page.screenshot(path=str(SCREENSHOTS / "service-04-resolved.png"), full_page=True)
    to_guest = [m for m in mailoutbox if m.to == ["zhang.wei@example.cn"]]
    assert len(to_guest) == 1 and to_guest[0].body.startswith("尊敬的张伟")
    assert [m.to for m in mailoutbox if m.to != ["zhang.wei@example.cn"]] == [["amy@hotel.example"]]
    assert Alert.objects.filter(guest=hotel["guest"], category="complaint").count() == 1

    # One click: the resolution becomes a knowledge-base draft.
    page.get_by_test_id("promote").click()
    expect(page).to_have_url(re.compile(r"/service/kb/\d+/edit/$"))
    expect(page.get_by_test_id("article-form").locator("input[name=title_en]")).to_have_value("房间空调噪音太大")

    # The screen pop now shows the case as handled; the guest card carries the alert for the next stay.
    page.goto("/service/screen-pop/?phone=13800138000")
    expect(page.get_by_test_id("card-alerts")).to_contain_text("Complained about air conditioning")
    page.screenshot(path=str(SCREENSHOTS / "service-05-screen-pop-after.png"), full_page=True)
