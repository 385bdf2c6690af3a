from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    GUESTS = "guests", _("Guests")
    COMPANIES = "companies", _("Companies")
    STAYS = "stays", _("Stays")
    LEADS = "leads", _("Trade-show leads (business cards)")


class MatchMode(models.TextChoices):
    # link: a strong-key match (same ID number, same external reference from another source) is attached
    # to the existing profile; weaker matches are created and put in the review queue.
    LINK = "link", _("Link to existing profiles on a strong match")
    # flag: for first loads; nothing is attached, every suspected duplicate goes to the review queue.
    FLAG = "flag", _("Create every row; flag suspected duplicates for review")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Imported")
    DRY_RUN = "dry_run", _("Dry run finished")
    ROLLED_BACK = "rolled_back", _("Rolled back")
    FAILED = "failed", _("Failed")


# Statuses after which a batch never changes again.
FINISHED_STATUSES = (ImportStatus.SUCCEEDED, ImportStatus.DRY_RUN, ImportStatus.ROLLED_BACK, ImportStatus.FAILED)


class IssueSeverity(models.TextChoices):
    ERROR = "error", _("Rejected")
    WARNING = "warning", _("Warning")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
