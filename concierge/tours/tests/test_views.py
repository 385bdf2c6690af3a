"""Tour pages: lists, availability, the order form (field errors, the refusal), cancel, download, permissions."""
from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document

from concierge.tours.models import Order

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_the_product_page_shows_departures_with_seats_left(client, sales_a, place, departure, product):
    place(departure, seats=7)
    page = _login(client, sales_a).get(reverse("tours:tour_product_detail", args=[product.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "3 of 10 left" in body and 'style="width: 70%"' in body
    listing = client.get(reverse("tours:tour_product_list")).content.decode()
    assert "sha-3d" in listing and "Tour products" in listing


def test_placing_an_order_from_the_form(client, sales_a, departure, agency):
    response = _login(client, sales_a).post(reverse("tours:tour_order_create"), {
        "departure": departure.pk, "company": agency.pk, "contact_name": "王经理", "seats": 4, "children": 1})
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tours:tour_order_detail",
                                                                            args=[order.pk])
    assert order.seats == 4 and order.created_by == sales_a
    detail = client.get(response["Location"]).content.decode()
    assert order.number in detail and "Spring Holiday Travel" in detail


def test_the_order_form_names_the_fields_in_error_and_shows_the_refusal(client, sales_a, departure, agency, place):
    _login(client, sales_a)
    response = client.post(reverse("tours:tour_order_create"), {"departure": departure.pk, "seats": 0})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"seats", "contact_name"}
    place(departure, seats=8)
    response = client.post(reverse("tours:tour_order_create"), {
        "departure": departure.pk, "company": agency.pk, "contact_name": "Lin", "seats": 3})
    assert response.status_code == 400
    assert response.context["form"].errors["seats"] == [
        "Only 2 seats left on the 2026-12-01 departure of Shanghai water towns, 3 days (you asked for 3)."]
    assert "Only 2 seats left" in response.content.decode()
    assert Order.objects.count() == 1


def test_cancelling_from_the_order_page(client, sales_a, departure, place):
    order = place(departure, seats=2)
    _login(client, sales_a)
    url = reverse("tours:tour_order_cancel", args=[order.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "Weather", "version": order.version})
    assert response.status_code == 302
    order.refresh_from_db()
    departure.refresh_from_db()
    assert order.status == "cancelled" and departure.seats_taken == 0


def test_the_confirmation_downloads_in_both_languages(client, frontdesk_a, departure, place):
    order = place(departure, seats=2)
    _login(client, frontdesk_a)
    url = reverse("tours:tour_order_document", args=[order.pk])
    for lang, name in (("en", "Shanghai water towns, 3 days"), ("zh-hans", "上海水乡三日游")):
        response = client.get(url, {"lang": lang})
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith(f'{order.number}-{lang[:2]}.docx"')
        document = Document(io.BytesIO(response.content))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        assert f"{name} (sha-3d)" in cells


def test_the_order_list_filters_and_paginates(client, manager, departure, place):
    first = place(departure, seats=1, contact_name="Alpha")
    place(departure, seats=1, contact_name="Beta")
    _login(client, manager)
    body = client.get(reverse("tours:tour_order_list"), {"q": "Alpha"}).content.decode()
    assert first.number in body and "Beta" not in body
    response = client.get(reverse("tours:tour_order_list"), {"status": "cancelled"})
    assert response.context["page"].paginator.count == 0


def test_front_desk_reads_but_cannot_change(client, frontdesk_a, departure, place, product, agency):
    order = place(departure, seats=1)
    _login(client, frontdesk_a)
    assert client.get(reverse("tours:tour_order_detail", args=[order.pk])).status_code == 200
    assert client.get(reverse("tours:tour_product_detail", args=[product.pk])).status_code == 200
    for url in (reverse("tours:tour_order_create"), reverse("tours:tour_product_create"),
                reverse("tours:tour_departure_create", args=[product.pk])):
        assert client.get(url).status_code == 403
    assert client.post(reverse("tours:tour_order_cancel", args=[order.pk]), {"reason": "x"}).status_code == 403
    assert client.post(reverse("tours:tour_order_create"), {
        "departure": departure.pk, "company": agency.pk, "contact_name": "x", "seats": 1}).status_code == 403


def test_another_property_sees_nothing(client, frontdesk_b, departure, place, product):
    order = place(departure, seats=1)
    _login(client, frontdesk_b)
    assert client.get(reverse("tours:tour_order_detail", args=[order.pk])).status_code == 404
    assert client.get(reverse("tours:tour_product_detail", args=[product.pk])).status_code == 404
    assert client.get(reverse("tours:tour_order_list")).context["page"].paginator.count == 0


def test_editing_a_departure_keeps_the_seats_sold(client, sales_a, departure, place, product):
    place(departure, seats=6)
    _login(client, sales_a)
    url = reverse("tours:tour_departure_edit", args=[product.pk, departure.pk])
    data = {"departs_on": "2026-12-01", "capacity": 5, "price": "1880.00", "child_price": "", "status": "open"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].errors["capacity"] == ["6 seats are already sold: the capacity cannot be lower."]
    response = client.post(url, {**data, "capacity": 12})
    assert response.status_code == 302
    departure.refresh_from_db()
    assert departure.capacity == 12 and departure.seats_taken == 6


def test_list_pages_use_a_fixed_number_of_queries(client, manager, departure, place, guest_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _login(client, manager)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    place(departure, seats=1, guest=guest_a)
    few = (count(reverse("tours:tour_order_list")), count(reverse("tours:tour_product_list")))
    for _ in range(4):
        place(departure, seats=1, guest=guest_a)
    assert (count(reverse("tours:tour_order_list")), count(reverse("tours:tour_product_list"))) == few
