from django.contrib import admin

from concierge.worklist.models import CalendarFeed, Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "assignee", "due_on", "source")
    list_filter = ("status", "kind", "source")
    raw_id_fields = ("assignee", "guest", "company", "property", "created_by", "done_by")
    search_fields = ("title", "dedupe_key")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "revoked_at", "last_read_at")
    raw_id_fields = ("user",)
    exclude = ("token",)  # a secret: shown only to its user on the calendar page
