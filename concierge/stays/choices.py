from django.db import models
from django.utils.translation import gettext_lazy as _


class StayStatus(models.TextChoices):
    RESERVED = "reserved", _("Reserved")
    IN_HOUSE = "in_house", _("In house")
    CHECKED_OUT = "checked_out", _("Checked out")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


# Stays that produced revenue and count in performance figures.
PRODUCTIVE_STATUSES = (StayStatus.IN_HOUSE, StayStatus.CHECKED_OUT)


class MarketSegment(models.TextChoices):
    CORPORATE = "corporate", _("Corporate")
    LEISURE = "leisure", _("Leisure / transient")
    GROUP = "group", _("Group")
    MICE = "mice", _("Meetings & events")
    GOVERNMENT = "government", _("Government")
    CREW = "crew", _("Airline crew")
    LONG_STAY = "long_stay", _("Long stay")
    COMPLIMENTARY = "complimentary", _("Complimentary")
    OTHER = "other", _("Other")
