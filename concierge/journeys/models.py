"""Journeys: marketing automations. A trigger enrols guests (or companies) into runs; steps act on them in order.

* `Journey` — the trigger (kind + params), an optional condition (a saved segment or an inline segment definition),
  the property it is limited to (or the whole group), the steps, and whether it is enabled.
* `JourneyRun` — one guest (or company) in one journey for one trigger occurrence ("birthday 2026", "stay 123").
  UNIQUE(journey, occurrence_key) is what makes enrolment idempotent: the enrolment is an INSERT … SELECT … ON
  CONFLICT DO NOTHING, so running it twice, or in two workers at once, enrols each occurrence once.
* `JourneyRunEvent` — the audit: what each step did for the run (message id, task id, points) or why it did not.
  UNIQUE(run, step): a step acts once per run, which also guards actions that have no idempotency key of their own
  (loyalty points).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concierge.core.querysets import ScopedQuerySet
from concierge.journeys.choices import Outcome, RunState, StepKind, TriggerKind


class Journey(models.Model):
    """An automation: when the trigger fires for a guest who matches the condition, run the steps for them."""

    name = models.CharField(pgettext_lazy("journey", "name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    trigger_kind = models.CharField(_("trigger"), max_length=24, choices=TriggerKind.choices)
    trigger_params = models.JSONField(_("trigger settings"), default=dict, blank=True)
    segment = models.ForeignKey(
        "segments.Segment", null=True, blank=True, on_delete=models.SET_NULL, related_name="journeys",
        verbose_name=_("only guests in segment"),
    )
    condition = models.JSONField(
        _("conditions"), default=dict, blank=True,
        help_text=_("An inline segment definition; used when no saved segment is chosen."),
    )
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("property"), help_text=_("Empty: the whole group."),
    )
    fallback_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("fallback task owner"),
        help_text=_("Tasks go to the guest's account manager, else the company's, else to this user."),
    )
    enabled = models.BooleanField(_("enabled"), default=False)
    builtin_code = models.SlugField(max_length=40, blank=True, help_text="Set on journeys made by seed_journeys.")
    version = models.PositiveIntegerField(default=1, help_text="Optimistic-locking counter; +1 on every change.")
    last_evaluated_at = models.DateTimeField(_("last evaluated"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope_property_field = "property_id"
    scope_property_shared_when_null = True
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="journey_name_not_empty",
                                   violation_error_message=_("A journey needs a name.")),
            models.UniqueConstraint(fields=["builtin_code"], condition=~Q(builtin_code=""),
                                    name="journey_builtin_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class JourneyStep(models.Model):
    """One step of a journey. `params` by kind: wait {hours, days}; send_message {template_code, channel,
    survey_id?}; create_task {title, due_days}; add_tag {tag}; award_points {points, reason}."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=StepKind.choices)
    params = models.JSONField(_("settings"), default=dict, blank=True)

    class Meta:
        verbose_name = _("journey step")
        verbose_name_plural = _("journey steps")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["journey", "position"], name="journeystep_order")]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_kind_display()}"


class JourneyRun(models.Model):
    """One guest (and/or company) going through one journey for one trigger occurrence."""

    id = models.BigAutoField(primary_key=True)
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="runs")
    guest = models.ForeignKey("guests.Guest", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("guest"))
    company = models.ForeignKey("guests.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("company"))
    stay = models.ForeignKey("stays.Stay", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             db_constraint=False, verbose_name=_("stay"))
    property = models.ForeignKey("properties.Property", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", db_constraint=False, verbose_name=_("property"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", db_constraint=False,
                              help_text="Who is responsible for the occurrence (contract or case owner).")
    occurrence_key = models.CharField(_("occurrence"), max_length=120)
    state = models.CharField(_("state"), max_length=10, choices=RunState.choices, default=RunState.ACTIVE)
    position = models.PositiveSmallIntegerField(_("next step"), default=0)
    next_at = models.DateTimeField(_("next action at"), null=True, blank=True)
    journey_version = models.PositiveIntegerField(default=1)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("journey run")
        verbose_name_plural = _("journey runs")
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["journey", "occurrence_key"], name="journeyrun_once_per_occurrence"),
        ]
        indexes = [
            models.Index(fields=["next_at"], condition=Q(state__in=["active", "waiting"]), name="journeyrun_due"),
            models.Index(fields=["journey", "state"], name="journeyrun_journey_state"),
            models.Index(fields=["guest"], name="journeyrun_guest"),
        ]

    def __str__(self) -> str:
        return f"{self.journey_id}:{self.occurrence_key}"


class JourneyRunEvent(models.Model):
    """What one step did for one run, and why: the audit of who got what."""

    id = models.BigAutoField(primary_key=True)
    run = models.ForeignKey(JourneyRun, on_delete=models.CASCADE, related_name="events")
    step = models.ForeignKey(JourneyStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    step_kind = models.CharField(_("step"), max_length=16, choices=StepKind.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    message = models.ForeignKey("messaging.Message", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=pgettext_lazy("outbox", "message"))
    task = models.ForeignKey("worklist.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("task"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("journey event")
        verbose_name_plural = _("journey events")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "step"], condition=Q(step__isnull=False),
                                    name="journeyevent_once_per_step"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.step_kind}: {self.outcome}"
