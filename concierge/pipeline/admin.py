from django.contrib import admin

from concierge.pipeline.models import Opportunity, SalesTarget, Stage, StageChange


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ("name_en", "name_zh", "order", "default_probability", "is_won", "is_lost", "is_active")
    ordering = ("order",)


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ("title", "company", "owner", "stage", "status", "value", "probability", "expected_close")
    list_filter = ("status", "stage")
    raw_id_fields = ("company", "contact", "owner", "origin_owner", "created_by")
    search_fields = ("title",)


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ("opportunity", "from_stage", "to_stage", "changed_by", "changed_at")
    raw_id_fields = ("opportunity", "changed_by")


@admin.register(SalesTarget)
class SalesTargetAdmin(admin.ModelAdmin):
    list_display = ("user", "month", "revenue", "room_nights", "visits")
    raw_id_fields = ("user", "updated_by")
