"""Writes of the tours module: products, departures, and orders that can never oversell a departure.

Seats are taken with one conditional UPDATE (`seats_taken = seats_taken + n WHERE seats_taken + n <= capacity AND
status = 'open'`) inside the order's transaction. On PostgreSQL a concurrent order waits for the row lock the
first UPDATE holds and then re-checks the WHERE clause against the committed row (READ COMMITTED re-evaluation),
so the sum of confirmed seats can never pass the capacity; the check constraint on the table is the backstop.
On SQLite transactions are IMMEDIATE, so writers are serialised anyway.

Lock order: an existing order's row first, then its departure's row (cancel, change). Placing an order locks
only the departure, so the two paths cannot deadlock.
"""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from concierge.core.choices import ActivityKind
from concierge.core.i18n import LocalizedText
from concierge.core.services import activity_log
from concierge.guests.services import StaleVersionError
from concierge.tours.choices import DepartureStatus, OrderStatus
from concierge.tours.models import Departure, Order, TourProduct

# There is no "order" kind among the core activity kinds; a note keeps the entry on the timeline without being
# counted as contacting the customer.
ACTIVITY_KIND = ActivityKind.NOTE

ORDER_PLACED = gettext_noop("Tour order %(number)s: %(seats)s seat(s) on %(product)s, departing %(date)s")
ORDER_CHANGED = gettext_noop("Tour order %(number)s changed from %(old)s to %(new)s seat(s)")
ORDER_CANCELLED = gettext_noop("Tour order %(number)s cancelled: %(reason)s")


class NotEnoughSeats(ValidationError):
    """Raised when a departure cannot take the seats asked for (full, closed or cancelled)."""

    code = "not_enough_seats"


def _money(value: Any) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def _refusal(departure: Departure, asked: int) -> NotEnoughSeats:
    """The clear, translated refusal: which departure, how many seats are left."""
    params = {"date": f"{departure.departs_on:%Y-%m-%d}", "product": departure.product.name,
              "left": departure.seats_left, "asked": asked}
    if departure.status != DepartureStatus.OPEN:
        message = _("The %(date)s departure of %(product)s is %(status)s and takes no orders.") % {
            **params, "status": departure.get_status_display().lower()}
    elif departure.seats_left == 0:
        message = _("The %(date)s departure of %(product)s is full: no seats left.") % params
    else:
        message = ngettext(
            "Only %(left)s seat left on the %(date)s departure of %(product)s (you asked for %(asked)s).",
            "Only %(left)s seats left on the %(date)s departure of %(product)s (you asked for %(asked)s).",
            departure.seats_left,
        ) % params
    return NotEnoughSeats({"seats": [ValidationError(message, code="not_enough_seats")]})


def _take_seats(departure_id: int, seats: int) -> None:
    """Take `seats` on the departure or raise NotEnoughSeats. Must run inside the caller's transaction."""
    taken = Departure.objects.filter(
        pk=departure_id, status=DepartureStatus.OPEN, seats_taken__lte=F("capacity") - seats,
    ).update(seats_taken=F("seats_taken") + seats)
    if taken != 1:
        raise _refusal(Departure.objects.select_related("product").get(pk=departure_id), seats)


def _return_seats(departure_id: int, seats: int) -> None:
    Departure.objects.filter(pk=departure_id).update(seats_taken=F("seats_taken") - seats)


def _amount(*, seats: int, children: int, price: Decimal, child_price: Decimal) -> Decimal:
    return _money((seats - children) * price + children * child_price)


def _timeline(*, actor: Any, order: Order, text: LocalizedText, event: str) -> None:
    product = order.departure.product
    activity_log(actor=actor, kind=ACTIVITY_KIND, summary=text, guest=order.guest, company=order.company,
                 property=product.property, data={"tour_order_id": order.pk, "event": event})


