"""Contracts: corporate rate agreements and travel-agency contracts with a company.

A contract names the parties (the company and the hotel group's properties), its validity, negotiated rates per
property / room type / season (`ContractRate`), commission, allotment and the room-night commitment. Its status moves
only through `concierge.contracts.services` (draft → sent → signed → active → expired, or terminated / cancelled);
every move is one `ContractEvent` row and one entry on the company's timeline.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.contracts.choices import (
    ContractEventKind,
    ContractKind,
    ContractStatus,
    PaymentTerms,
)


class ContractQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> ContractQuerySet:
        """Contracts `user` may see: group-wide roles all; others contracts covering one of their properties or of
        a company they may see (the same rule as `guests.scoping` for companies)."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        property_ids = user.property_ids()
        if property_ids is None:
            return self
        through = Contract.properties.through
        company_through = Contract._meta.get_field("company").related_model.properties.through
        return self.filter(
            Exists(through.objects.filter(contract_id=OuterRef("pk"), property_id__in=property_ids))
            | Exists(company_through.objects.filter(company_id=OuterRef("company_id"), property_id__in=property_ids))
        )


class Contract(models.Model):
    """A rate agreement (corporate) or a travel-agency contract with one company."""

    number = models.CharField(_("contract no."), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    company = models.ForeignKey(
        "guests.Company", on_delete=models.PROTECT, related_name="contracts", verbose_name=_("company")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_contracts",
        verbose_name=_("account manager"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ContractKind.choices, default=ContractKind.CORPORATE)
    status = models.CharField(
        _("status"), max_length=12, choices=ContractStatus.choices, default=ContractStatus.DRAFT, db_index=True
    )
    properties = models.ManyToManyField(
        "properties.Property", related_name="contracts", verbose_name=_("properties")
    )
    start_date = models.DateField(_("valid from"))
    end_date = models.DateField(_("valid until"))
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    activated_on = models.DateField(_("activated on"), null=True, blank=True)
    ended_on = models.DateField(
        _("ended on"), null=True, blank=True, help_text=_("Expiry, termination or cancellation date.")
    )
    end_reason = models.CharField(_("termination / cancellation reason"), max_length=500, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    commission_percent = models.DecimalField(
        _("commission (percent)"), max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    allotment_per_night = models.PositiveIntegerField(
        _("allotment (rooms per night)"), null=True, blank=True
    )
    room_night_commitment = models.PositiveIntegerField(_("room-night commitment"), null=True, blank=True)
    payment_terms = models.CharField(
        _("payment terms"), max_length=20, choices=PaymentTerms.choices, default=PaymentTerms.CREDIT_30
    )
    terms = models.TextField(_("other terms"), blank=True)
    notes = models.TextField(_("internal notes"), blank=True)
    renewal_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="renewals",
        verbose_name=_("renewal of"),
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["status", "end_date"], name="contract_status_end"),
            models.Index(fields=["owner", "signed_on"], name="contract_owner_signed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="contract_end_after_start",
                violation_error_message=_("The end date must not be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_final(self) -> bool:
        from concierge.contracts.choices import FINAL_STATUSES

        return self.status in FINAL_STATUSES

    @property
    def is_editable(self) -> bool:
        """Terms change only before signature; after that a renewal (new draft) is the way."""
        return self.status in (ContractStatus.DRAFT, ContractStatus.SENT)


class ContractRate(models.Model):
    """A negotiated rate for one property and room type over one season (inclusive dates) of a contract."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="rates", verbose_name=_("contract"))
    property = models.ForeignKey(
        "properties.Property", on_delete=models.PROTECT, related_name="+", verbose_name=_("property")
    )
    room_type = models.CharField(_("room type"), max_length=40)
    season_name = models.CharField(_("season"), max_length=60, blank=True)
    season_start = models.DateField(_("season from"))
    season_end = models.DateField(_("season until"))
    rate = models.DecimalField(
        _("rate per night"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    breakfast_included = models.BooleanField(_("breakfast included"), default=False)

    class Meta:
        verbose_name = _("contract rate")
        verbose_name_plural = _("contract rates")
        ordering = ["property_id", "room_type", "season_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(season_end__gte=models.F("season_start")),
                name="contract_rate_season_order",
                violation_error_message=_("The season end must not be before the season start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_type} {self.season_start}–{self.season_end}: {self.rate}"


class ContractEvent(models.Model):
    """One entry of a contract's history: creation, status change (from → to, reason), reminder, renewal."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events", verbose_name=_("contract"))
    kind = models.CharField(_("kind"), max_length=12, choices=ContractEventKind.choices)
    from_status = models.CharField(_("from"), max_length=12, choices=ContractStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=ContractStatus.choices, blank=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("contract event")
        verbose_name_plural = _("contract events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.kind} {self.from_status}→{self.to_status}"
