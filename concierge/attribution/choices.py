from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AttributionRule(models.TextChoices):
    GUEST = "guest", _("Touch on the guest")
    COMPANY = "company", _("Touch on the company")
    LEAD = "lead", _("Lead source")


class LeadImportStatus(models.TextChoices):
    INVALID = "invalid", _("Errors in the file")
    QUEUED = "queued", pgettext_lazy("import", "Queued")
    RUNNING = "running", pgettext_lazy("import", "Running")
    SUCCEEDED = "succeeded", pgettext_lazy("import", "Imported")
    FAILED = "failed", pgettext_lazy("import", "Failed")


FINISHED_IMPORT_STATUSES = (LeadImportStatus.INVALID, LeadImportStatus.SUCCEEDED, LeadImportStatus.FAILED)


class LeadOutcome(models.TextChoices):
    CREATED = "created", _("New guest created")
    MATCHED = "matched", _("Matched an existing guest")
    SKIPPED = "skipped", _("Skipped")
