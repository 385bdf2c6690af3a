"""Admin views of account management (read-mostly: owners change through sales.services, not here)."""
from django.contrib import admin

from concierge.sales.models import AccountOwnership, AccountPlan, AccountTeamMember, Handover


@admin.register(AccountOwnership)
class AccountOwnershipAdmin(admin.ModelAdmin):
    list_display = ("company", "owner", "valid_from", "valid_to", "reason")
    list_filter = ("valid_to",)
    raw_id_fields = ("company", "owner", "changed_by")
    search_fields = ("company__name_zh", "company__name_en", "owner__username")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False  # periods are opened by company_owner_change, which keeps Company.owner in step

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(AccountPlan)
class AccountPlanAdmin(admin.ModelAdmin):
    list_display = ("company", "potential_room_nights", "updated_at", "updated_by")
    raw_id_fields = ("company", "updated_by")


@admin.register(AccountTeamMember)
class AccountTeamMemberAdmin(admin.ModelAdmin):
    list_display = ("company", "user", "role", "added_at")
    raw_id_fields = ("company", "user", "added_by")


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):
    list_display = ("from_user", "default_to", "effective_on", "deactivated_user", "actor", "created_at")
    readonly_fields = ("summary", "items")
    raw_id_fields = ("from_user", "default_to", "actor")
