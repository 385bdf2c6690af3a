from django.db import models
from django.utils.translation import gettext_lazy as _


class BasketKind(models.TextChoices):
    """What one "basket" is when counting products bought together."""

    STAY = "stay", _("Per stay")
    GUEST = "guest", _("Per guest (all stays)")


class RuleSort(models.TextChoices):
    LIFT = "lift", _("Lift")
    CONFIDENCE = "confidence", _("Confidence")
    SUPPORT = "support", _("Support")
