"""Admin: the service centre's configuration (SLA policies, business hours, department heads, root causes,
categories) and read access to cases, articles and lost items."""
from django.contrib import admin

from concierge.cases.models import (
    Article,
    ArticleCategory,
    ArticleTranslation,
    BusinessHours,
    Case,
    CaseEvent,
    DepartmentHead,
    LostItem,
    RootCause,
    SlaPolicy,
)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("case_type", "priority", "property", "first_response_minutes", "resolution_minutes", "is_active")
    list_filter = ("case_type", "priority", "property", "is_active")
    list_editable = ("first_response_minutes", "resolution_minutes", "is_active")


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin):
    list_display = ("property", "weekly", "holidays")


@admin.register(DepartmentHead)
class DepartmentHeadAdmin(admin.ModelAdmin):
    list_display = ("property", "department", "user")
    list_filter = ("property", "department")
    autocomplete_fields = ("user",)


@admin.register(RootCause)
class RootCauseAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "department", "next_stay_action_en", "is_active", "sort_order")
    list_editable = ("is_active", "sort_order")


@admin.register(ArticleCategory)
class ArticleCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "icon", "sort_order")
    list_editable = ("sort_order",)


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ("at", "kind", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    can_delete = False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("id", "property", "case_type", "subject", "status", "priority", "owner", "created_at",
                    "response_breached", "resolution_breached")
    list_filter = ("property", "case_type", "status", "priority", "department", "response_breached",
                   "resolution_breached")
    search_fields = ("subject",)
    raw_id_fields = ("guest", "company", "stay", "owner", "created_by", "escalated_to", "next_stay_alert",
                     "kb_article")
    readonly_fields = ("first_response_due_at", "resolution_due_at", "first_responded_at", "resolved_at",
                       "closed_at", "loop_guest", "loop_manager", "loop_alert", "loop_followup")
    inlines = [CaseEventInline]
    date_hierarchy = "created_at"


class ArticleTranslationInline(admin.StackedInline):
    model = ArticleTranslation
    extra = 0
    fields = ("language", "title", "body")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("id", "__str__", "category", "property", "status", "is_public", "helpful_yes", "helpful_no")
    list_filter = ("status", "is_public", "category", "property")
    raw_id_fields = ("cases", "root_cause")
    inlines = [ArticleTranslationInline]

    def save_formset(self, request, form, formset, change):  # noqa: ANN001, ANN201 - Django admin hook
        # Edits in the admin go through the service, so the search tokens stay in step with the text.
        from concierge.cases.services import article_translation_save

        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            article_translation_save(article=form.instance, language=obj.language, title=obj.title, body=obj.body)


@admin.register(LostItem)
class LostItemAdmin(admin.ModelAdmin):
    list_display = ("found_on", "property", "room_number", "description", "status", "guest")
    list_filter = ("property", "status", "category")
    raw_id_fields = ("stay", "guest", "case", "found_by")
