from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OpportunityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("opportunity status", "Open")
    WON = "won", pgettext_lazy("opportunity status", "Won")
    LOST = "lost", pgettext_lazy("opportunity status", "Lost")


class LostReason(models.TextChoices):
    PRICE = "price", _("Price too high")
    COMPETITOR = "competitor", _("Chose a competitor")
    BUDGET = "budget", _("No budget")
    TIMING = "timing", _("Timing / postponed")
    NO_RESPONSE = "no_response", _("No response")
    REQUIREMENTS = "requirements", _("Requirements not met")
    OTHER = "other", pgettext_lazy("lost reason", "Other")
