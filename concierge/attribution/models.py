"""Attribution: leads imported against an offline campaign, the global attribution settings, and the
materialised tables that credit stays and contracts to campaigns (rebuilt by `services.attribution_refresh`)."""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.attribution.choices import (
    FINISHED_IMPORT_STATUSES,
    AttributionRule,
    LeadImportStatus,
    LeadOutcome,
)
from concierge.core.querysets import ScopedQuerySet


class AttributionSettings(models.Model):
    """The one row of group-wide attribution rules, and when the attribution tables were last rebuilt."""

    by_guest = models.BooleanField(_("attribute by guest"), default=True,
                                   help_text=_("A touch on the guest credits the guest's stays."))
    by_company = models.BooleanField(
        _("attribute by company"), default=True,
        help_text=_("A touch on a company credits stays billed to it and stays of its employees."))
    lead_window_days = models.PositiveSmallIntegerField(
        _("lead window (days)"), default=730, validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Guests created from a campaign's leads are credited to it for this many days."))
    refreshed_at = models.DateTimeField(_("last refresh"), null=True, blank=True)
    refresh_seconds = models.FloatField(_("refresh duration (s)"), null=True, blank=True)
    refresh_requested_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("attribution settings")
        verbose_name_plural = _("attribution settings")

    def __str__(self) -> str:
        return str(_("attribution settings"))

    @classmethod
    def load(cls) -> "AttributionSettings":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class LeadImport(models.Model):
    """One upload of business cards against an offline campaign: validation result, progress and summary."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="lead_imports",
                                 verbose_name=_("campaign"))
    status = models.CharField(_("status"), max_length=10, choices=LeadImportStatus.choices)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    file_path = models.CharField(max_length=500, blank=True, help_text="Stored upload (deleted after the import).")
    skip_invalid = models.BooleanField(_("skip rows with errors"), default=False)
    rows_total = models.PositiveIntegerField(_("cards"), default=0)
    rows_invalid = models.PositiveIntegerField(_("rows with errors"), default=0)
    rows_done = models.PositiveIntegerField(_("cards done"), default=0)
    created_count = models.PositiveIntegerField(_("new guests"), default=0)
    matched_count = models.PositiveIntegerField(_("matched"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True,
                              help_text="[{row, field, message}] of the validation pass (first 500).")
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("imported by"))
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    scope_property_field = "campaign__property_id"
    scope_property_shared_when_null = True
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead import")
        verbose_name_plural = _("lead imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.file_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_IMPORT_STATUSES

    @property
    def percent(self) -> int:
        if self.status == LeadImportStatus.SUCCEEDED:
            return 100
        todo = self.rows_total - (self.rows_invalid if self.skip_invalid else 0)
        return min(100, 100 * self.rows_done // todo) if todo > 0 else 0


class CampaignLead(models.Model):
    """One business card of a campaign and what it became: a new guest, or an existing guest it matched (why)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="leads")
    lead_import = models.ForeignKey(LeadImport, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="leads")
    row = models.PositiveIntegerField(_("row"))
    card_id = models.CharField(_("card id"), max_length=100)
    guest = models.ForeignKey("guests.Guest", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="campaign_leads")
    company = models.ForeignKey("guests.Company", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="campaign_leads")
    touch = models.ForeignKey("campaigns.CampaignTouch", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    outcome = models.CharField(_("outcome"), max_length=8, choices=LeadOutcome.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    scope_property_field = "campaign__property_id"
    scope_property_shared_when_null = True
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign lead")
        verbose_name_plural = _("campaign leads")
        ordering = ["campaign_id", "row", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "card_id"], name="campaignlead_campaign_card"),
        ]
        indexes = [
            models.Index(fields=["guest", "outcome"], name="campaignlead_guest_outcome"),
            models.Index(fields=["lead_import", "row"], name="campaignlead_import_row"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.card_id}"


class StayAttribution(models.Model):
    """A stay credited to a campaign (rebuilt in full by the refresh; one row per attributed stay)."""

    stay = models.OneToOneField("stays.Stay", on_delete=models.CASCADE, related_name="attribution")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="stay_attributions")
    touch = models.ForeignKey("campaigns.CampaignTouch", null=True, on_delete=models.SET_NULL, related_name="+")
    guest = models.ForeignKey("guests.Guest", null=True, on_delete=models.SET_NULL, related_name="+")
    rule = models.CharField(_("rule"), max_length=8, choices=AttributionRule.choices)
    is_first_stay = models.BooleanField(_("first stay of the guest"), default=False)
    arrival = models.DateField(_("arrival"))
    room_nights = models.PositiveIntegerField(_("room nights"), default=0)
    revenue = models.DecimalField(_("revenue"), max_digits=16, decimal_places=2, default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("stay attribution")
        verbose_name_plural = _("stay attributions")
        indexes = [models.Index(fields=["campaign", "rule"], name="stayattr_campaign_rule")]

    def __str__(self) -> str:
        return f"{self.stay_id}→{self.campaign_id}"


class ContractAttribution(models.Model):
    """A signed contract credited to the campaign of the company's last touch before signing."""

    contract_id = models.BigIntegerField(unique=True, help_text="contracts.Contract id (no FK: the app is optional).")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE,
                                 related_name="contract_attributions")
    touch = models.ForeignKey("campaigns.CampaignTouch", null=True, on_delete=models.SET_NULL, related_name="+")
    company = models.ForeignKey("guests.Company", null=True, on_delete=models.SET_NULL, related_name="+")
    signed_on = models.DateField(_("signed on"))
    room_night_commitment = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("contract attribution")
        verbose_name_plural = _("contract attributions")
        indexes = [models.Index(fields=["campaign"], name="contractattr_campaign")]

    def __str__(self) -> str:
        return f"{self.contract_id}→{self.campaign_id}"
