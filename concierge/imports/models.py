"""Import batches (who imported what, when, with which result), their per-row issues, and the
references other systems use for a guest profile."""
from __future__ import annotations

import builtins

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.core.querysets import ScopedQuerySet
from concierge.imports.choices import FINISHED_STATUSES, ImportKind, ImportStatus, IssueSeverity, MatchMode


class ImportBatch(models.Model):
    """One import of one file: its options, its progress and the summary of what it did.

    The batch row is written outside the import's own transaction, so it survives a rolled-back or
    failed import and the page can show why.
    """

    kind = models.CharField(_("kind"), max_length=12, choices=ImportKind.choices)
    source = models.CharField(_("source"), max_length=60, help_text=_("Label of the system the file came from."))
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    file_path = models.CharField(max_length=500, blank=True, help_text="Stored upload (deleted after the import).")
    file_size = models.PositiveBigIntegerField(default=0)
    match_mode = models.CharField(_("duplicates"), max_length=4, choices=MatchMode.choices, default=MatchMode.LINK)
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("property"), help_text=_("The property that holds imported profiles."),
    )
    create_properties = models.BooleanField(_("create unknown properties"), default=False)
    all_or_nothing = models.BooleanField(_("all or nothing"), default=False)
    dry_run = models.BooleanField(_("dry run"), default=False)
    campaign_tag = models.CharField(_("campaign tag"), max_length=60, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="importbatch_user_time"),
            models.Index(fields=["kind", "source", "status"], name="importbatch_kind_source"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.source} · {self.file_name}"

    @builtins.property  # `property` is a field name in this class body
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @builtins.property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return min(100, 100 * self.rows_done // self.rows_total) if self.rows_total else 0


class ImportRowIssue(models.Model):
    """A rejected row, or a warning about one cell, with the raw text the file held.

    Warnings keep the raw value of an optional cell that could not be read (a bad date), so nothing
    in the file is lost; rejections say why the row was refused. ID numbers are kept masked only.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(_("row"))
    field = models.CharField(_("field"), max_length=60, blank=True)
    severity = models.CharField(_("severity"), max_length=8, choices=IssueSeverity.choices)
    code = models.CharField(_("code"), max_length=40, blank=True)
    message = models.CharField(_("message"), max_length=300)
    raw_value = models.TextField(_("value in the file"), blank=True)
    guest = models.ForeignKey(
        "guests.Guest", null=True, blank=True, on_delete=models.SET_NULL, related_name="import_issues"
    )
    company = models.ForeignKey(
        "guests.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="import_issues"
    )
    stay = models.ForeignKey(
        "stays.Stay", null=True, blank=True, on_delete=models.SET_NULL, related_name="import_issues"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("import issue")
        verbose_name_plural = _("import issues")
        ordering = ["batch_id", "row", "id"]
        indexes = [models.Index(fields=["batch", "severity", "row"], name="importissue_batch_row")]

    def __str__(self) -> str:
        return f"{self.row} {self.field}: {self.message}"

    def anonymize(self) -> None:
        """Drop the raw cell text (it may hold personal data) when the guest is erased."""
        self.raw_value = ""
        self.save(update_fields=["raw_value"])


class GuestExternalRef(models.Model):
    """Another system's reference for an existing profile, recorded when an import attached a row to it.

    Lets later imports from that source (and their stays' `guest_ref`) find the profile again. The
    profile's own `external_ref`/`source` hold the reference of the system that created it.
    """

    guest = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="external_refs")
    source = models.CharField(_("source"), max_length=60)
    external_ref = models.CharField(_("external reference"), max_length=100)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("external reference")
        verbose_name_plural = _("external references")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_ref"], name="guestexternalref_unique",
                violation_error_message=_("This source already uses this reference for another profile."),
            )
        ]
        indexes = [models.Index(fields=["external_ref"], name="guestexternalref_ref")]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_ref}"
