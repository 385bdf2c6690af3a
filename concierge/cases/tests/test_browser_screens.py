"""Every service-centre screen in a real browser, in English and Chinese: it renders, runs its scripts without
errors, loads nothing from outside, and the chart draws. Screenshots land in var/screenshots/service-*.png."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from concierge.cases.tests.test_browser_complaint import PASSWORD  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


@pytest.fixture
def busy_hotel(db):
    """A month of service work at SHA: complaints in every state, a breach, articles, lost items."""
    from freezegun import freeze_time

    from concierge.accounts.models import User
    from concierge.cases import services
    from concierge.cases.reference import reference_data_load
    from concierge.cases.tests.factories import make_article, make_case, make_head, make_stay, root_cause
    from concierge.guests.services import guest_create
    from concierge.properties.models import HotelGroup, Property

    reference_data_load()  # a transactional test before this one may have flushed the migration's data
    group = HotelGroup.objects.create(name_zh="礼宾酒店集团", name_en="Concierge Hotels")
    sha = Property.objects.create(group=group, code="SHA", name_zh="上海外滩酒店", name_en="Shanghai Bund Hotel",
                                  phone="+86 21 6000 8888", email="service@sha.example",
                                  address="上海市黄浦区中山东一路 1 号")
    agent = User.objects.create_user(username="service", password=PASSWORD, role="service_agent",
                                     first_name="Lin", last_name="Fang", email="lin@hotel.example")
    head = User.objects.create_user(username="head", password=PASSWORD, role="manager", first_name="Hugo",
                                    email="hugo@hotel.example")
    for user in (agent, head):
        user.properties.set([sha])
    make_head(sha, "engineering", head)
    people = [("张", "伟", "138 0013 8000"), ("王", "芳", "139 0000 0001"), ("李", "娜", "139 0000 0002"),
              ("刘", "洋", "139 0000 0003")]
    guests = [guest_create(actor=agent, property=sha, family_name=f, given_name=g, phone=p,
                           email=f"guest{i}@example.cn") for i, (f, g, p) in enumerate(people)]
    today = dt.date.today()
    for i, guest in enumerate(guests):
        make_stay(agent, guest, sha, arrival=today - dt.timedelta(days=2), nights=4, room=f"12{i}3",
                  status="in_house")
    start = dt.datetime.combine(today - dt.timedelta(days=120), dt.time(0, 30), tzinfo=dt.UTC)  # 08:30 Shanghai
    subjects = [("空调噪音太大", "engineering", "air-conditioning"),
                ("Room not cleaned", "housekeeping", "cleanliness"),
                ("早餐排队太久", "fnb", "food-quality"), ("Wrong rate on the bill", "front_office", "billing-error"),
                ("隔壁房间很吵", "front_office", "room-noise"), ("Wi-Fi drops every hour", "engineering", "wifi")]
    for i in range(18):
        subject, department, cause = subjects[i % len(subjects)]
        with freeze_time(start + dt.timedelta(days=i * 6, hours=2)):
            case = make_case(agent, sha, guest=guests[i % 4], subject=subject, department=department,
                             priority=("normal", "high", "urgent")[i % 3])
        with freeze_time(start + dt.timedelta(days=i * 6, hours=3 + i % 5)):
            case = services.case_respond(actor=agent, case=case, note="Called the guest back.")
        if i < 15:
            with freeze_time(start + dt.timedelta(days=i * 6, hours=5 + i % 7 * 3)):
                services.case_resolve(actor=agent, case=case, resolution="Fixed and apologised.",
                                      root_cause=root_cause(cause), guest_told_via="phone")
    open_case = make_case(agent, sha, guest=guests[0], subject="空调噪音太大，1203房无法入睡", priority="urgent",
                          department="engineering", description="客人第二次来电。")
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(hours=6)):
        services.sla_sweep()
    make_case(agent, sha, guest=guests[1], subject="Extra pillows and a kettle", case_type="request",
              department="housekeeping", owner=agent)
    make_article(agent, property=sha, department="engineering", category="service-recovery",
                 zh=("客房空调噪音处理", "先请工程部检查风机盘管；当晚修不好就为客人换到安静的房间，并赠送早餐。"),
                 en=("Noisy air conditioning", "Send engineering first; if it cannot be fixed tonight, move the "
                                               "guest to a quiet room and offer breakfast."))
    faq = [("parking", ("可以停车吗？", "地下停车场对住店客人免费，每间客房限一辆车。入口在九江路。"),
            ("Can I park at the hotel?", "The underground car park is free for hotel guests, one car per room. "
                                         "The entrance is on Jiujiang Road.")),
           ("checkin", ("入住和退房时间", "入住时间为14:00以后，退房时间为12:00以前。可申请延迟退房。"),
            ("Check-in and check-out times", "Check-in from 14:00, check-out by 12:00. Late check-out on request.")),
           ("breakfast", ("早餐在哪里、几点？", "早餐在一楼外滩西餐厅供应，6:30至10:30；周末延长至11:00。"),
            ("Where and when is breakfast?", "In the Bund Restaurant on the ground floor, 6:30–10:30, "
                                             "until 11:00 at weekends.")),
           ("prices", ("房价包含什么？", "房价包含服务费和增值税，含早房价另行注明。"),
            ("What does the room rate include?", "Rates include service charge and VAT; breakfast only where "
                                                 "stated."))]
    for category, zh, en in faq:
        make_article(agent, category=category, zh=zh, en=en, is_public=True)
    services.lost_item_create(actor=agent, property=sha, found_on=today - dt.timedelta(days=2), room_number="1203",
                              description="Black Kindle e-reader", category="electronics",
                              storage_location="HK office, shelf B3")
    services.lost_item_create(actor=agent, property=sha, found_on=today, found_place="Lobby bar",
                              description="蓝色雨伞", storage_location="Concierge desk")
    return {"property": sha, "open_case": open_case}


def _login(page: Page) -> None:
    page.goto("/login/")
    page.fill("#id_username", "service")
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    expect(page.locator(".app-sidebar")).to_be_visible()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_service_screen_renders_cleanly(page: Page, busy_hotel, live_server, language):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and
            "Failed to load resource" not in msg.text else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and
            not r.url.endswith("/favicon.ico") else None)
    _login(page)
    if language == "zh-hans":
        page.get_by_role("button", name="中文").click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    case = busy_hotel["open_case"]
    screens = [
        ("cases", "/service/?state="),
        ("case", f"/service/cases/{case.pk}/"),
        ("breaches", "/service/breaches/?all=1"),
        ("metrics", "/service/metrics/?group_by=month"),
        ("kb", "/service/kb/?q=%E7%A9%BA%E8%B0%83%E5%99%AA%E9%9F%B3"),
        ("lost", "/service/lost-found/"),
        ("pop-unknown", "/service/screen-pop/?phone=139%208888%207777"),
    ]
    for name, url in screens:
        page.goto(url)
        expect(page.locator("main")).to_be_visible()
        if name == "metrics":
            page.wait_for_function("() => !!document.querySelector('#metrics-chart canvas')")
            page.wait_for_timeout(1200)
        page.screenshot(path=str(SCREENSHOTS / f"service-screen-{name}-{language}.png"), full_page=True)
    page.goto("/faq/SHA/")
    expect(page.get_by_test_id("faq-item").first).to_be_visible()
    page.get_by_test_id("faq-item").first.locator("summary").click()
    page.get_by_test_id("helpful-yes").first.click()
    expect(page.get_by_test_id("faq-thanks")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / f"service-screen-faq-{language}.png"), full_page=True)
    assert errors == []
