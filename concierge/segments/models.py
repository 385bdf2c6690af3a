"""Saved dynamic segments (a tree of conditions on guests) and frozen snapshots of their members.

A segment stores only its definition; members are computed on demand (`selectors.segment_queryset`) within the
reading user's properties. A snapshot freezes the members at one moment (a campaign send), with one
INSERT…SELECT, so the audience of a send can be shown later even after guests changed.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Segment(models.Model):
    """A named, saved definition: `{"op": "and"|"or", "items": [condition | group, ...]}` (see `conditions`)."""

    name = models.CharField(pgettext_lazy("segment", "name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    definition = models.JSONField(_("conditions"), default=dict)
    shared = models.BooleanField(
        _("shared"), default=True, help_text=_("Shared segments are visible to every colleague who may use segments.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="segments",
        verbose_name=pgettext_lazy("segment", "owner"),
    )
    last_count = models.PositiveIntegerField(_("members"), null=True, blank=True)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic-locking counter.")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["created_by", "shared"], name="segment_owner_shared")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""), name="segment_name_not_empty",
                violation_error_message=_("A segment needs a name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SegmentSnapshot(models.Model):
    """The members of a segment frozen at one moment (for example the audience of a campaign send)."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="snapshots")
    definition = models.JSONField(default=dict, help_text="The definition as it was when the snapshot was taken.")
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("taken by"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    count = models.PositiveIntegerField(_("members"), default=0)

    class Meta:
        verbose_name = _("segment snapshot")
        verbose_name_plural = _("segment snapshots")
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["segment", "-taken_at"], name="segment_snapshot_recent")]

    def __str__(self) -> str:
        return f"{self.segment_id} @ {self.taken_at:%Y-%m-%d %H:%M}"


class SegmentSnapshotMember(models.Model):
    """One guest in a snapshot. Rows are written in bulk by `services.take_snapshot` (INSERT…SELECT)."""

    id = models.BigAutoField(primary_key=True)
    snapshot = models.ForeignKey(SegmentSnapshot, on_delete=models.CASCADE, related_name="members")
    guest = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "guest"], name="segment_snapshot_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id}:{self.guest_id}"
