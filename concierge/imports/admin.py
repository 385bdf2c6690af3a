from django.contrib import admin

from concierge.imports.models import GuestExternalRef, ImportBatch, ImportRowIssue


class ImportRowIssueInline(admin.TabularInline):
    model = ImportRowIssue
    extra = 0
    fields = ("row", "field", "severity", "message", "raw_value", "guest", "stay", "company")
    readonly_fields = fields
    can_delete = False
    show_change_link = False
    max_num = 0


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "source", "file_name", "status", "rows_done", "created_by", "created_at")
    list_filter = ("kind", "status", "match_mode")
    search_fields = ("source", "file_name")
    readonly_fields = [f.name for f in ImportBatch._meta.fields]
    inlines = [ImportRowIssueInline]


@admin.register(GuestExternalRef)
class GuestExternalRefAdmin(admin.ModelAdmin):
    list_display = ("source", "external_ref", "guest", "batch", "created_at")
    search_fields = ("source", "external_ref")
    raw_id_fields = ("guest", "batch")
