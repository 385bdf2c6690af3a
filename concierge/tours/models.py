"""Tour products (packages) of the travel-agency business, their departures and the orders placed against them.

`Departure.seats_taken` is the one counter of sold seats. It only moves through the conditional UPDATEs in
`services.py` (never through a form save of the whole row), and a database check constraint keeps it between 0
and the capacity, so a departure can never be oversold, even by concurrent orders.
"""
from __future__ import annotations

import builtins
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from concierge.core.querysets import ScopedQuerySet
from concierge.tours.choices import DepartureStatus, OrderStatus


def _localized(zh: str, en: str) -> str:
    if (get_language() or "").startswith("zh"):
        return zh or en
    return en or zh


class TourProduct(models.Model):
    """A tour product / package sold to guests and travel agencies (e.g. "3 days Shanghai & water towns").

    A product may belong to one property (its departures start there) or to the whole group (no property).
    """

    scope_property_field = "property"
    scope_property_shared_when_null = True

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.PROTECT, related_name="tour_products",
        verbose_name=_("property"), help_text=_("Empty = a group-wide product."),
    )
    duration_days = models.PositiveSmallIntegerField(_("duration (days)"), default=1)
    inclusions_zh = models.TextField(_("inclusions (Chinese)"), blank=True, help_text=_("One item per line."))
    inclusions_en = models.TextField(_("inclusions (English)"), blank=True, help_text=_("One item per line."))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tour product")
        verbose_name_plural = _("tour products")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(duration_days__gte=1), name="tours_product_duration_min",
                                   violation_error_message=_("A tour lasts at least one day.")),
        ]

    def __str__(self) -> str:
        return self.name

    @builtins.property
    def name(self) -> str:
        return _localized(self.name_zh, self.name_en)

    @builtins.property
    def description(self) -> str:
        return _localized(self.description_zh, self.description_en)

    @builtins.property
    def inclusion_lines(self) -> list[str]:
        text = _localized(self.inclusions_zh, self.inclusions_en)
        return [line.strip() for line in text.splitlines() if line.strip()]


class Departure(models.Model):
    """One dated departure of a product with a seat capacity and prices. Orders take seats from it."""

    scope_property_field = "product__property"
    scope_property_shared_when_null = True

    product = models.ForeignKey(TourProduct, on_delete=models.CASCADE, related_name="departures",
                                verbose_name=_("product"))
    departs_on = models.DateField(_("departure date"))
    capacity = models.PositiveIntegerField(_("capacity (seats)"))
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)
    price = models.DecimalField(_("price per seat"), max_digits=10, decimal_places=2)
    child_price = models.DecimalField(_("child price per seat"), max_digits=10, decimal_places=2, null=True,
                                      blank=True, help_text=_("Empty = children pay the adult price."))
    status = models.CharField(_("status"), max_length=12, choices=DepartureStatus.choices,
                              default=DepartureStatus.OPEN)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("departure")
        verbose_name_plural = _("departures")
        ordering = ["departs_on", "id"]
        constraints = [
            # The last line of defence against overselling: whatever the code does, the row cannot hold more.
            models.CheckConstraint(condition=models.Q(seats_taken__lte=models.F("capacity")),
                                   name="tours_departure_not_oversold",
                                   violation_error_message=_("A departure cannot hold more seats than its capacity.")),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="tours_departure_price_min",
                                   violation_error_message=_("The price cannot be negative.")),
            models.CheckConstraint(condition=models.Q(child_price__isnull=True) | models.Q(child_price__gte=0),
                                   name="tours_departure_child_price_min",
                                   violation_error_message=_("The child price cannot be negative.")),
            models.UniqueConstraint(fields=["product", "departs_on"], name="tours_departure_unique_date",
                                    violation_error_message=_("This product already departs on that date.")),
        ]
        indexes = [models.Index(fields=["departs_on", "status"], name="tours_departure_date_status")]

    def __str__(self) -> str:
        return f"{self.product} · {self.departs_on:%Y-%m-%d}"

    @builtins.property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @builtins.property
    def percent_taken(self) -> int:
        return round(100 * self.seats_taken / self.capacity) if self.capacity else 100

    @builtins.property
    def is_bookable(self) -> bool:
        return self.status == DepartureStatus.OPEN and self.seats_left > 0


class Order(models.Model):
    """A booking of seats on a departure by a guest and/or a travel agency (a company).

    `amount` is fixed when the order is placed or changed: adults × price + children × child price.
    """

    scope_property_field = "departure__product__property"
    scope_property_shared_when_null = True

    number = models.CharField(_("order number"), max_length=20, unique=True)
    departure = models.ForeignKey(Departure, on_delete=models.PROTECT, related_name="orders",
                                  verbose_name=_("departure"))
    guest = models.ForeignKey("guests.Guest", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="tour_orders", verbose_name=_("guest"))
    company = models.ForeignKey("guests.Company", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="tour_orders", verbose_name=_("agency / company"))
    contact_name = models.CharField(_("contact name"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    seats = models.PositiveIntegerField(_("seats"))
    children = models.PositiveIntegerField(_("of which children"), default=0)
    unit_price = models.DecimalField(_("price per seat"), max_digits=10, decimal_places=2)
    child_price = models.DecimalField(_("child price per seat"), max_digits=10, decimal_places=2,
                                      default=Decimal("0"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices,
                              default=OrderStatus.CONFIRMED)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tour order")
        verbose_name_plural = _("tour orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="tours_order_seats_min",
                                   violation_error_message=_("An order needs at least one seat.")),
            models.CheckConstraint(condition=models.Q(children__lte=models.F("seats")),
                                   name="tours_order_children_le_seats",
                                   violation_error_message=_("There cannot be more children than seats.")),
        ]
        indexes = [
            models.Index(fields=["departure", "status"], name="tours_order_dep_status"),
            models.Index(fields=["company", "-created_at"], name="tours_order_company"),
        ]

    def __str__(self) -> str:
        return self.number

    @builtins.property
    def adults(self) -> int:
        return self.seats - self.children

    @builtins.property
    def customer_display(self) -> str:
        parts = [str(p) for p in (self.company, self.guest) if p is not None]
        return " / ".join(parts)
