"""The call-centre screen pop: one call, any phone format, guest or company card, cases, stays, articles."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from concierge.cases.tests.factories import make_article, make_case, make_stay
from concierge.core.models import AuditEvent
from concierge.guests.models import Guest
from concierge.guests.services import company_create, contact_create

pytestmark = pytest.mark.django_db

FORMATS = ["138 0013 8000", "+86 138-0013-8000", "0086 13800138000", "(+86) 138 0013 8000", "13800138000",
           "+8613800138000"]


@pytest.fixture
def caller(service_a, property_a, guest_a):
    """张伟 with a past stay, a reservation next week, an open complaint and an article that answers it."""
    today = timezone.localdate()
    make_stay(service_a, guest_a, property_a, arrival=today - dt.timedelta(days=30), room="1203")
    upcoming = make_stay(service_a, guest_a, property_a, arrival=today + dt.timedelta(days=7), room="",
                         status="reserved")
    case = make_case(service_a, property_a, guest=guest_a, subject="空调噪音太大 room 1203",
                     department="engineering")
    article = make_article(service_a, property=property_a, department="engineering",
                           zh=("客房空调噪音处理", "先请工程部检查风机盘管，必要时为客人换房。"))
    return {"case": case, "article": article, "upcoming": upcoming}


@pytest.fixture
def api(service_a):
    client = APIClient()
    client.force_authenticate(service_a)
    return client


@pytest.mark.parametrize("phone", FORMATS)
def test_the_api_finds_the_caller_in_any_phone_format(api, caller, guest_a, phone):
    response = api.get("/api/v1/screen-pop/", {"phone": phone})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["found"] is True and data["phone"] == "+8613800138000"
    assert data["guest"]["guest"]["id"] == guest_a.pk
    assert [c["id"] for c in data["open_cases"]] == [caller["case"].pk]
    assert data["last_stay"]["room_number"] == "1203"
    assert data["upcoming_stay"]["id"] == caller["upcoming"].pk
    assert [a["id"] for a in data["articles"]] == [caller["article"].pk]
    assert data["guest"]["documents"][0]["number_masked"].endswith("002X")
    assert "11010519491231002X" not in response.content.decode()


def test_every_screen_pop_is_audited_as_a_view(api, caller, guest_a, service_a):
    api.get("/api/v1/screen-pop/", {"phone": "13800138000"})
    event = AuditEvent.objects.get(guest=guest_a, field="screen_pop")
    assert event.actor == service_a and event.action == "view"


def test_an_unknown_number_is_not_found_and_a_bad_one_is_refused(api, caller):
    data = api.get("/api/v1/screen-pop/", {"phone": "139 9999 0000"}).json()
    assert data["found"] is False and data["guest"] is None and data["open_cases"] == []
    response = api.get("/api/v1/screen-pop/", {"phone": "hello"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_phone"


def test_a_company_number_pops_the_company_and_its_cases(api, service_a, property_a, account_manager):
    company = company_create(actor=service_a, properties=[property_a], name_zh="宝钢集团", name_en="Baosteel",
                             phone="021 6552 9988", owner=account_manager)
    case = make_case(service_a, property_a, company=company, subject="Invoice address wrong", case_type="request")
    data = api.get("/api/v1/screen-pop/", {"phone": "+86 21 6552 9988"}).json()
    assert data["found"] and data["guest"] is None
    assert data["company"]["id"] == company.pk and data["company"]["owner"]["id"] == account_manager.pk
    assert [c["id"] for c in data["open_cases"]] == [case.pk]


def test_a_contact_number_pops_their_company(api, service_a, property_a):
    company = company_create(actor=service_a, properties=[property_a], name_zh="阿里巴巴", name_en="Alibaba")
    contact_create(actor=service_a, company=company, name="马云", phone="139 1111 2222", position="Travel manager")
    data = api.get("/api/v1/screen-pop/", {"phone": "13911112222"}).json()
    assert data["company"]["id"] == company.pk and data["contact"]["name"] == "马云"


def test_another_hotels_agent_sees_nothing(caller, frontdesk_b):
    client = APIClient()
    client.force_authenticate(frontdesk_b)
    data = client.get("/api/v1/screen-pop/", {"phone": "13800138000"}).json()
    assert data["found"] is False and data["open_cases"] == [] and data["articles"] == []


def test_the_web_page_shows_the_same_for_telephony_links(client, service_a, caller, guest_a):
    client.force_login(service_a)
    response = client.get(reverse("cases:screen_pop"), {"phone": "+86 138-0013-8000"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "张伟" in page and caller["case"].reference in page and "客房空调噪音处理" in page
    assert f"{reverse('cases:case_create')}?guest={guest_a.pk}&channel=phone" in page
    assert "11010519491231002X" not in page


def test_an_unknown_number_offers_a_prefilled_create_guest_form(client, service_a, property_a):
    client.force_login(service_a)
    page = client.get(reverse("cases:screen_pop"), {"phone": "139 5555 6666"}).content.decode()
    assert 'data-testid="pop-guest-form"' in page and 'value="+8613955556666"' in page
    response = client.post(reverse("cases:screen_pop_guest_create"), {
        "property": property_a.pk, "full_name": "李娜", "phone": "+8613955556666", "email": "", "language": "zh-hans"})
    guest = Guest.objects.get(phone="+8613955556666")
    assert guest.family_name == "李" and guest.given_name == "娜"
    assert response.status_code == 302 and f"guest={guest.pk}" in response["Location"]
    assert "李娜" in client.get(response["Location"]).content.decode()


def test_the_screen_pop_takes_a_bounded_number_of_queries(api, caller, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        assert api.get("/api/v1/screen-pop/", {"phone": "13800138000"}).status_code == 200
