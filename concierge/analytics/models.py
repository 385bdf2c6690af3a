"""Materialised customer value: one row per guest and scope (a property, or the whole group when property is
empty), rebuilt by a scheduled job (`concierge.analytics.tasks.refresh_customer_value`)."""
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CustomerValue(models.Model):
    guest = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="value_scores")
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="Empty = group-wide figures.",
    )
    stays = models.PositiveIntegerField(_("stays"), default=0)
    room_nights = models.PositiveIntegerField(_("room nights"), default=0)
    room_revenue = models.DecimalField(_("room revenue"), max_digits=16, decimal_places=2, default=Decimal("0"))
    other_revenue = models.DecimalField(_("other revenue"), max_digits=16, decimal_places=2, default=Decimal("0"))
    total_revenue = models.DecimalField(_("revenue"), max_digits=16, decimal_places=2, default=Decimal("0"))
    profit = models.DecimalField(_("profit contribution"), max_digits=16, decimal_places=2, default=Decimal("0"))
    first_stay_on = models.DateField(_("first stay"), null=True)
    last_stay_on = models.DateField(_("last stay"), null=True)
    recency_days = models.PositiveIntegerField(_("days since last stay"), null=True)
    r_score = models.PositiveSmallIntegerField(_("R"), default=0, help_text="1 (worst) .. 5 (best)")
    f_score = models.PositiveSmallIntegerField(_("F"), default=0)
    m_score = models.PositiveSmallIntegerField(_("M"), default=0)
    rfm_cell = models.CharField(_("RFM cell"), max_length=3, blank=True, help_text='e.g. "545"')
    value_rank = models.PositiveIntegerField(_("value rank"), null=True)
    cumulative_share = models.DecimalField(
        _("cumulative revenue share"), max_digits=7, decimal_places=6, null=True,
        help_text="Share of the scope's revenue brought by this guest and every guest ranked above.",
    )
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("customer value")
        verbose_name_plural = _("customer values")
        constraints = [
            models.UniqueConstraint(fields=["guest", "property"], name="customer_value_guest_property"),
            models.UniqueConstraint(
                fields=["guest"], condition=models.Q(property__isnull=True), name="customer_value_guest_group"
            ),
        ]
        indexes = [
            models.Index(fields=["property", "value_rank"], name="customer_value_rank"),
            models.Index(fields=["property", "rfm_cell"], name="customer_value_rfm"),
        ]
