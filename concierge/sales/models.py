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

from concierge.sales.choices import TeamRole


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


class AccountPlan(models.Model):
    """The account plan of one company: what the account could bring, who else it books, and how we win it.

    Decision makers are not stored here: they are the company's contacts flagged `is_decision_maker`.
    """

    company = models.OneToOneField("guests.Company", on_delete=models.CASCADE, related_name="account_plan",
                                   verbose_name=_("company"))
    potential_room_nights = models.PositiveIntegerField(_("potential room nights per year"), null=True, blank=True)
    competitor_hotels = models.TextField(_("competitor hotels used"), blank=True,
                                         help_text=_("One hotel per line."))
    goals = models.TextField(_("goals and strategy"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")

    def __str__(self) -> str:
        return f"{self.company_id}"

    @property
    def competitor_list(self) -> list[str]:
        return [line.strip() for line in self.competitor_hotels.splitlines() if line.strip()]


class AccountTeamMember(models.Model):
    """A colleague with a role on a company account, beside its owner (the account manager)."""

    company = models.ForeignKey("guests.Company", on_delete=models.CASCADE, related_name="team_members",
                                verbose_name=_("company"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_roles",
                             verbose_name=_("colleague"))
    role = models.CharField(_("role on the account"), max_length=12, choices=TeamRole.choices,
                            default=TeamRole.SUPPORT)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        verbose_name = _("account team member")
        verbose_name_plural = _("account team members")
        ordering = ["company_id", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["company", "user"], name="accountteam_unique_user")]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.user_id} ({self.role})"


class Handover(models.Model):
    """One handover: a rep's accounts and everything hanging on them moved to named colleagues in one action.

    `summary` counts what moved per kind; `items` lists each moved record as {kind, id, to} so the record of the
    handover survives later edits. Past revenue is not moved: it is credited through AccountOwnership periods.
    """

    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handovers_given",
                                  verbose_name=_("from"))
    default_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("to (default)"))
    effective_on = models.DateField(_("effective on"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    deactivated_user = models.BooleanField(_("user deactivated"), default=False)
    summary = models.JSONField(default=dict, blank=True)
    items = models.JSONField(default=list, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_user_id} @ {self.effective_on}"
