"""Tasks: one to-do list for every module (a journey asks the owner to call a guest, a contact-frequency policy
reminds a rep to visit an account, a contract nears expiry). A task names who must act, by when, and about whom.

`source` + `source_id` say which module created it, and `dedupe_key` (unique when not empty) makes automatic
creation idempotent: the same reminder for the same occurrence is created once, however often the job runs.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concierge.core.querysets import ScopedQuerySet


class TaskKind(models.TextChoices):
    CALL = "call", pgettext_lazy("task", "Call")
    VISIT = "visit", pgettext_lazy("task", "Visit")
    MEETING = "meeting", pgettext_lazy("task", "Meeting")
    EMAIL = "email", pgettext_lazy("task", "Email")
    FOLLOW_UP = "follow_up", pgettext_lazy("task", "Follow-up")
    RENEWAL = "renewal", pgettext_lazy("task", "Contract renewal")
    OTHER = "other", pgettext_lazy("task", "Other")


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task", "Open")
    DONE = "done", pgettext_lazy("task", "Done")
    CANCELLED = "cancelled", pgettext_lazy("task", "Cancelled")


class Task(models.Model):
    title = models.CharField(pgettext_lazy("task", "title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=12, choices=TaskKind.choices, default=TaskKind.FOLLOW_UP)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks",
        verbose_name=_("assigned to"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    guest = models.ForeignKey("guests.Guest", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks",
                              verbose_name=_("guest"))
    company = models.ForeignKey("guests.Company", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="tasks", verbose_name=_("company"))
    property = models.ForeignKey("properties.Property", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("property"))
    notes = models.TextField(_("notes"), blank=True)
    source = models.CharField(_("created by module"), max_length=40, blank=True,
                              help_text="e.g. journey, contact_policy, contract_renewal, manual")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    scope_property_field = "property_id"
    scope_property_shared_when_null = True
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_on"], name="task_assignee_due"),
            models.Index(fields=["guest", "status"], name="task_guest_status"),
            models.Index(fields=["company", "status"], name="task_company_status"),
            models.Index(fields=["source", "source_id"], name="task_source"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], condition=~Q(dedupe_key=""), name="task_dedupe_key"),
            models.CheckConstraint(condition=~Q(title=""), name="task_title_not_empty",
                                   violation_error_message=_("A task needs a title.")),
        ]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(models.Model):
    """A user's secret iCalendar feed URL (read without login by calendar apps). Revoking it kills the URL;
    a new token gives a new URL."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(revoked_at__isnull=True),
                                    name="calendarfeed_one_live"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} feed"
