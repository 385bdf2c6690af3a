"""Campaigns: who we addressed (a segment snapshot or imported leads), with what (content variants), at what cost,
and every touch on a guest or company that attribution later credits stays and contracts to.

A campaign is either *sent* (channel email/SMS/WeChat; audience = a saved segment frozen at send time; messages go
through `concierge.messaging`) or *offline* (a trade show, a road show, print: no channel; its audience are leads
imported against it). Both carry a cost, and both produce `CampaignTouch` rows, the one table attribution reads.
"""
from __future__ import annotations

import builtins

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concierge.core.querysets import ScopedQuerySet


class CampaignKind(models.TextChoices):
    MESSAGE = "message", _("Message campaign")  # email / SMS / WeChat to a segment
    TRADE_SHOW = "trade_show", _("Trade show / event")  # offline: leads imported against it
    OTHER = "other", _("Other offline campaign")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaign", "Draft")
    SCHEDULED = "scheduled", pgettext_lazy("campaign", "Scheduled")
    SENDING = "sending", pgettext_lazy("campaign", "Sending")
    SENT = "sent", pgettext_lazy("campaign", "Sent")
    ACTIVE = "active", pgettext_lazy("campaign", "Active")  # offline campaign collecting leads
    COMPLETED = "completed", pgettext_lazy("campaign", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("campaign", "Cancelled")


class TouchKind(models.TextChoices):
    SENT = "sent", pgettext_lazy("touch", "Message sent")
    DELIVERED = "delivered", pgettext_lazy("touch", "Delivered")
    OPENED = "opened", pgettext_lazy("touch", "Opened")
    CLICKED = "clicked", pgettext_lazy("touch", "Clicked")
    BOUNCED = "bounced", pgettext_lazy("touch", "Bounced")
    UNSUBSCRIBED = "unsubscribed", pgettext_lazy("touch", "Unsubscribed")
    LEAD = "lead", pgettext_lazy("touch", "Lead collected")  # business card at a trade show, web form, ...
    RESPONDED = "responded", pgettext_lazy("touch", "Responded")  # replied, booked with the offer code, ...


# Touch kinds that count as "reached" and as "responded" in campaign reports and attribution.
REACHED_KINDS = (TouchKind.SENT, TouchKind.DELIVERED, TouchKind.LEAD)
RESPONSE_KINDS = (TouchKind.OPENED, TouchKind.CLICKED, TouchKind.RESPONDED, TouchKind.LEAD)


class Campaign(models.Model):
    name = models.CharField(pgettext_lazy("campaign", "name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=CampaignKind.choices, default=CampaignKind.MESSAGE)
    channel = models.CharField(
        _("channel"), max_length=10, blank=True,
        help_text=_("email, sms or wechat for message campaigns; empty for offline campaigns."),
    )
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.PROTECT, related_name="campaigns",
        verbose_name=_("property"), help_text=_("Empty: a group-wide campaign."),
    )
    segment = models.ForeignKey(
        "segments.Segment", null=True, blank=True, on_delete=models.PROTECT, related_name="campaigns",
        verbose_name=_("audience segment"),
    )
    snapshot = models.ForeignKey(
        "segments.SegmentSnapshot", null=True, blank=True, on_delete=models.PROTECT, related_name="campaigns",
        verbose_name=_("audience at send time"),
    )
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, default=0,
                               validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    tracking_enabled = models.BooleanField(
        _("track opens and clicks"), default=True,
        help_text=_("Email only: a tracking pixel and redirect links. Can be switched off per property."),
    )
    attribution_window_days = models.PositiveSmallIntegerField(
        _("attribution window (days)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("A stay or contract within this many days after the last touch is credited to the campaign."),
    )
    offer_code = models.CharField(_("offer code"), max_length=40, blank=True)
    offer_url = models.URLField(_("offer link"), max_length=400, blank=True,
                                help_text=_("Shown where a template uses {{ offer_url }}; clicks on it are tracked."))
    audience_count = models.PositiveIntegerField(_("audience"), default=0)
    enqueued_at = models.DateTimeField(_("all messages queued"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="campaigns",
        verbose_name=_("owner"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, help_text="Optimistic-locking counter.")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope_property_field = "property_id"
    scope_property_shared_when_null = True  # group-wide campaigns are visible at every property
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "scheduled_at"], name="campaign_status_due"),
            models.Index(fields=["-created_at"], name="campaign_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="campaign_name_not_empty",
                                   violation_error_message=_("A campaign needs a name.")),
            models.CheckConstraint(condition=Q(cost__gte=0), name="campaign_cost_not_negative",
                                   violation_error_message=_("The cost cannot be negative.")),
        ]

    def __str__(self) -> str:
        return self.name

    @builtins.property  # `property` is a field name in this class body
    def is_offline(self) -> bool:
        return self.kind != CampaignKind.MESSAGE


class CampaignVariant(models.Model):
    """One content of a campaign (A, B, ...): a message template and the share of the audience that gets it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="variants")
    label = models.CharField(_("variant"), max_length=10, default="A")
    template = models.ForeignKey(
        "messaging.MessageTemplate", on_delete=models.PROTECT, related_name="campaign_variants",
        verbose_name=_("template"),
    )
    share_percent = models.PositiveSmallIntegerField(
        _("share of audience (%)"), default=100, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("campaign variant")
        verbose_name_plural = _("campaign variants")
        ordering = ["campaign_id", "label"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "label"], name="campaignvariant_campaign_label"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} / {self.label}"


class CampaignTouch(models.Model):
    """One contact of a campaign with a guest or a company (sent, opened, clicked, lead, ...).

    Attribution reads only this table: the last touch before a stay (within the campaign's window) on the guest,
    or on the guest's company, wins. Rows are append-only; `dedupe_key` keeps a repeated event (the same pixel
    loaded twice, the same message counted twice) from being stored twice.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="touches")
    variant = models.ForeignKey(CampaignVariant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    guest = models.ForeignKey("guests.Guest", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="campaign_touches")
    company = models.ForeignKey("guests.Company", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="campaign_touches")
    kind = models.CharField(_("kind"), max_length=12, choices=TouchKind.choices)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    message = models.ForeignKey("messaging.Message", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    detail = models.CharField(_("detail"), max_length=300, blank=True, help_text=_("e.g. the clicked link"))
    dedupe_key = models.CharField(max_length=200, unique=True)

    class Meta:
        verbose_name = _("campaign touch")
        verbose_name_plural = _("campaign touches")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["guest", "-occurred_at"], name="touch_guest_time"),
            models.Index(fields=["company", "-occurred_at"], name="touch_company_time"),
            models.Index(fields=["campaign", "kind"], name="touch_campaign_kind"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(guest__isnull=False) | Q(company__isnull=False),
                                   name="campaigntouch_has_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.kind}:{self.guest_id or self.company_id}"


class TrackingSetting(models.Model):
    """Whether open/click tracking may be used in campaign emails of one property (no row: allowed).

    Some hotels (or their guests' jurisdictions) do not allow tracking pixels; switching it off here overrides the
    campaign's own "track opens and clicks" flag for every campaign of the property.
    """

    property = models.OneToOneField("properties.Property", on_delete=models.CASCADE, related_name="campaign_tracking",
                                    verbose_name=_("property"))
    tracking_allowed = models.BooleanField(_("open and click tracking allowed"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope_property_field = "property_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign tracking setting")
        verbose_name_plural = _("campaign tracking settings")

    def __str__(self) -> str:
        return f"{self.property}: {self.tracking_allowed}"
