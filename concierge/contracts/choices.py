from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractKind(models.TextChoices):
    CORPORATE = "corporate", _("Corporate rate agreement")
    TRAVEL_AGENCY = "travel_agency", _("Travel-agency contract")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    SIGNED = "signed", _("Signed")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentTerms(models.TextChoices):
    PREPAID = "prepaid", _("Prepaid")
    ON_DEPARTURE = "on_departure", _("Paid on departure")
    CREDIT_30 = "credit_30", _("Monthly statement, 30 days")
    CREDIT_60 = "credit_60", _("Monthly statement, 60 days")


class ContractEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    TRANSITION = "transition", _("Status change")
    REMINDER = "reminder", _("Renewal reminder")
    RENEWED = "renewed", _("Renewed")


# Statuses in which a contract still binds the parties (counted in production, renewals, "contracts signed").
LIVE_STATUSES = (ContractStatus.SIGNED, ContractStatus.ACTIVE)
# Statuses from which nothing moves any more.
FINAL_STATUSES = (ContractStatus.EXPIRED, ContractStatus.TERMINATED, ContractStatus.CANCELLED)
