from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    STAY = "stay", _("Stay")
    CALL = "call", _("Call")
    EMAIL = "email", _("Email")
    VISIT = "visit", _("Visit")
    MEETING = "meeting", _("Meeting")
    MESSAGE = "message", _("Message")
    NOTE = "note", _("Note")
    PREFERENCE = "preference", _("Preference")
    ALERT = "alert", _("Alert")
    PROFILE = "profile", _("Profile change")
    CONSENT = "consent", _("Consent")


# Kinds that count as "contacting the customer" for the "last contacted by X, N days ago" warning.
CONTACT_KINDS = (ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.VISIT, ActivityKind.MEETING, ActivityKind.MESSAGE)


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    REVEAL = "reveal", _("Revealed")
    EXPORT = "export", _("Exported")
    CREATE_ANYWAY = "create_anyway", _("Created despite duplicate warning")
    ERASE = "erase", _("Erased personal data")
    REVEAL_DENIED = "reveal_denied", _("Reveal refused")
    DEACTIVATE_USER = "deactivate_user", _("Deactivated a staff user")
