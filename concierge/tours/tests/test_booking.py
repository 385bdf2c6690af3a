"""Booking rules: seats are taken and given back exactly once; refusals name the departure and the seats left."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from concierge.core.models import Activity
from concierge.tours.models import Departure, Order
from concierge.tours.selectors import departure_confirmed_seats
from concierge.tours.services import (
    NotEnoughSeats,
    departure_update,
    order_cancel,
    order_change_seats,
)

pytestmark = pytest.mark.django_db


def _taken(departure: Departure) -> int:
    departure.refresh_from_db()
    return departure.seats_taken


def test_an_order_takes_seats_and_prices_adults_and_children(place, departure):
    order = place(departure, seats=3, children=1)
    assert _taken(departure) == 3
    assert order.number.startswith("TO") and order.status == "confirmed"
    assert order.unit_price == Decimal("1880.00") and order.child_price == Decimal("1280.00")
    assert order.amount == Decimal("2") * Decimal("1880.00") + Decimal("1280.00")


def test_multi_seat_orders_fill_the_departure_exactly_to_the_edge(place, departure):
    place(departure, seats=7)
    with pytest.raises(NotEnoughSeats) as refused:
        place(departure, seats=4)
    assert refused.value.message_dict["seats"] == [
        "Only 3 seats left on the 2026-12-01 departure of Shanghai water towns, 3 days (you asked for 4)."]
    place(departure, seats=3)
    assert _taken(departure) == 10
    with pytest.raises(NotEnoughSeats) as full:
        place(departure, seats=1)
    assert "is full: no seats left" in full.value.messages[0]
    assert Order.objects.filter(departure=departure).count() == 2
    assert departure_confirmed_seats(departure) == 10


def test_the_refusal_is_translated(place, departure):
    from django.utils import translation

    place(departure, seats=9)
    with translation.override("zh-hans"), pytest.raises(NotEnoughSeats) as refused:
        place(departure, seats=2)
    # The product is named in the reader's language even before the catalogue is translated.
    assert "上海水乡三日游" in refused.value.messages[0] and "2026-12-01" in refused.value.messages[0]


def test_a_closed_departure_takes_no_orders(place, departure, sales_a):
    departure_update(actor=sales_a, departure=departure, departs_on=departure.departs_on, capacity=10,
                     price=departure.price, child_price=departure.child_price, status="closed")
    with pytest.raises(NotEnoughSeats) as refused:
        place(departure, seats=1)
    assert "is closed and takes no orders" in refused.value.messages[0]
    assert _taken(departure) == 0


def test_cancelling_returns_the_seats_once(place, departure, sales_a):
    order = place(departure, seats=4)
    assert _taken(departure) == 4
    order_cancel(actor=sales_a, order=order, reason="Group postponed")
    assert _taken(departure) == 0
    again = order_cancel(actor=sales_a, order=order, reason="Clicked twice")
    assert _taken(departure) == 0
    assert again.status == "cancelled" and again.cancel_reason == "Group postponed"
    assert departure_confirmed_seats(departure) == 0


def test_a_cancellation_needs_a_reason(place, departure, sales_a):
    order = place(departure, seats=1)
    with pytest.raises(ValidationError) as exc:
        order_cancel(actor=sales_a, order=order, reason="  ")
    assert "reason" in exc.value.message_dict
    assert _taken(departure) == 1


def test_changing_seats_takes_or_returns_the_difference(place, departure, sales_a):
    order = place(departure, seats=2)
    place(departure, seats=5)
    order = order_change_seats(actor=sales_a, order=order, seats=5)
    assert _taken(departure) == 10 and order.seats == 5 and order.amount == Decimal("9400.00")
    with pytest.raises(NotEnoughSeats):
        order_change_seats(actor=sales_a, order=order, seats=6)
    assert _taken(departure) == 10
    order = order_change_seats(actor=sales_a, order=order, seats=1)
    assert _taken(departure) == 6 and order.version == 3


def test_a_stale_version_is_refused(place, departure, sales_a):
    from concierge.guests.services import StaleVersionError

    order = place(departure, seats=2)
    order_change_seats(actor=sales_a, order=order, seats=3, expected_version=1)
    with pytest.raises(StaleVersionError):
        order_change_seats(actor=sales_a, order=order, seats=4, expected_version=1)
    assert _taken(departure) == 3


def test_a_cancelled_order_cannot_be_changed(place, departure, sales_a):
    order = place(departure, seats=2)
    order_cancel(actor=sales_a, order=order, reason="No longer needed")
    with pytest.raises(ValidationError):
        order_change_seats(actor=sales_a, order=order, seats=1)
    assert _taken(departure) == 0


def test_capacity_cannot_drop_below_the_seats_sold(place, departure, sales_a):
    place(departure, seats=6)
    with pytest.raises(ValidationError) as exc:
        departure_update(actor=sales_a, departure=departure, departs_on=departure.departs_on, capacity=5,
                         price=departure.price)
    assert exc.value.message_dict["capacity"] == ["6 seats are already sold: the capacity cannot be lower."]
    departure_update(actor=sales_a, departure=departure, departs_on=departure.departs_on, capacity=6,
                     price=Decimal("1999"))
    assert _taken(departure) == 6 and departure.capacity == 6 and departure.seats_left == 0


def test_the_database_refuses_an_oversold_row(departure):
    with pytest.raises(IntegrityError), transaction.atomic():
        Departure.objects.filter(pk=departure.pk).update(seats_taken=11)


def test_an_order_needs_a_customer_and_a_contact(departure, sales_a):
    from concierge.tours.services import order_place

    with pytest.raises(ValidationError) as exc:
        order_place(actor=sales_a, departure=departure, seats=1, contact_name="")
    assert set(exc.value.message_dict) == {"company", "contact_name"}
    assert _taken(departure) == 0


def test_orders_and_cancellations_land_on_the_agency_and_guest_timeline(place, departure, sales_a, guest_a, agency):
    from django.utils import translation

    order = place(departure, seats=2, guest=guest_a)
    order_cancel(actor=sales_a, order=order, reason="Visa refused")
    entries = list(Activity.objects.filter(data__tour_order_id=order.pk).order_by("id"))
    assert [e.data["event"] for e in entries] == ["placed", "cancelled"]
    assert all(e.company_id == agency.pk and e.guest_id == guest_a.pk and e.actor_id == sales_a.pk for e in entries)
    assert entries[0].data["summary_i18n"]["msgid"].startswith("Tour order %(number)s")
    assert entries[0].display_summary == (
        f"Tour order {order.number}: 2 seat(s) on Shanghai water towns, 3 days, departing 2026-12-01")
    assert entries[1].display_summary == f"Tour order {order.number} cancelled: Visa refused"
    with translation.override("zh-hans"):
        assert order.number in entries[1].display_summary
    # The agency's company page reads the same rows.
    assert Activity.objects.filter(company=agency, data__tour_order_id=order.pk).count() == 2


def test_seats_are_per_departure(place, departure, product, sales_a):
    from concierge.tours.services import departure_create

    other = departure_create(actor=sales_a, product=product, departs_on=dt.date(2026, 12, 8), capacity=2,
                             price=Decimal("100"))
    place(departure, seats=10)
    place(other, seats=2)
    assert _taken(departure) == 10 and _taken(other) == 2


def test_a_guest_merge_moves_the_tour_orders_and_bumps_their_version(departure, place, property_a, sales_a):
    from concierge.accounts.models import User
    from concierge.dedupe.services.merge import guest_merge, guest_merge_undo
    from concierge.guests.services import guest_create

    manager = User.objects.create_user(username="mona", password="test-password-123", role="manager")
    manager.properties.set([property_a])
    first = guest_create(actor=manager, property=property_a, family_name="李", given_name="娜")
    second = guest_create(actor=manager, property=property_a, family_name="李", given_name="娜")
    order = place(departure, seats=2, guest=second)
    assert order.version == 1
    record = guest_merge(actor=manager, survivor=first, merged=second)
    order.refresh_from_db()
    assert (order.guest_id, order.version) == (first.pk, 2)  # a form holding version 1 is now stale
    guest_merge_undo(actor=manager, merge_record=record)
    order.refresh_from_db()
    assert (order.guest_id, order.version) == (second.pk, 3)
