from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FlowClass(models.TextChoices):
    NEW = "new", pgettext_lazy("customer flow", "New")
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
