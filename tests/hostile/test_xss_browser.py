"""Stored XSS and SQL-injection strings render inert (real Chromium via Playwright), and the pages people use most
load with the Content-Security-Policy without a single violation.

Payloads are stored in guest names, notes, preferences, alerts, case subjects, company names, campaign names and a
segment name; every page that shows them is opened and must not run them (window.__xss stays undefined, no dialog
opens) and must not even trip the CSP (which would mean something reached the DOM unescaped).
"""
from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = "<script>window.__xss=1</script>"
IMG = '"><img src=x onerror=window.__xss=1>'
JS_URL = "javascript:window.__xss=1//"
SVG = "'><svg onload=alert(1)>"
SQLI = "' OR 1=1; DROP TABLE guests_guest; --"

# Records CSP violations the page reports (securitypolicyviolation fires for blocked inline scripts and handlers).
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || ''));
});
"""


def _watch(page: Page) -> tuple[list[str], list[str]]:
    dialogs: list[str] = []
    console: list[str] = []
    page.add_init_script(WATCH)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    return dialogs, console


def _login(page: Page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "test-password-123")
    page.locator("form[action='/login/'] button[type=submit]").click()
    expect(page.locator(".app-sidebar")).to_be_visible()


def _assert_inert(page: Page, url: str, dialogs: list[str], console: list[str]) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 400, (url, response and response.status)
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)  # htmx requests started on load; "networkidle" never comes on pages that poll
    assert page.evaluate("typeof window.__xss") == "undefined", url
    assert dialogs == [], (url, dialogs)
    violations = page.evaluate("window.__csp")
    assert violations == [] and console == [], (url, violations, console)


@pytest.fixture
def hostile_data(manager, property_a):
    from concierge.campaigns.models import CampaignKind
    from concierge.campaigns.services import campaign_create
    from concierge.cases.services.cases import case_create
    from concierge.guests.services import alert_add, company_create, guest_create, preference_add
    from concierge.segments.services import segment_create

    company = company_create(actor=manager, properties=[property_a], name_zh=SCRIPT, name_en=IMG,
                             notes=f"{SVG} {JS_URL}")  # homepage: URLField refuses javascript: URLs
    guest = guest_create(actor=manager, property=property_a, family_name=SCRIPT, given_name=IMG,
                         family_name_latin="XSS", given_name_latin="TEST", notes=f"{SCRIPT} {IMG} {JS_URL} {SVG}",
                         company=company, phone="138 0013 8000", email="xss@example.cn")
    preference_add(actor=manager, guest=guest, category="pillow", value=SCRIPT, note=IMG)
    alert_add(actor=manager, guest=guest, text=f"{IMG} {SCRIPT}")
    case = case_create(actor=manager, property=property_a, subject=f"{SCRIPT}{IMG}", description=SVG, guest=guest)
    campaign = campaign_create(actor=manager, name=f"{SCRIPT}{IMG}", kind=CampaignKind.TRADE_SHOW)
    segment = segment_create(actor=manager, name=f"{SCRIPT}{IMG}",
                             definition={"op": "and", "items": [{"field": "tier", "operator": "in",
                                                                 "value": ["gold"]}]})
    return {"guest": guest, "company": company, "case": case, "campaign": campaign, "segment": segment}


def test_stored_xss_payloads_render_inert_everywhere_they_are_shown(page: Page, manager, hostile_data) -> None:
    dialogs, console = _watch(page)
    _login(page, manager.username)
    d = hostile_data
    urls = [
        "/", f"/guests/{d['guest'].pk}/", "/guests/", "/guests/?q=XSS", "/search/?q=XSS",
        f"/companies/{d['company'].pk}/", "/companies/", f"/service/cases/{d['case'].pk}/", "/service/",
        "/campaigns/", f"/campaigns/{d['campaign'].pk}/", "/segments/", f"/segments/{d['segment'].pk}/",
        "/tasks/", "/pipeline/",
    ]
    for url in urls:
        _assert_inert(page, url, dialogs, console)
    # The payload is shown as text, literally.
    page.goto(f"/guests/{d['guest'].pk}/")
    expect(page.locator("body")).to_contain_text("window.__xss=1")
    # The javascript: homepage is never a live link.
    page.goto(f"/companies/{d['company'].pk}/")
    assert page.locator("a[href^='javascript:']").count() == 0


def test_sql_injection_strings_in_search_and_filters_return_normally(page: Page, manager, hostile_data) -> None:
    from urllib.parse import quote

    from concierge.guests.models import Guest

    dialogs, console = _watch(page)
    _login(page, manager.username)
    before = Guest.objects.count()
    page.fill("input[name=q]", SQLI)
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)  # htmx requests started on load; "networkidle" never comes on pages that poll
    expect(page.locator("body")).not_to_contain_text("Traceback")
    for url in (f"/search/?q={quote(SQLI)}", f"/guests/?q={quote(SQLI)}", f"/guests/?status={quote(SQLI)}",
                f"/guests/?tag={quote(SQLI)}&tier={quote(SQLI)}", f"/companies/?q={quote(SQLI)}",
                f"/service/?q={quote(SQLI)}&status={quote(SQLI)}", f"/campaigns/?q={quote(SQLI)}",
                f"/segments/?q={quote(SQLI)}"):
        response = page.goto(url)
        assert response is not None and response.status in (200, 400), (url, response and response.status)
        expect(page.locator("body")).not_to_contain_text("Traceback")
        expect(page.locator("body")).not_to_contain_text("syntax error")
    assert Guest.objects.count() == before  # nothing dropped, nothing added
    assert dialogs == [] and console == []


@pytest.fixture
def chart_data(manager, property_a, guest_a):
    from concierge.segments.services import segment_create

    return segment_create(actor=manager, name="Gold",
                          definition={"op": "and", "items": [{"field": "tier", "operator": "in", "value": ["gold"]}]})


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_main_pages_load_with_no_csp_violation(page: Page, manager, guest_a, chart_data, language) -> None:
    dialogs, console = _watch(page)
    _login(page, manager.username)
    if language == "zh-hans":
        page.get_by_role("button", name="中文").click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    for url in ("/", f"/guests/{guest_a.pk}/", "/dashboards/", "/segments/new/", "/pipeline/",
                f"/segments/{chart_data.pk}/", "/value/", "/api/v1/docs/"):
        _assert_inert(page, url, dialogs, console)
    # The ECharts dashboard actually drew (its inline script ran with the nonce).
    page.goto("/dashboards/")
    page.wait_for_function("() => document.querySelectorAll('canvas').length > 0")
    # The segment builder's htmx live count works under the policy.
    page.goto("/segments/new/")
    page.get_by_test_id("field-1").select_option("region")
    expect(page.locator("input[name='c-1-value'][value='east']")).to_be_attached()
    assert page.evaluate("window.__csp") == [] and console == []
