"""`seed_tours`: products, departures and agency orders, one departure full; a second run adds nothing."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import F

from concierge.tours.demo import tours_seed
from concierge.tours.models import Departure, Order, TourProduct

pytestmark = pytest.mark.django_db


def test_seed_tours_is_idempotent_and_fills_one_departure(property_a, property_b, agency, manager):
    first = tours_seed(today=dt.date(2026, 11, 25))
    assert first.products == TourProduct.objects.count() == 6  # the SZX products need the SZX property
    assert first.departures == Departure.objects.count() > 30
    assert first.orders == Order.objects.count() > 30
    full = Departure.objects.filter(seats_taken=F("capacity"))
    assert [d.product.code for d in full] == ["sha-watertown-3d"]
    assert all(o.company_id == agency.pk for o in Order.objects.all())
    call_command("seed_tours")
    again = tours_seed(today=dt.date(2026, 11, 25))
    assert (again.products, again.departures, again.orders) == (0, 0, 0)
