"""Admin for managed lists (industries, tags). Profiles are edited in the Concierge UI, where the
services keep search keys, encryption and the timeline in step; the admin shows them read-only."""
from django.contrib import admin

from concierge.guests.models import Company, Guest, Industry, Tag


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "sort_order")
    list_editable = ("sort_order",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Guest)
class GuestAdmin(ReadOnlyAdmin):
    list_display = ("id", "family_name", "given_name", "family_name_latin", "given_name_latin", "status", "phone")
    list_filter = ("status",)
    search_fields = ("family_name", "given_name", "family_name_latin", "given_name_latin", "phone", "email")
    exclude = ("tags",)


@admin.register(Company)
class CompanyAdmin(ReadOnlyAdmin):
    list_display = ("id", "name_zh", "name_en", "account_number", "industry", "province", "status")
    list_filter = ("status", "industry")
    search_fields = ("name_zh", "name_en", "account_number")
