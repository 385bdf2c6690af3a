"""The stays ledger: one row per stay, its packages/products, and refreshed per-property statistics."""
from __future__ import annotations

import builtins
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from concierge.guests.choices import SourceChannel
from concierge.core.querysets import ScopedQuerySet
from concierge.stays.choices import MarketSegment, StayStatus


class Product(models.Model):
    """A package or product sold with a stay ("Singapore food week", "spa", "late checkout")."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    category = models.CharField(_("category"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product / package")
        verbose_name_plural = _("products / packages")

    def __str__(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en


class Stay(models.Model):
    """A stay (reservation) of a guest at a property, with the revenue it produced."""

    guest = models.ForeignKey(
        "guests.Guest", null=True, blank=True, on_delete=models.PROTECT, related_name="stays", verbose_name=_("guest")
    )
    company = models.ForeignKey(
        "guests.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="stays",
        verbose_name=_("billing company"),
    )
    property = models.ForeignKey(
        "properties.Property", on_delete=models.PROTECT, related_name="stays", verbose_name=_("property")
    )
    arrival = models.DateField(_("arrival"))
    departure = models.DateField(_("departure"))
    room_nights = models.PositiveIntegerField(_("room nights"), default=1)
    room_type = models.CharField(_("room type"), max_length=40, blank=True)
    room_number = models.CharField(_("room"), max_length=20, blank=True)
    rate_code = models.CharField(_("rate code"), max_length=30, blank=True)
    adr = models.DecimalField(_("ADR"), max_digits=12, decimal_places=2, default=Decimal("0"))
    room_revenue = models.DecimalField(_("room revenue"), max_digits=14, decimal_places=2, default=Decimal("0"))
    fnb_revenue = models.DecimalField(_("F&B revenue"), max_digits=14, decimal_places=2, default=Decimal("0"))
    other_revenue = models.DecimalField(_("other revenue"), max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    channel = models.CharField(_("channel"), max_length=20, choices=SourceChannel.choices, default="direct")
    market_segment = models.CharField(
        _("market segment"), max_length=20, choices=MarketSegment.choices, default=MarketSegment.LEISURE
    )
    status = models.CharField(_("status"), max_length=12, choices=StayStatus.choices, default=StayStatus.RESERVED)
    adults = models.PositiveSmallIntegerField(_("adults"), default=1)
    children = models.PositiveSmallIntegerField(_("children"), default=0)
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    source = models.CharField(_("import source"), max_length=60, blank=True)
    products = models.ManyToManyField(Product, through="StayItem", blank=True, related_name="stays")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        ordering = ["-arrival", "-id"]
        indexes = [
            models.Index(fields=["guest", "-arrival"], name="stay_guest_arrival"),
            models.Index(fields=["company", "-arrival"], name="stay_company_arrival"),
            models.Index(fields=["property", "-arrival"], name="stay_property_arrival"),
            models.Index(fields=["status", "departure"], name="stay_status_departure"),
            models.Index(fields=["source", "external_ref"], name="stay_external_ref"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(departure__gte=models.F("arrival")),
                name="stay_departure_after_arrival",
                violation_error_message=_("Departure cannot be before arrival."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.property.code} {self.arrival:%Y-%m-%d}–{self.departure:%Y-%m-%d}"

    @builtins.property  # `property` is a field name in this class body
    def total_revenue(self) -> Decimal:
        return self.room_revenue + self.fnb_revenue + self.other_revenue


class StayItem(models.Model):
    """A product/package bought on a stay."""

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stay_items")
    quantity = models.PositiveIntegerField(default=1)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stay", "product"], name="stayitem_unique")]
        indexes = [models.Index(fields=["product"], name="stayitem_product")]


class GuestPropertyStats(models.Model):
    """Per guest and property figures, refreshed nightly (and after stay changes) with a rank by revenue.

    The live card computes its totals by aggregate; this table serves ranking and lists at scale.
    """

    guest = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="property_stats")
    property = models.ForeignKey("properties.Property", on_delete=models.CASCADE, related_name="+")
    stays = models.PositiveIntegerField(default=0)
    room_nights = models.PositiveIntegerField(default=0)
    room_revenue = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    other_revenue = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    total_revenue = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    last_stay_on = models.DateField(null=True)
    revenue_rank = models.PositiveIntegerField(null=True)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["guest", "property"], name="guestpropertystats_unique")]
        indexes = [models.Index(fields=["property", "revenue_rank"], name="gps_property_rank")]
