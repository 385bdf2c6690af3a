"""Dashboard settings and the materialised figures the dashboards read.

Every table below except `FlowSettings` is rebuilt by `concierge.dashboards.tasks.refresh_dashboards`
(`services.dashboards_refresh`): per year, DELETE then INSERT … SELECT in one transaction. A row with an empty
`property` holds group-wide figures (every property together), not a sum of the property rows: a customer who
stayed at two hotels is one active customer of the group.
"""
from __future__ import annotations

import builtins
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.dashboards.choices import DEFAULT_LOST_AFTER_MONTHS, AccountKind, FlowClass

MONEY = {"max_digits": 18, "decimal_places": 2, "default": Decimal("0")}


class FlowSettings(models.Model):
    """The group's rule for the customer-flow ledger: a customer is lost after N months without a stay."""

    group = models.OneToOneField(
        "properties.HotelGroup", on_delete=models.CASCADE, related_name="flow_settings", verbose_name=_("group")
    )
    lost_after_months = models.PositiveSmallIntegerField(
        _("lost after (months)"), default=DEFAULT_LOST_AFTER_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("A customer with no stay for more than this many months counts as lost."),
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer-flow settings")
        verbose_name_plural = _("customer-flow settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lost_after_months__gte=1, lost_after_months__lte=60),
                name="flowsettings_months_in_range",
                violation_error_message=_("Choose between 1 and 60 months."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.lost_after_months}"


class PeriodStats(models.Model):
    """Productive stays by arrival month (and, with an empty month, the whole year) per property or group."""

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty = the whole year.")
    property = models.ForeignKey("properties.Property", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    stays = models.PositiveIntegerField(default=0)
    room_nights = models.PositiveIntegerField(default=0)
    room_revenue = models.DecimalField(**MONEY)
    fnb_revenue = models.DecimalField(**MONEY)
    other_revenue = models.DecimalField(**MONEY)
    active_customers = models.PositiveIntegerField(default=0, help_text="Distinct guests with a stay.")
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("period figures")
        verbose_name_plural = _("period figures")
        indexes = [models.Index(fields=["property", "year", "month"], name="periodstats_scope")]

    def __str__(self) -> str:
        return f"{self.year}-{self.month or '*'} {self.property_id or 'group'}"

    @builtins.property  # `property` is a field name in this class body
    def revenue(self) -> Decimal:
        return self.room_revenue + self.fnb_revenue + self.other_revenue


class FlowSummary(models.Model):
    """Customer-flow ledger cells for one period and scope (see `concierge.dashboards.ledger`).

    `scope` empty = classified group-wide; else classified within that one property. Each cell is one flow
    class × (property, market segment, account manager) of the stays; `customers` add up across cells.
    """

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty = the whole year.")
    scope = models.ForeignKey("properties.Property", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    lost_after_months = models.PositiveSmallIntegerField()
    flow = models.CharField(max_length=10, choices=FlowClass.choices)
    property = models.ForeignKey("properties.Property", null=True, on_delete=models.CASCADE, related_name="+")
    segment = models.CharField(max_length=20, blank=True)
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    customers = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(**MONEY)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("customer-flow summary")
        verbose_name_plural = _("customer-flow summaries")
        indexes = [models.Index(fields=["scope", "year", "month"], name="flowsummary_scope")]

    def __str__(self) -> str:
        return f"{self.year}-{self.month or '*'} {self.flow} {self.customers}"


class TopAccount(models.Model):
    """The ten companies and ten guests with the most revenue in a year, per property or group."""

    year = models.PositiveSmallIntegerField()
    property = models.ForeignKey("properties.Property", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    kind = models.CharField(max_length=10, choices=AccountKind.choices)
    company = models.ForeignKey("guests.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    guest = models.ForeignKey("guests.Guest", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    stays = models.PositiveIntegerField(default=0)
    room_nights = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(**MONEY)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("top account")
        verbose_name_plural = _("top accounts")
        ordering = ["kind", "rank"]
        indexes = [models.Index(fields=["property", "year", "kind", "rank"], name="topaccount_scope")]

    def __str__(self) -> str:
        return f"{self.year} {self.kind} #{self.rank}"


class NpsMonthly(models.Model):
    """Answers to 0–10 (NPS) questions by month of submission, per property or group."""

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    property = models.ForeignKey("properties.Property", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    promoters = models.PositiveIntegerField(default=0)
    passives = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("NPS by month")
        verbose_name_plural = _("NPS by month")
        indexes = [models.Index(fields=["property", "year", "month"], name="npsmonthly_scope")]

    def __str__(self) -> str:
        return f"{self.year}-{self.month} {self.property_id or 'group'}"


class RefreshLog(models.Model):
    """One row per materialised data set: when it was last rebuilt. Locked while a refresh runs."""

    name = models.CharField(max_length=40, unique=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    years = models.CharField(max_length=60, blank=True)
    sequence_built_at = models.DateTimeField(
        null=True, blank=True, help_text="When the customer-flow sequence (FlowStay) was last rebuilt.")

    class Meta:
        verbose_name = _("dashboard refresh")
        verbose_name_plural = _("dashboard refreshes")

    def __str__(self) -> str:
        return f"{self.name} {self.refreshed_at}"


class FlowStay(models.Model):
    """The customer-flow sequence: one row per productive stay of a guest that is not merged (all history).

    Rebuilt set-based by `services.flow_sequence_rebuild` (every dashboards refresh). Keys are the ledger's integer
    date keys `(year*12 + month-1)*100 + day`. Plain integer columns, no foreign keys: a derived table, rebuilt
    whole. Two scopes side by side: across the group (`prev_k` …) and within the stay's property (`p_prev_k` …):

    * `prev_k` / `next_k` — the guest's previous / next stay (ordered by arrival, id);
    * `y_gap` / `m_gap` — for the guest's first stay of this stay's year / month: its key minus the key of the stay
      before it (NULL: no stay before, i.e. new), copied to every stay of that year / month;
    * `stake` — revenue of the guest's stays in the 12 months up to and including this stay's day.

    The ledger of a period then reads the rows arriving in it and the rows lapsing in it: range scans on `k`.
    """

    stay_id = models.BigIntegerField(primary_key=True)
    guest_id = models.BigIntegerField()
    property_id = models.BigIntegerField()
    segment = models.CharField(max_length=20, blank=True)
    manager_id = models.BigIntegerField(null=True)
    k = models.IntegerField()
    revenue = models.DecimalField(max_digits=18, decimal_places=2)
    prev_k = models.IntegerField(null=True)
    next_k = models.IntegerField(null=True)
    y_gap = models.IntegerField(null=True)
    m_gap = models.IntegerField(null=True)
    stake = models.DecimalField(max_digits=18, decimal_places=2)
    p_prev_k = models.IntegerField(null=True)
    p_next_k = models.IntegerField(null=True)
    p_y_gap = models.IntegerField(null=True)
    p_m_gap = models.IntegerField(null=True)
    p_stake = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("customer-flow sequence")
        verbose_name_plural = _("customer-flow sequence")
        indexes = [
            models.Index(fields=["k"], name="flowstay_k"),
            models.Index(fields=["property_id", "k"], name="flowstay_property_k"),
        ]

    def __str__(self) -> str:
        return f"{self.stay_id} {self.k}"