def _check_order_fields(*, seats: int, children: int, guest: Any, company: Any, contact_name: str) -> None:
    errors: dict[str, list[str]] = {}
    if seats < 1:
        errors["seats"] = [_("Order at least one seat.")]
    if children < 0 or children > seats:
        errors["children"] = [_("Children must be between 0 and the number of seats.")]
    if guest is None and company is None:
        errors["company"] = [_("Choose the agency or the guest who orders.")]
    if not (contact_name or "").strip():
        errors["contact_name"] = [_("Enter the name of the contact person.")]
    if errors:
        raise ValidationError(errors)


def order_place(
    *,
    actor: Any,
    departure: Departure,
    seats: int,
    contact_name: str,
    contact_phone: str = "",
    guest: Any = None,
    company: Any = None,
    children: int = 0,
    note: str = "",
) -> Order:
    """Book `seats` on `departure` for a guest and/or an agency, or refuse with NotEnoughSeats.

    Prices are read from the departure inside the transaction, after the seats are taken (the UPDATE holds the
    row lock, so they cannot change under us).
    """
    _check_order_fields(seats=seats, children=children, guest=guest, company=company, contact_name=contact_name)
    with transaction.atomic():
        _take_seats(departure.pk, seats)
        fresh = Departure.objects.select_related("product", "product__property").get(pk=departure.pk)
        child_price = fresh.child_price if fresh.child_price is not None else fresh.price
        order = Order.objects.create(
            number=f"tmp-{uuid.uuid4().hex[:16]}", departure=fresh, guest=guest, company=company,
            contact_name=contact_name.strip(), contact_phone=(contact_phone or "").strip(), seats=seats,
            children=children, unit_price=fresh.price, child_price=child_price,
            amount=_amount(seats=seats, children=children, price=fresh.price, child_price=child_price),
            note=note, created_by=actor if getattr(actor, "pk", None) else None,
        )
        # The number comes from the primary key, so it is unique without a second counter to lock.
        order.number = f"TO{order.created_at:%y%m}{order.pk:06d}"
        Order.objects.filter(pk=order.pk).update(number=order.number)
        _timeline(actor=actor, order=order, event="placed", text=LocalizedText(ORDER_PLACED, {
            "number": order.number, "seats": seats, "product": fresh.product.name_en or fresh.product.name_zh,
            "date": f"{fresh.departs_on:%Y-%m-%d}"}))
    return order


