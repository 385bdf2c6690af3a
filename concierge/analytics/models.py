"""Materialised customer value: one row per guest and scope (a property, or the whole group when property is
empty), rebuilt by a scheduled job (`concierge.analytics.tasks.refresh_customer_value`)."""
from decimal import Decimal

from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


# The window of the rolling sums on CustomerValue (a segment period "in the last 365 days" reads them).
ROLLING_DAYS = 365


class CustomerValue(models.Model):
    """A guest's value in one scope: totals, profit, RFM scores and Pareto position (rebuilt, never edited)."""

    # Derived data, rebuilt whole by swap-in: no database foreign keys (Django still cascades deletes; a constraint
    # would cost a validation join per rebuild and lock guests against writes while it is added) and no
    # single-column indexes on the two keys (the unique (guest, property) constraint leads with guest_id, the
    # (property, value_rank) index with property_id; every index is one more sort per rebuild).
    guest = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="value_scores", db_index=False,
                              db_constraint=False)
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="Empty = group-wide figures.", db_index=False, db_constraint=False,
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
    # Rolling window: the ROLLING_DAYS days up to the refresh date (arrival on or after as_of − ROLLING_DAYS and on
    # or before as_of), i.e. a segment's "in the last 365 days" as of the refresh. Segments read these instead of
    # summing the stays again when the refresh ran today.
    stays_rolling = models.PositiveIntegerField(_("stays in the last 365 days"), default=0)
    room_nights_rolling = models.PositiveIntegerField(_("room nights in the last 365 days"), default=0)
    revenue_rolling = models.DecimalField(_("revenue in the last 365 days"), max_digits=16, decimal_places=2,
                                          default=Decimal("0"))
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
            # Group-wide rows only, guest_id in the key for index-only scans: segment counts on the rolling sums.
            *[models.Index(fields=[column, "guest"], condition=models.Q(property__isnull=True), name=name)
              for column, name in (("stays_rolling", "customer_value_stays_rolling"),
                                   ("room_nights_rolling", "customer_value_nights_rolling"),
                                   ("revenue_rolling", "customer_value_revenue_rolling"))],
        ]

    def __str__(self) -> str:
        return f"{self.guest_id} @ {self.property_id or 'group'}: #{self.value_rank} {self.rfm_cell}"


class CostRatios(models.Model):
    """Cost ratios per revenue type, used for profit contribution: profit = Σ revenue × (1 − ratio).

    The row without a property is the group default; a property row overrides it, and a blank field on a
    property row falls back to the group default (then to `DEFAULT_COST_RATIOS`).
    """

    property = models.OneToOneField(
        "properties.Property", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("property"),
    )
    room = models.DecimalField(_("room cost ratio"), max_digits=5, decimal_places=4, null=True, blank=True)
    fnb = models.DecimalField(_("F&B cost ratio"), max_digits=5, decimal_places=4, null=True, blank=True)
    other = models.DecimalField(_("other cost ratio"), max_digits=5, decimal_places=4, null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("cost ratios")
        verbose_name_plural = _("cost ratios")
        constraints = [
            models.UniqueConstraint(
                fields=["property"], condition=models.Q(property__isnull=True), name="cost_ratios_one_group_default"
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__isnull": True})
                    | models.Q(**{f"{name}__gte": 0, f"{name}__lte": 1}),
                    name=f"cost_ratios_{name}_between_0_and_1",
                    violation_error_message=_("A cost ratio lies between 0 and 1."),
                )
                for name in ("room", "fnb", "other")
            ],
        ]

    def __str__(self) -> str:
        return str(self.property) if self.property_id else str(_("Group default"))


class ValueRefresh(models.Model):
    """One run of the customer-value refresh: what it covered, when it finished and what it wrote.

    Freshness shown on the value screens is the latest finished run covering the scope.
    """

    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="The one property refreshed; empty = the group (and every property when all_scopes).",
    )
    all_scopes = models.BooleanField(default=True)
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("customer value refresh")
        verbose_name_plural = _("customer value refreshes")
        indexes = [models.Index(fields=["property", "-finished_at"], name="value_refresh_latest")]

    def __str__(self) -> str:
        return f"{self.requested_at:%Y-%m-%d %H:%M} ({self.rows} rows)"


class ValueSummary(models.Model):
    """The figures of a scope's value screens, written by the refresh in the same transaction as its rows: customer
    count, revenue and profit, the Pareto deciles and curve, and the R × F grid. The screens read this one row
    instead of aggregating every customer of the scope (a million rows for the group) on each request."""

    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="Empty = the group.",
    )
    customers = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    profit = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    # Revenue of the top 10 %, 20 %, … 100 % of customers (cumulative, decimal strings).
    decile_revenue = models.JSONField(default=list)
    # Cumulative revenue share (0..1) at 1 %, 2 %, … 100 % of customers.
    curve = models.JSONField(default=list)
    # [r, f, customers, average revenue, revenue] per R × F cell that has customers.
    rfm_cells = models.JSONField(default=list)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("customer value summary")
        verbose_name_plural = _("customer value summaries")
        constraints = [  # one row per scope, the group's (NULL) included
            models.UniqueConstraint(Coalesce("property", models.Value(0)), name="value_summary_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.property_id or 'group'}: {self.customers} customers"


class BreakdownFigure(models.Model):
    """Revenue, nights, stays and customers of one year for one region / province / industry (or the total) in one
    scope, from productive stays of guests that are not merged. Rebuilt whole by `services.refresh_breakdowns`
    (nightly, and after "refresh now"); the breakdown screens read these rows instead of grouping the stays of two
    years on each request."""

    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="Empty = the group.",
    )
    dimension = models.CharField(max_length=10)  # region, province, industry, total
    key = models.CharField(max_length=40, blank=True)  # region code, short province name, industry id; "" unknown
    year = models.PositiveSmallIntegerField()
    revenue = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    room_revenue = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    nights = models.BigIntegerField(default=0)
    stays = models.PositiveIntegerField(default=0)
    customers = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("breakdown figure")
        verbose_name_plural = _("breakdown figures")
        constraints = [
            models.UniqueConstraint(Coalesce("property", models.Value(0)), "dimension", "year", "key",
                                    name="breakdown_figure_scope_key"),
        ]


class BreakdownRefresh(models.Model):
    """One rebuild of `BreakdownFigure`: the years it covered and when it finished (the screens' freshness)."""

    first_year = models.PositiveSmallIntegerField()
    last_year = models.PositiveSmallIntegerField()
    finished_at = models.DateTimeField(default=timezone.now, db_index=True)
    seconds = models.FloatField(default=0)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("breakdown refresh")
        verbose_name_plural = _("breakdown refreshes")
