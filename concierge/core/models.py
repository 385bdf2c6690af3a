"""Cross-cutting records: the activity timeline and the audit of sensitive-data access."""
from __future__ import annotations

import builtins

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.core.choices import ActivityKind, AuditAction
from concierge.core.querysets import ScopedQuerySet


class Activity(models.Model):
    """One entry on a guest's and/or company's timeline: who did what, when, through which channel.

    Stays, calls, emails, visits, messages, notes and preference changes all land here, so the
    timeline is one query and "last contacted by X, N days ago" is one indexed look-up.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("by"),
    )
    guest = models.ForeignKey(
        "guests.Guest", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    company = models.ForeignKey(
        "guests.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("property"),
    )
    summary = models.CharField(_("summary"), max_length=300)
    body = models.TextField(_("details"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["guest", "-occurred_at"], name="activity_guest_time"),
            models.Index(fields=["company", "-occurred_at"], name="activity_company_time"),
            models.Index(fields=["kind", "-occurred_at"], name="activity_kind_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(guest__isnull=False) | models.Q(company__isnull=False),
                name="activity_has_subject",
                violation_error_message=_("A timeline entry needs a guest or a company."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"

    @builtins.property  # `property` is a field name in this class body
    def display_summary(self) -> str:
        """The summary in the reader's language (service-written entries), or as typed (staff notes)."""
        from concierge.core.i18n import render_stored

        return render_stored(self.data, self.summary)


class AuditEvent(models.Model):
    """Reads of sensitive data (views, reveals, exports). Changes are audited by django-simple-history."""

    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    guest = models.ForeignKey("guests.Guest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    company = models.ForeignKey("guests.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    field = models.CharField(_("field"), max_length=60, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["guest", "-at"], name="audit_guest_time")]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display()} {self.field}"
