"""Django admin for surveys: for support staff; hotel staff use the survey pages."""
from django.contrib import admin

from concierge.surveys.models import (
    Choice,
    Invitation,
    Question,
    Response,
    Survey,
    SurveyMarker,
    SurveyRun,
    SurveyTrigger,
)


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ("position", "kind", "text_zh", "text_en", "department", "required", "depends_on", "depends_operator",
              "depends_value", "is_active")
    fk_name = "survey"


class TriggerInline(admin.TabularInline):
    model = SurveyTrigger
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "status", "property", "created_at")
    list_filter = ("kind", "status", "property")
    search_fields = ("name", "title_zh", "title_en")
    inlines = [QuestionInline, TriggerInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("survey", "position", "kind", "text_en", "department", "required", "is_active")
    list_filter = ("kind", "department")


@admin.register(Choice)
class ChoiceAdmin(admin.ModelAdmin):
    list_display = ("question", "position", "label_zh", "label_en", "is_negative")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("survey", "guest", "property", "source", "status", "created_at", "sent_at", "answered_at")
    list_filter = ("status", "source", "survey")
    raw_id_fields = ("guest", "stay", "company", "run")
    readonly_fields = ("public_id", "claim", "claimed_at", "queued_at")


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("survey", "guest", "property", "submitted_at", "is_negative", "action")
    list_filter = ("survey", "is_negative", "action")
    raw_id_fields = ("invitation", "guest", "stay", "alert")


@admin.register(SurveyRun)
class SurveyRunAdmin(admin.ModelAdmin):
    list_display = ("survey", "label", "scheduled_for", "repeat_days", "status", "invited", "skipped")


@admin.register(SurveyMarker)
class SurveyMarkerAdmin(admin.ModelAdmin):
    list_display = ("date", "label", "department", "property")
