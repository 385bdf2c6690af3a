"""Fitted lifetime-value models and the per-guest scores they give (BG/NBD + Gamma-Gamma)."""
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        ordering = ["-fitted_at"]
        indexes = [models.Index(fields=["property", "-fitted_at"], name="clv_fit_scope_recent")]


class GuestClv(models.Model):
    """What the latest fit says about one guest in one scope (empty property = group-wide)."""

    guest = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="clv_scores")
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    fit = models.ForeignKey(ClvFit, null=True, on_delete=models.SET_NULL, related_name="scores")
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

    class Meta:
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