def _locked_order(order: Order, expected_version: int | None) -> Order:
    locked = Order.objects.select_for_update().select_related("departure__product").get(pk=order.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersionError(_("This order was changed by someone else. Reload it and apply your change again."))
    return locked


def order_cancel(*, actor: Any, order: Order, reason: str, expected_version: int | None = None) -> Order:
    """Cancel an order and give its seats back to the departure, in one transaction.

    Idempotent: cancelling an order that is already cancelled changes nothing and returns no seats.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason for the cancellation.")]})
    with transaction.atomic():
        locked = _locked_order(order, None)
        if locked.status == OrderStatus.CANCELLED:
            return locked
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersionError(
                _("This order was changed by someone else. Reload it and apply your change again."))
        # Conditional on the status too, so even without the row lock a second cancel could not return seats.
        done = Order.objects.filter(pk=locked.pk, status=OrderStatus.CONFIRMED).update(
            status=OrderStatus.CANCELLED, cancel_reason=reason[:300], cancelled_at=timezone.now(),
            version=F("version") + 1)
        if done:
            _return_seats(locked.departure_id, locked.seats)
            locked.refresh_from_db()
            _timeline(actor=actor, order=locked, event="cancelled",
                      text=LocalizedText(ORDER_CANCELLED, {"number": locked.number, "reason": reason[:200]}))
    return locked


def order_change_seats(
    *, actor: Any, order: Order, seats: int, children: int | None = None, expected_version: int | None = None,
) -> Order:
    """Change the number of seats of a confirmed order: more seats are taken like a new order (and refused the
    same way), fewer seats go back to the departure. The amount is recomputed at the order's prices."""
    with transaction.atomic():
        locked = _locked_order(order, expected_version)
        if locked.status != OrderStatus.CONFIRMED:
            raise ValidationError({"seats": [_("A cancelled order cannot be changed.")]})
        children = locked.children if children is None else children
        _check_order_fields(seats=seats, children=children, guest=locked.guest_id, company=locked.company_id,
                            contact_name=locked.contact_name)
        old = locked.seats
        if seats > old:
            _take_seats(locked.departure_id, seats - old)
        elif seats < old:
            _return_seats(locked.departure_id, old - seats)
        Order.objects.filter(pk=locked.pk).update(
            seats=seats, children=children, version=F("version") + 1,
            amount=_amount(seats=seats, children=children, price=locked.unit_price, child_price=locked.child_price))
        locked.refresh_from_db()
        if seats != old:
            _timeline(actor=actor, order=locked, event="changed",
                      text=LocalizedText(ORDER_CHANGED, {"number": locked.number, "old": old, "new": seats}))
    return locked


# --- products and departures ---------------------------------------------------------------------------------


PRODUCT_FIELDS = ("code", "name_zh", "name_en", "description_zh", "description_en", "property", "duration_days",
                  "inclusions_zh", "inclusions_en", "currency", "is_active")


def product_save(*, actor: Any, product: TourProduct | None = None, **fields: Any) -> TourProduct:
    """Create a product (no `product`) or update one with the given fields."""
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"unknown product fields: {sorted(unknown)}")
    product = product or TourProduct()
    for name, value in fields.items():
        setattr(product, name, value)
    product.full_clean()
    with transaction.atomic():
        product.save()
    return product


def departure_create(
    *, actor: Any, product: TourProduct, departs_on: dt.date, capacity: int, price: Decimal,
    child_price: Decimal | None = None, status: str = DepartureStatus.OPEN, note: str = "",
) -> Departure:
    """Add a departure to a product (no seats taken yet)."""
    departure = Departure(product=product, departs_on=departs_on, capacity=capacity, price=price,
                          child_price=child_price, status=status, note=note)
    departure.full_clean()
    with transaction.atomic():
        departure.save()
    return departure


def departure_update(
    *, actor: Any, departure: Departure, departs_on: dt.date, capacity: int, price: Decimal,
    child_price: Decimal | None = None, status: str = DepartureStatus.OPEN, note: str = "",
) -> Departure:
    """Change a departure's date, capacity, prices or status; never its seat counter.

    One conditional UPDATE that names only these columns: a form save of the whole row would write back a stale
    `seats_taken` read before a concurrent order. The capacity cannot drop below the seats already sold.
    Prices apply to new orders; confirmed orders keep their prices.
    """
    candidate = Departure(pk=departure.pk, product=departure.product, departs_on=departs_on, capacity=capacity,
                          price=price, child_price=child_price, status=status, note=note)
    candidate._state.adding = False  # validate as the existing row (its own date is not a duplicate)
    candidate.full_clean(exclude=["seats_taken"])
    with transaction.atomic():
        try:
            done = Departure.objects.filter(pk=departure.pk, seats_taken__lte=capacity).update(
                departs_on=departs_on, capacity=capacity, price=price, child_price=child_price, status=status,
                note=note)
        except IntegrityError as exc:  # a unique-date race the validation above could not see
            raise ValidationError({"departs_on": [_("This product already departs on that date.")]}) from exc
        if not done:
            sold = Departure.objects.values_list("seats_taken", flat=True).get(pk=departure.pk)
            raise ValidationError({"capacity": [
                ngettext("%(sold)s seat is already sold: the capacity cannot be lower.",
                         "%(sold)s seats are already sold: the capacity cannot be lower.", sold) % {"sold": sold}]})
    departure.refresh_from_db()
    return departure
