from django.db import models
from django.utils.translation import gettext_lazy as _


class FlowClass(models.TextChoices):
    NEW = "new", _("New")
    RETAINED = "retained", _("Retained")
    WON_BACK = "won_back", _("Won back")
    LOST = "lost", _("Lost")


class FlowGroupBy(models.TextChoices):
    PROPERTY = "property", _("Property")
    SEGMENT = "segment", _("Market segment")
    MANAGER = "manager", _("Account manager")


class AccountKind(models.TextChoices):
    COMPANY = "company", _("Company")
    GUEST = "guest", _("Guest")


DEFAULT_LOST_AFTER_MONTHS = 12
