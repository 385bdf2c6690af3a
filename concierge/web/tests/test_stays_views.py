"""Stay pages: rendering, scoping, filters, create/edit/status through the stay services."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge.guests.services import alert_add, company_create, guest_create
from concierge.stays.models import Product, Stay
from concierge.stays.services import stay_create

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def client_a(client, frontdesk_a):
    client.force_login(frontdesk_a)
    return client


@pytest.fixture
def company_a(frontdesk_a, property_a):
    return company_create(actor=frontdesk_a, properties=[property_a], name_zh="宝钢集团", name_en="Baosteel Group")


@pytest.fixture
def stay_a(frontdesk_a, guest_a, property_a, company_a):
    Product.objects.create(code="BKF", name_zh="早餐", name_en="Breakfast")
    return stay_create(
        actor=frontdesk_a, guest=guest_a, property=property_a, company=company_a, arrival=TODAY,
        departure=TODAY + dt.timedelta(days=3), room_number="1808", rate_code="CORP", room_revenue=Decimal("2400"),
        fnb_revenue=Decimal("300"), other_revenue=Decimal("100"), status="reserved", channel="corporate",
        market_segment="corporate", items=["BKF"],
    )


@pytest.fixture
def stay_b(frontdesk_b, property_b):
    guest = guest_create(actor=frontdesk_b, property=property_b, family_name="王", given_name="芳")
    return stay_create(actor=frontdesk_b, guest=guest, property=property_b, arrival=TODAY - dt.timedelta(days=40),
                       departure=TODAY - dt.timedelta(days=38), room_number="501", status="checked_out",
                       channel="ota", market_segment="leisure", room_revenue=Decimal("900"))


def test_stay_pages_render_for_front_desk_at_the_property(client_a, stay_a, guest_a):
    for url in (
        reverse("web:stay_list"),
        reverse("web:stay_detail", args=[stay_a.pk]),
        reverse("web:stay_create") + f"?guest={guest_a.pk}",
        reverse("web:stay_create"),
        reverse("web:stay_edit", args=[stay_a.pk]),
    ):
        assert client_a.get(url).status_code == 200, url
    detail = client_a.get(reverse("web:stay_detail", args=[stay_a.pk])).content.decode()
    assert "1808" in detail and "Breakfast" in detail and "Baosteel Group" in detail
    assert "2,800.00" in detail  # total revenue


def test_it_rejects_a_stay_of_another_property(client, frontdesk_b, stay_a, guest_a):
    client.force_login(frontdesk_b)
    assert client.get(reverse("web:stay_detail", args=[stay_a.pk])).status_code == 404
    assert client.get(reverse("web:stay_edit", args=[stay_a.pk])).status_code == 404
    assert client.post(reverse("web:stay_status", args=[stay_a.pk]), {"status": "cancelled"}).status_code == 404
    assert client.get(reverse("web:stay_create") + f"?guest={guest_a.pk}").status_code == 404
    stay_a.refresh_from_db()
    assert stay_a.status == "reserved"


def test_the_stay_list_shows_only_stays_of_the_users_properties(client_a, stay_a, stay_b):
    response = client_a.get(reverse("web:stay_list"))
    assert [s.pk for s in response.context["table"].page.object_list.data] == [stay_a.pk]
    assert "501" not in response.content.decode()


def test_the_manager_sees_stays_of_every_property(client, manager, stay_a, stay_b):
    client.force_login(manager)
    response = client.get(reverse("web:stay_list"))
    assert {s.pk for s in response.context["table"].page.object_list.data} == {stay_a.pk, stay_b.pk}


@pytest.mark.parametrize("query, expected", [
    ("status=reserved", {"1808"}),
    ("status=checked_out", {"0902"}),
    ("channel=ota", {"0902"}),
    ("market_segment=corporate", {"1808"}),
    (f"arrival_after={TODAY:%Y-%m-%d}", {"1808"}),
    (f"arrival_before={TODAY - dt.timedelta(days=1):%Y-%m-%d}", {"0902"}),
    ("q=1808", {"1808"}),
    ("q=张伟", {"1808", "0902"}),
    ("q=宝钢", {"1808"}),
])
def test_stay_list_filters(client_a, manager, stay_a, stay_b, guest_a, frontdesk_a, property_a, query, expected):
    stay_create(actor=frontdesk_a, guest=guest_a, property=property_a, arrival=TODAY - dt.timedelta(days=200),
                departure=TODAY - dt.timedelta(days=198), room_number="0902", status="checked_out", channel="ota")
    response = client_a.get(reverse("web:stay_list") + "?" + query)
    assert {s.room_number for s in response.context["table"].page.object_list.data} == expected


def test_stay_list_filters_by_property_for_a_group_wide_user(client, manager, stay_a, stay_b, property_b):
    client.force_login(manager)
    response = client.get(reverse("web:stay_list") + f"?property={property_b.pk}")
    assert [s.pk for s in response.context["table"].page.object_list.data] == [stay_b.pk]


def test_stay_list_returns_the_table_partial_for_htmx(client_a, stay_a):
    response = client_a.get(reverse("web:stay_list") + "?status=reserved", HTTP_HX_REQUEST="true",
                            HTTP_HX_TARGET="stay-table")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="stay-table"') and "<html" not in body


def test_stay_list_is_sortable_by_revenue(client_a, stay_a, guest_a, frontdesk_a, property_a):
    stay_create(actor=frontdesk_a, guest=guest_a, property=property_a, arrival=TODAY, departure=TODAY,
                room_number="0101", room_revenue=Decimal("9000"))
    response = client_a.get(reverse("web:stay_list") + "?sort=-revenue")
    assert [s.room_number for s in response.context["table"].page.object_list.data] == ["0101", "1808"]


def test_creating_a_stay_for_a_preselected_guest(client_a, guest_a, property_a, company_a):
    page = client_a.get(reverse("web:stay_create") + f"?guest={guest_a.pk}")
    assert page.context["form"].initial["guest"] == guest_a.pk
    assert "张伟" in page.content.decode()
    response = client_a.post(reverse("web:stay_create"), {
        "guest": guest_a.pk, "property": property_a.pk, "company": company_a.pk, "arrival": "2026-04-01",
        "departure": "2026-04-04", "status": "reserved", "channel": "corporate", "market_segment": "corporate",
        "room_revenue": "1500", "adults": 1, "children": 0,
    })
    stay = Stay.objects.get(guest=guest_a)
    assert response.status_code == 302 and response["Location"] == reverse("web:stay_detail", args=[stay.pk])
    assert (stay.room_nights, stay.adr, stay.currency) == (3, Decimal("500.00"), "CNY")


def test_creating_a_stay_with_departure_before_arrival_shows_the_error(client_a, guest_a, property_a):
    response = client_a.post(reverse("web:stay_create"), {
        "guest": guest_a.pk, "property": property_a.pk, "arrival": "2026-04-04", "departure": "2026-04-01",
        "status": "reserved", "channel": "direct", "market_segment": "leisure", "adults": 1, "children": 0,
    })
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Stay.objects.exists()


def test_the_guest_lookup_on_a_new_stay_finds_guests(client_a, guest_a):
    response = client_a.get(reverse("web:stay_create") + "?q=zhang wei", HTTP_HX_REQUEST="true",
                            HTTP_HX_TARGET="guest-lookup")
    assert f"?guest={guest_a.pk}" in response.content.decode()


def test_checking_in_from_the_stay_page(client_a, stay_a):
    response = client_a.post(reverse("web:stay_status", args=[stay_a.pk]), {"status": "in_house"})
    assert response.status_code == 302
    stay_a.refresh_from_db()
    assert stay_a.status == "in_house"


def test_editing_a_stay_saves_through_the_service(client_a, stay_a, company_a):
    response = client_a.post(reverse("web:stay_edit", args=[stay_a.pk]), {
        "company": company_a.pk, "arrival": "2026-03-10", "departure": "2026-03-12", "room_nights": "",
        "room_number": "2001", "rate_code": "CORP", "adr": "", "room_revenue": "2000", "fnb_revenue": "0",
        "other_revenue": "0", "currency": "CNY", "channel": "corporate", "market_segment": "corporate",
        "status": "checked_out", "adults": 2, "children": 0,
    })
    assert response.status_code == 302
    stay_a.refresh_from_db()
    assert (stay_a.room_number, stay_a.status, stay_a.adults) == ("2001", "checked_out", 2)


def test_the_stay_page_shows_the_guests_alerts_and_the_preference_form(client_a, stay_a, guest_a, frontdesk_a):
    alert_add(actor=frontdesk_a, guest=guest_a, text="Peanut allergy", severity="critical", category="allergy")
    body = client_a.get(reverse("web:stay_detail", args=[stay_a.pk])).content.decode()
    assert "Peanut allergy" in body
    assert reverse("web:preference_add", args=[guest_a.pk]) in body
    assert f'name="stay" value="{stay_a.pk}"' in body


def test_the_company_stays_link_filters_the_list(client_a, stay_a, company_a, guest_a, frontdesk_a, property_a):
    stay_create(actor=frontdesk_a, guest=guest_a, property=property_a, arrival=timezone.localdate(),
                departure=timezone.localdate(), room_number="0303")
    response = client_a.get(reverse("web:stay_list") + f"?company={company_a.pk}")
    assert [s.pk for s in response.context["table"].page.object_list.data] == [stay_a.pk]
    assert response.context["filter_company"] == company_a
