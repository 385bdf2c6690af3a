from django.contrib import admin

from concierge.segments.models import Segment, SegmentSnapshot


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ("name", "created_by", "shared", "last_count", "counted_at", "updated_at")
    list_filter = ("shared",)
    search_fields = ("name",)
    readonly_fields = ("last_count", "counted_at", "version", "created_at", "updated_at")


@admin.register(SegmentSnapshot)
class SegmentSnapshotAdmin(admin.ModelAdmin):
    list_display = ("segment", "taken_at", "taken_by", "reason", "count")
    readonly_fields = ("segment", "definition", "taken_at", "taken_by", "reason", "count")
