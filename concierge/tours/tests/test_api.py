"""API /api/v1/tours/: products, departures, orders (409 when full), cancel; the same permissions as the UI."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from concierge.tours.permissions import can_manage_tours

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_an_order_is_placed_and_refused_with_409_when_full(sales_a, departure, agency):
    api = _client(sales_a)
    payload = {"departure": departure.pk, "company": agency.pk, "contact_name": "王经理", "seats": 8}
    response = api.post("/api/v1/tours/orders/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["seats"] == 8 and body["amount"] == "15040.00" and body["status"] == "confirmed"
    response = api.post("/api/v1/tours/orders/", {**payload, "seats": 3}, format="json")
    assert response.status_code == 409
    error = response.json()["errors"][0]
    assert error["code"] == "not_enough_seats"
    assert error["detail"] == (
        "Only 2 seats left on the 2026-12-01 departure of Shanghai water towns, 3 days (you asked for 3).")
    seats = api.get(f"/api/v1/tours/departures/{departure.pk}/").json()
    assert seats["seats_taken"] == 8 and seats["seats_left"] == 2


def test_bad_input_is_a_400_naming_the_field(sales_a, departure):
    response = _client(sales_a).post("/api/v1/tours/orders/", {"departure": departure.pk, "seats": 0,
                                                                "contact_name": "x"}, format="json")
    assert response.status_code == 400
    assert {e["attr"] for e in response.json()["errors"]} == {"seats"}


def test_cancel_returns_the_seats_once(sales_a, departure, place):
    order = place(departure, seats=5)
    api = _client(sales_a)
    for _ in range(2):
        response = api.post(f"/api/v1/tours/orders/{order.pk}/cancel/", {"reason": "Postponed"}, format="json")
        assert response.status_code == 200 and response.json()["status"] == "cancelled"
    departure.refresh_from_db()
    assert departure.seats_taken == 0


def test_products_and_departures_are_created_by_sales(sales_a, property_a):
    api = _client(sales_a)
    response = api.post("/api/v1/tours/products/", {"code": "hgh-1d", "name_zh": "灵隐一日游", "name_en": "Lingyin day",
                                                    "duration_days": 1, "property": property_a.pk}, format="json")
    assert response.status_code == 201, response.content
    product_id = response.json()["id"]
    response = api.post("/api/v1/tours/departures/", {"product": product_id, "departs_on": "2026-12-20",
                                                      "capacity": 20, "price": "458.00"}, format="json")
    assert response.status_code == 201 and response.json()["seats_left"] == 20
    listed = api.get("/api/v1/tours/departures/", {"product": product_id}).json()
    assert listed["count"] == 1


@pytest.mark.parametrize("role", ["front_desk", "service_agent", "sales_rep", "sales_manager", "manager", "admin",
                                  "marketing"])
def test_api_and_ui_permissions_agree(role, client, property_a, departure, agency):
    from django.urls import reverse

    from concierge.accounts.models import User

    user = User.objects.create_user(username=f"u-{role}", password="test-password-123", role=role)
    user.properties.set([property_a])
    manages = can_manage_tours(user)
    assert manages == (role in {"sales_rep", "sales_manager", "manager", "admin"})
    api = _client(user)
    assert api.get("/api/v1/tours/orders/").status_code == 200
    api_status = api.post("/api/v1/tours/orders/", {"departure": departure.pk, "company": agency.pk,
                                                    "contact_name": "x", "seats": 1}, format="json").status_code
    client.force_login(user)
    ui_status = client.post(reverse("tours:tour_order_create"), {
        "departure": departure.pk, "company": agency.pk, "contact_name": "x", "seats": 1}).status_code
    assert client.get(reverse("tours:tour_order_list")).status_code == 200
    if manages:
        assert (api_status, ui_status) == (201, 302)
    else:
        assert (api_status, ui_status) == (403, 403)
