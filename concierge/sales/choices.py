from django.db import models
from django.utils.translation import gettext_lazy as _


class TeamRole(models.TextChoices):
    SUPPORT = "support", _("Sales support")
    EXECUTIVE = "executive", _("Executive sponsor")
    REVENUE = "revenue", _("Revenue manager")
    OPERATIONS = "operations", _("Operations contact")
    BACKUP = "backup", _("Backup account manager")
