"""Reads of the tours module: scoped products, departures with availability, orders."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.utils import timezone

from concierge.tours.choices import DepartureStatus, OrderStatus
from concierge.tours.models import Departure, Order, TourProduct


def products_for(user: Any) -> QuerySet[TourProduct]:
    """Products the user may see, with the next open departure and the seats left on upcoming open departures."""
    today = timezone.localdate()
    upcoming = Q(departures__departs_on__gte=today, departures__status=DepartureStatus.OPEN)
    return (
        TourProduct.objects.visible_to(user).select_related("property")
        .annotate(next_departure=Min("departures__departs_on", filter=upcoming),
                  upcoming_departures=Count("departures", filter=upcoming),
                  seats_left=Sum(F("departures__capacity") - F("departures__seats_taken"), filter=upcoming))
    )


def departures_for(user: Any) -> QuerySet[Departure]:
    return Departure.objects.visible_to(user).select_related("product", "product__property")


def upcoming_departures(product: TourProduct, *, since: dt.date | None = None) -> QuerySet[Departure]:
    return product.departures.filter(departs_on__gte=since or timezone.localdate()).order_by("departs_on")


def past_departures(product: TourProduct, *, limit: int = 10) -> QuerySet[Departure]:
    return product.departures.filter(departs_on__lt=timezone.localdate()).order_by("-departs_on")[:limit]


def orders_for(user: Any) -> QuerySet[Order]:
    return Order.objects.visible_to(user).select_related(
        "departure", "departure__product", "guest", "company", "created_by")


def departure_confirmed_seats(departure: Departure) -> int:
    """Seats of confirmed orders, summed in the database (equals `seats_taken` when nothing went wrong)."""
    return departure.orders.filter(status=OrderStatus.CONFIRMED).aggregate(n=Sum("seats"))["n"] or 0
