"""Duplicate candidates (the review queue), the admin-set thresholds, undoable merge records, finder runs."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.dedupe.choices import CandidateStatus, FinderRunStatus


class DuplicateCandidate(models.Model):
    """A pair of guest profiles that look like one person, with the score and the reasons.

    The pair is stored once, smaller id on the left. A dismissed pair ("not the same person") stays
    dismissed when the finder runs again; a merged pair keeps its row as the review history.
    """

    left = models.ForeignKey(
        "guests.Guest", on_delete=models.CASCADE, related_name="+", verbose_name=_("profile A")
    )
    right = models.ForeignKey(
        "guests.Guest", on_delete=models.CASCADE, related_name="+", verbose_name=_("profile B")
    )
    score = models.FloatField(_("score"), help_text=_("Match probability from 0 to 1."))
    weight = models.FloatField(_("evidence (bits)"), default=0.0)
    reasons = models.JSONField(
        _("reasons"), default=list, blank=True,
        help_text="[{field, level, outcome: agree|partial|disagree, weight}], strongest first.",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.OPEN
    )
    found_at = models.DateTimeField(_("found"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["left", "right"], name="duplicatecandidate_unique_pair",
                violation_error_message=_("This pair of profiles is already in the review queue."),
            ),
            models.CheckConstraint(
                condition=models.Q(left__lt=models.F("right")), name="duplicatecandidate_left_lt_right",
                violation_error_message=_("A candidate pair is stored with the smaller profile id first."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-score"], name="dupcand_status_score"),
            models.Index(fields=["right"], name="dupcand_right"),
        ]

    def __str__(self) -> str:
        return f"#{self.left_id} ~ #{self.right_id} ({self.score:.2f})"


class DedupeSettings(models.Model):
    """The thresholds an administrator sets (one row; use `DedupeSettings.load()`)."""

    review_threshold = models.DecimalField(
        _("review threshold"), max_digits=4, decimal_places=3, default=Decimal("0.500"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Pairs scoring at least this much go to the review queue and the create-time warning."),
    )
    auto_merge_threshold = models.DecimalField(
        _("auto-merge threshold"), max_digits=4, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Pairs scoring at least this much are merged by the finder without review. Empty = never."),
    )
    max_block_size = models.PositiveIntegerField(
        _("largest block compared"), default=50,
        validators=[MinValueValidator(2), MaxValueValidator(1000)],
        help_text=_("Groups of profiles sharing one key larger than this are skipped (a shared office phone)."),
    )
    population = models.PositiveIntegerField(
        _("profiles compared at the last run"), default=0, editable=False,
        help_text="Sets the prior of the score (see dedupe.scoring.prior_bits_for); written by the finder.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("duplicate detection settings")
        verbose_name_plural = _("duplicate detection settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(auto_merge_threshold__isnull=True)
                | models.Q(auto_merge_threshold__gte=models.F("review_threshold")),
                name="dedupesettings_automerge_above_review",
                violation_error_message=_("The auto-merge threshold cannot be below the review threshold."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Duplicate detection settings"))

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.pk = 1  # a singleton: every save writes the one row
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> DedupeSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class MergeRecord(models.Model):
    """One merge: who merged which profile into which, every value and row it changed, and its undo.

    ``fields`` holds {"chosen": {field: "survivor"|"merged"|"combined"}, "survivor_before": {...},
    "merged_before": {...}, "survivor_after": {...}}; ``moved`` holds {"app.Model.field": [ids]};
    ``removed`` holds rows deleted because they collided with a row the survivor already had
    (serialised, so undo can put them back); ``created`` holds rows the merge added (contact points
    for the phone or email not chosen as primary).
    """

    survivor = models.ForeignKey(
        "guests.Guest", on_delete=models.PROTECT, related_name="+", verbose_name=_("surviving profile")
    )
    merged = models.ForeignKey(
        "guests.Guest", on_delete=models.PROTECT, related_name="+", verbose_name=_("merged profile")
    )
    candidate = models.ForeignKey(
        DuplicateCandidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="merges"
    )
    fields = models.JSONField(_("field values"), default=dict)
    moved = models.JSONField(_("moved rows"), default=dict)
    removed = models.JSONField(_("removed duplicate rows"), default=dict)
    created = models.JSONField(_("created rows"), default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("merged by"),
    )
    at = models.DateTimeField(_("merged at"), default=timezone.now)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("undone by"),
    )

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["survivor", "-at"], name="merge_survivor_time"),
            models.Index(fields=["merged", "-at"], name="merge_merged_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.merged_id} → #{self.survivor_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None

    @property
    def is_anonymised(self) -> bool:
        return bool(self.fields.get("anonymised"))

    def anonymize(self) -> None:
        """Erase the personal data this record copied (field snapshots, removed rows); undo is then refused.

        Which rows moved (ids only) and who merged when are kept: they hold no personal data.
        """
        self.fields = {"anonymised": True, "chosen": self.fields.get("chosen", {})}
        self.removed = {label: [] for label in self.removed}
        self.save(update_fields=["fields", "removed"])


class FinderRun(models.Model):
    """One run of the duplicate finder queued from the web: who asked, its progress, and what it found.

    The worker writes the progress (stage, done, total) and, at the end, the finder's summary; the review
    queue polls the latest row. A run still queued or running whose `updated_at` has not moved for
    `STALE_AFTER` is taken as lost (the worker died or none is running), so a new run may be queued.
    """

    STALE_AFTER = dt.timedelta(minutes=15)

    status = models.CharField(
        _("status"), max_length=10, choices=FinderRunStatus.choices, default=FinderRunStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("requested by"),
    )
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last progress"), default=timezone.now)
    stage = models.CharField(_("stage"), max_length=10, blank=True, help_text="load / score / write")
    done = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True, help_text="FindResult.as_dict() of the run.")
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("duplicate finder run")
        verbose_name_plural = _("duplicate finder runs")
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["-queued_at"], name="finderrun_queued")]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.queued_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        """Queued or running, and not given up as lost."""
        return self.status in (FinderRunStatus.QUEUED, FinderRunStatus.RUNNING) and not self.is_stale

    @property
    def is_stale(self) -> bool:
        return (
            self.status in (FinderRunStatus.QUEUED, FinderRunStatus.RUNNING)
            and timezone.now() - self.updated_at > self.STALE_AFTER
        )

    @property
    def percent(self) -> int:
        """Progress of the current stage, 0–100."""
        return min(100, int(100 * self.done / self.total)) if self.total else 0
