"""Fitted lifetime-value models and the per-guest scores they give (BG/NBD + Gamma-Gamma)."""
import builtins

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.core.querysets import ScopedQuerySet


class ChurnRisk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class ClvFit(models.Model):
    """One fit of BG/NBD and Gamma-Gamma over a scope (a property, or the group when property is empty)."""

    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    calibration_end = models.DateField()
    time_unit = models.CharField(max_length=4, default="week")
    customers = models.PositiveIntegerField(default=0)
    repeat_customers = models.PositiveIntegerField(default=0)
    r = models.FloatField(null=True)
    alpha = models.FloatField(null=True)
    a = models.FloatField(null=True)
    b = models.FloatField(null=True)
    log_likelihood = models.FloatField(null=True)
    p = models.FloatField(null=True)
    q = models.FloatField(null=True)
    gamma = models.FloatField(null=True)
    gg_log_likelihood = models.FloatField(null=True)
    fitted_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField(default=0)
    error = models.TextField(blank=True)
    annual_discount_rate = models.FloatField(default=0.10)
    horizon_months = models.PositiveSmallIntegerField(default=36)
    summary = models.JSONField(
        default=dict, blank=True, help_text="Chart data computed at fit time: p_alive histogram, CLV deciles, counts."
    )

    # Scoping (concierge.guests.scoping): a property's fit is seen by its staff, the group fit by group-wide users.
    scope_property_field = "property"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-fitted_at"]
        verbose_name = _("lifetime-value fit")
        verbose_name_plural = _("lifetime-value fits")
        indexes = [models.Index(fields=["property", "-fitted_at"], name="clv_fit_scope_recent")]

    def __str__(self) -> str:
        scope = self.property.code if self.property_id else "group"
        return f"CLV fit {scope} {self.calibration_end:%Y-%m-%d}"

    @builtins.property  # `property` is a field name in this class body
    def ok(self) -> bool:
        return not self.error and self.r is not None


class GuestClv(models.Model):
    """What the latest fit says about one guest in one scope (empty property = group-wide)."""

    # Derived data, rewritten per scope (by swap-in when large): no database foreign keys (Django still cascades
    # deletes; a constraint costs a deferred check per row or a validation join per rewrite, and locks guests
    # against writes while it is added) and no single-column indexes on guest / property (the unique
    # (guest, property) constraint leads with guest_id, the (property, -clv) index with property_id).
    guest = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="clv_scores", db_index=False,
                              db_constraint=False)
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False,
        db_constraint=False,
    )
    fit = models.ForeignKey(ClvFit, null=True, on_delete=models.SET_NULL, related_name="scores", db_constraint=False)
    frequency = models.PositiveIntegerField(default=0)
    recency = models.FloatField(default=0)
    age = models.FloatField(default=0, help_text="T: time since first stay, in the fit's time unit.")
    monetary = models.FloatField(default=0, help_text="Mean value of repeat stays.")
    p_alive = models.FloatField(_("probability alive"), default=1)
    previous_p_alive = models.FloatField(null=True)
    expected_stays = models.FloatField(_("expected stays next period"), default=0)
    expected_spend = models.FloatField(_("expected spend per stay"), default=0)
    clv = models.FloatField(_("lifetime value"), default=0)
    churn_risk = models.CharField(_("churn risk"), max_length=6, choices=ChurnRisk.choices, default=ChurnRisk.LOW)
    churn_reasons = models.JSONField(default=list, blank=True)
    refreshed_at = models.DateTimeField(default=timezone.now)
    total_value = models.FloatField(_("revenue to date"), default=0)
    last_stay_on = models.DateField(_("last stay"), null=True, blank=True)

    scope_property_field = "property"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lifetime value score")
        verbose_name_plural = _("lifetime value scores")
        constraints = [
            models.UniqueConstraint(fields=["guest", "property"], name="guest_clv_guest_property"),
            models.UniqueConstraint(
                fields=["guest"], condition=models.Q(property__isnull=True), name="guest_clv_guest_group"
            ),
        ]
        indexes = [
            models.Index(fields=["property", "churn_risk", "-clv"], name="guest_clv_risk"),
            models.Index(fields=["property", "-clv"], name="guest_clv_value"),
        ]

    def __str__(self) -> str:
        return f"{self.guest_id} @ {self.property_id or 'group'}: {self.clv:.0f}"

    @builtins.property  # `property` is a field name in this class body
    def reasons_display(self) -> list[dict[str, str]]:
        """The stored reason codes as {"code", "label", "detail"}, in the reader's language."""
        from concierge.clv.choices import reason_text

        return [reason_text(reason) for reason in self.churn_reasons or []]

    @builtins.property  # `property` is a field name in this class body
    def p_alive_change(self) -> float | None:
        return None if self.previous_p_alive is None else self.p_alive - self.previous_p_alive
