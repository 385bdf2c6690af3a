"""Admin: the thresholds are set here; candidates and merges are shown read-only (work them in the UI)."""
from django.contrib import admin
from django.http import HttpRequest

from concierge.dedupe.models import DedupeSettings, DuplicateCandidate, FinderRun, MergeRecord


@admin.register(DedupeSettings)
class DedupeSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "review_threshold", "auto_merge_threshold", "max_block_size", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not DedupeSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: DedupeSettings | None = None) -> bool:
        return False


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(_ReadOnly):
    list_display = ("id", "left", "right", "score", "status", "found_at", "reviewed_by")
    list_filter = ("status",)
    raw_id_fields = ("left", "right")


@admin.register(MergeRecord)
class MergeRecordAdmin(_ReadOnly):
    list_display = ("id", "survivor", "merged", "actor", "at", "undone_at")
    raw_id_fields = ("survivor", "merged", "candidate")


@admin.register(FinderRun)
class FinderRunAdmin(_ReadOnly):
    list_display = ("id", "status", "requested_by", "queued_at", "started_at", "finished_at", "stage", "done", "total")
    list_filter = ("status",)
