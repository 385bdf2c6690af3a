"""Building a segment in the Chinese UI (Debian Chromium via Playwright): two conditions, the live count equals the
database count, then save. Screenshots land in var/screenshots/."""
from __future__ import annotations

import os
import re
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
def audience(db):
    from concierge.accounts.models import User
    from concierge.properties.models import HotelGroup, Property
    from concierge.segments.tests.factories import make_guest

    group = HotelGroup.objects.create(name_zh="礼宾酒店集团", name_en="Concierge Hotels")
    sha = Property.objects.create(group=group, code="SHA", name_zh="上海外滩酒店", name_en="Shanghai Bund Hotel")
    user = User.objects.create_user(username="marketing", password=PASSWORD, role="marketing", first_name="Mia")
    rows = [("浙江省", "gold"), ("上海", "gold"), ("Jiangsu", "gold"), ("江苏", "silver"), ("北京", "gold"),
            ("广东", ""), ("浙江", "")]
    for province, tier in rows:
        make_guest(sha, province=province, country="CN", tier=tier)
    return user


def _choose(page: Page, path: str, value: str) -> None:
    """Tick a choice pill (a Bootstrap btn-check: the label is what a person clicks)."""
    box = page.locator(f"input[name='c-{path}-value'][value='{value}']")
    page.locator(f"label[for='{box.get_attribute('id')}']").click()
    expect(box).to_be_checked()


def test_build_a_segment_in_chinese_and_see_its_live_count(page: Page, audience, live_server):
    from concierge.segments.models import Segment
    from concierge.segments.selectors import count_definition

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto("/login/")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.fill("#id_username", "marketing")
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    expect(page.locator(".app-sidebar")).to_be_visible()

    page.locator(".app-sidebar a[href='/segments/']").click()
    page.get_by_test_id("new-segment").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("condition-1")).to_be_visible()

    page.get_by_test_id("field-1").select_option("region")
    expect(page.locator("input[name='c-1-value'][value='east']")).to_be_attached()
    _choose(page, "1", "east")
    expect(page.get_by_test_id("live-count")).to_have_attribute("data-count", "5")

    page.get_by_test_id("add-condition-root").click()
    expect(page.get_by_test_id("condition-2")).to_be_visible()
    page.get_by_test_id("field-2").select_option("tier")
    expect(page.locator("input[name='c-2-value'][value='gold']")).to_be_attached()
    _choose(page, "2", "gold")

    definition = {"op": "and", "items": [{"field": "region", "operator": "in", "value": ["east"]},
                                         {"field": "tier", "operator": "in", "value": ["gold"]}]}
    expected = count_definition(definition, audience)
    assert expected == 3  # 浙江省, 上海 and Jiangsu (pinyin folds to 江苏) are gold; 北京 is not in East China
    expect(page.get_by_test_id("live-count")).to_have_attribute("data-count", str(expected))
    expect(page.get_by_test_id("live-count")).to_have_text(str(expected))
    page.screenshot(path=str(SCREENSHOTS / "segments-01-builder-zh.png"), full_page=True)

    page.fill("#id_name", "华东金卡宾客")
    page.get_by_test_id("save-segment").click()
    expect(page).to_have_url(re.compile(r"/segments/\d+/$"))
    expect(page.get_by_test_id("segment-count")).to_have_text(str(expected))
    segment = Segment.objects.get(name="华东金卡宾客")
    assert segment.definition == definition and segment.last_count == expected
    page.wait_for_function("() => !!document.querySelector('#region-chart canvas')")
    page.wait_for_timeout(800)
    page.screenshot(path=str(SCREENSHOTS / "segments-02-detail-zh.png"), full_page=True)
