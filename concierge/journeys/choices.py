"""Choices of the journeys module: trigger kinds, step kinds, run states and event outcomes."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TriggerKind(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthday in N days")
    CHECKOUT = "checkout", _("Checkout + N hours")
    PRE_ARRIVAL = "pre_arrival", _("N days before arrival")
    NO_STAY = "no_stay", _("No stay for N months")
    FIRST_STAY = "first_stay", _("First stay")
    TIER_CHANGE = "tier_change", _("Loyalty tier change")
    CONTRACT_EXPIRING = "contract_expiring", _("Contract expiring in N days")
    COMPLAINT_RESOLVED = "complaint_resolved", _("Complaint resolved")


class StepKind(models.TextChoices):
    WAIT = "wait", pgettext_lazy("journey step", "Wait")
    SEND_MESSAGE = "send_message", _("Send a message")
    CREATE_TASK = "create_task", _("Create a task for the owner")
    ADD_TAG = "add_tag", _("Add a tag")
    AWARD_POINTS = "award_points", _("Award loyalty points")


class RunState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("journey run", "Active")
    WAITING = "waiting", pgettext_lazy("journey run", "Waiting")
    COMPLETED = "completed", pgettext_lazy("journey run", "Completed")
    EXITED = "exited", pgettext_lazy("journey run", "Exited")
    FAILED = "failed", pgettext_lazy("journey run", "Failed")


# Runs the evaluator still moves forward.
OPEN_STATES = (RunState.ACTIVE, RunState.WAITING)


class Outcome(models.TextChoices):
    DONE = "done", pgettext_lazy("journey event", "Done")
    WAITING = "waiting", pgettext_lazy("journey event", "Waiting")
    SKIPPED = "skipped", pgettext_lazy("journey event", "Skipped")
    FAILED = "failed", pgettext_lazy("journey event", "Failed")
    EXITED = "exited", pgettext_lazy("journey event", "Exited")


class TierDirection(models.TextChoices):
    ANY = "", _("Upgrade or downgrade")
    UPGRADE = "upgrade", _("Upgrade only")
    DOWNGRADE = "downgrade", _("Downgrade only")
