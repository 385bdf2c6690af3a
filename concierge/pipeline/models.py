"""Sales pipeline: configurable stages, opportunities with their stage history, and monthly sales targets.

`Opportunity.owner` is the rep who works the deal now; the sales handover moves open opportunities by updating it.
`origin_owner` keeps the rep who owned it when it was created (credit for "pipeline added" does not move).
Stage moves are optimistic: callers pass the `version` they saw and a stale one is refused (see services).
"""
from __future__ import annotations

import builtins
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from concierge.core.querysets import ScopedQuerySet
from concierge.pipeline.choices import LostReason, OpportunityStatus


def _localized(zh: str, en: str) -> str:
    return (zh if (get_language() or "").startswith("zh") else en) or zh or en


class Stage(models.Model):
    """A column of the kanban. Managers add, rename and reorder stages; exactly the won/lost flags end a deal."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    default_probability = models.PositiveSmallIntegerField(
        _("default probability (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    is_won = models.BooleanField(_("won stage"), default=False)
    is_lost = models.BooleanField(_("lost stage"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("pipeline stage")
        verbose_name_plural = _("pipeline stages")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(is_won=True) & Q(is_lost=True)), name="stage_not_won_and_lost",
                violation_error_message=_("A stage cannot be both won and lost."),
            ),
            models.CheckConstraint(
                condition=Q(default_probability__lte=100), name="stage_probability_max_100",
                violation_error_message=_("Probability cannot exceed 100."),
            ),
        ]

    def __str__(self) -> str:
        return _localized(self.name_zh, self.name_en)


class OpportunityQuerySet(ScopedQuerySet):
    def visible_to(self, user: object) -> "OpportunityQuerySet":
        """Property scoping: the opportunity's property, or (no property) its company's properties."""
        from concierge.pipeline.permissions import scope_opportunities

        return scope_opportunities(self, user)

    def open(self) -> "OpportunityQuerySet":
        return self.filter(status=OpportunityStatus.OPEN)


class Opportunity(models.Model):
    """A potential deal with a company account, moving through the pipeline stages."""

    title = models.CharField(_("title"), max_length=200)
    company = models.ForeignKey(
        "guests.Company", on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("company")
    )
    contact = models.ForeignKey(
        "guests.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="opportunities",
        verbose_name=_("contact"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("owner")
    )
    origin_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("owner when created"),
    )
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.PROTECT, related_name="opportunities",
        verbose_name=_("property"),
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("stage")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=OpportunityStatus.choices, default=OpportunityStatus.OPEN
    )
    lost_reason = models.CharField(_("lost reason"), max_length=20, choices=LostReason.choices, blank=True)
    lost_reason_text = models.CharField(_("lost reason (details)"), max_length=300, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "expected_close"], name="opp_status_close"),
            models.Index(fields=["owner", "status"], name="opp_owner_status"),
            models.Index(fields=["stage", "status"], name="opp_stage_status"),
            models.Index(fields=["created_at"], name="opp_created"),
            models.Index(fields=["status", "closed_on"], name="opp_status_closed"),
            models.Index(fields=["company"], name="opp_company"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__lte=100), name="opp_probability_max_100",
                violation_error_message=_("Probability cannot exceed 100."),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0), name="opp_value_not_negative",
                violation_error_message=_("Value cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @builtins.property
    def weighted_value(self) -> Decimal:
        return (self.value * self.probability / Decimal(100)).quantize(Decimal("0.01"))


class StageChange(models.Model):
    """One entry of an opportunity's stage history (creation included: `from_stage` empty). Conversion rates
    between stages are computed from these rows."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["opportunity_id", "changed_at", "id"]
        indexes = [models.Index(fields=["opportunity", "to_stage"], name="stagechange_opp_stage")]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"


class SalesTarget(models.Model):
    """A rep's targets for one calendar month (`month` is the first day). Sales managers edit them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sales_targets", verbose_name=_("rep")
    )
    month = models.DateField(_("month"))
    revenue = models.DecimalField(_("revenue"), max_digits=14, decimal_places=2, default=Decimal("0"))
    room_nights = models.PositiveIntegerField(_("room nights"), default=0)
    new_accounts = models.PositiveIntegerField(_("new accounts"), default=0)
    contracts_signed = models.PositiveIntegerField(_("contracts signed"), default=0)
    visits = models.PositiveIntegerField(_("visits"), default=0)
    pipeline_added = models.DecimalField(_("pipeline added"), max_digits=14, decimal_places=2, default=Decimal("0"))
    won_value = models.DecimalField(_("won value"), max_digits=14, decimal_places=2, default=Decimal("0"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ["-month", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="salestarget_one_per_user_month"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.month:%Y-%m}"
