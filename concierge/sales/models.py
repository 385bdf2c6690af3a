"""Account management: who owns which company account over time (the record performance credit and handover use).

`AccountOwnership` is the ownership history of a company account: one row per period an account manager owned
it (`valid_to` empty = current owner). `Company.owner` always equals the owner of the open row; change owners only
through `sales.services` so both stay in step. Performance credits a stay to the owner whose period contains the
stay's departure date, so past revenue stays with the period's owner after a handover.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccountOwnership(models.Model):
    company = models.ForeignKey("guests.Company", on_delete=models.CASCADE, related_name="ownerships",
                                verbose_name=_("company"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_ownerships",
                              verbose_name=_("account manager"))
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty: current owner."))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("account ownership")
        verbose_name_plural = _("account ownerships")
        ordering = ["company_id", "-valid_from", "-id"]
        indexes = [
            models.Index(fields=["owner", "valid_from"], name="ownership_owner_from"),
            models.Index(fields=["company", "valid_from"], name="ownership_company_from"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["company"], condition=Q(valid_to__isnull=True),
                                    name="ownership_one_current_per_company"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                                   name="ownership_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} → {self.owner_id} ({self.valid_from}–{self.valid_to or ''})"
