"""The guest's answer page in a real browser (Debian Chromium via Playwright) on a phone-sized screen, in Chinese,
and the results page with its ECharts. Screenshots land in var/screenshots/."""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from concierge.surveys.models import Response  # noqa: E402
from concierge.surveys.tests.factories import invite, link  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _page(browser, live_server, **options) -> Page:
    context = browser.new_context(base_url=live_server.url, timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.external = []  # type: ignore[attr-defined]
    page.on("request", lambda r: page.external.append(r.url) if not r.url.startswith(live_server.url) else None)
    return page


@pytest.fixture
def phone(browser, live_server):
    page = _page(browser, live_server, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                 is_mobile=True, has_touch=True, locale="zh-CN")
    yield page
    assert not [u for u in page.external if u.startswith("http")], page.external  # type: ignore[attr-defined]
    page.context.close()


def test_a_chinese_guest_answers_on_a_phone(phone: Page, eager_celery, survey_a, guest_zh, quality_a, monkeypatch):
    from concierge.surveys.services import answering

    monkeypatch.setattr(answering, "_case_create_function", lambda: None)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    invitation = invite(quality_a, survey_a, guest_zh)

    phone.goto(link(invitation))
    expect(phone.get_by_test_id("survey-title")).to_have_text("住店体验问卷")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(phone.get_by_text("您有多大可能向朋友推荐我们？")).to_be_visible()
    follow_up = phone.locator("section", has_text="哪里出了问题？")
    expect(follow_up).to_be_hidden()
    # CJK glyphs really render: the title is as wide as its characters need, not a row of missing-glyph boxes.
    assert phone.evaluate("document.fonts.check('16px \"WenQuanYi Micro Hei\"')")
    phone.screenshot(path=str(SCREENSHOTS / "survey-01-answer-zh-phone.png"), full_page=True)

    phone.locator("section", has_text="您有多大可能").get_by_text("8", exact=True).click()
    phone.locator("section", has_text="总体满意").get_by_text("4", exact=True).click()
    phone.locator("section", has_text="客房清洁").get_by_text("2", exact=True).click()
    expect(follow_up).to_be_visible()
    follow_up.locator("textarea").fill("浴室地面有头发")
    phone.get_by_label("商务").check()
    phone.get_by_label("早餐").check()
    phone.screenshot(path=str(SCREENSHOTS / "survey-02-follow-up-zh-phone.png"), full_page=True)
    phone.get_by_test_id("submit").click()

    expect(phone.get_by_test_id("link-state")).to_have_attribute("data-state", "answered")
    phone.screenshot(path=str(SCREENSHOTS / "survey-03-thanks-zh-phone.png"), full_page=True)
    response = Response.objects.get(invitation=invitation)
    assert response.answers.get(text="浴室地面有头发") and response.is_negative

    phone.goto(link(invitation))  # the link is used up
    expect(phone.get_by_test_id("link-state")).to_have_attribute("data-state", "answered")


def test_the_results_page_draws_the_before_and_after_chart(browser, live_server, survey_a, questions_a, quality_a,
                                                           frontdesk_a, property_a, monkeypatch):
    from django.utils import timezone
    from freezegun import freeze_time

    from concierge.surveys import services
    from concierge.surveys.models import SurveyMarker
    from concierge.surveys.services import answering
    from concierge.surveys.tests.factories import answers, make_guest

    monkeypatch.setattr(answering, "_case_create_function", lambda: None)
    today = timezone.localdate()
    training = today - dt.timedelta(days=60)
    SurveyMarker.objects.create(label="Housekeeping training", date=training, department="housekeeping")
    for i in range(24):
        day = today - dt.timedelta(days=115 - i * 5)
        guest = make_guest(frontdesk_a, property_a, email=f"b{i}@example.cn")
        with freeze_time(dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())):
            invitation = invite(quality_a, survey_a, guest)
            clean = (3 if i % 2 else 2) if day < training else (5 if i % 3 else 4)
            services.response_submit(invitation=invitation, answers=answers(
                questions_a, clean=clean, wrong="不干净" if clean <= 2 else ""))
    page = _page(browser, live_server, viewport={"width": 1400, "height": 1000}, locale="en-US")
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(quality_a.pk), settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = quality_a.get_session_auth_hash()
    session.save()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key,
                               "url": live_server.url}])

    page.goto(f"/surveys/{survey_a.pk}/results/")
    expect(page.get_by_test_id("before-after")).to_contain_text("Housekeeping training")
    page.wait_for_function("() => !!document.querySelector('#before-after-chart canvas')")
    page.wait_for_timeout(1200)  # entry animation
    page.screenshot(path=str(SCREENSHOTS / "survey-04-results.png"), full_page=True)
    expect(page.get_by_test_id("before-after")).to_contain_text(re.compile(r"100"))
    page.context.close()
