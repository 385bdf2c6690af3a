from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from concierge.accounts.models import StaffDeactivation, User


@admin.register(User)
class ConciergeUserAdmin(UserAdmin):
    """Users are never deleted (records keep pointing at them): deactivate a leaving colleague on the Staff screen
    (/account/staff/), which hands what they own to a successor first."""

    list_display = ("username", "get_full_name", "role", "all_properties", "is_active", "is_demo")
    list_filter = ("role", "is_active", "all_properties", "properties")
    fieldsets = UserAdmin.fieldsets + (
        (_("Concierge"), {"fields": ("role", "properties", "all_properties", "language", "phone", "is_demo"),
                          "description": format_lazy(
                              "{} {}", _("Users cannot be deleted. To deactivate a colleague who leaves, use the "
                                         "Staff screen: it hands their accounts, guests, tasks and cases to a "
                                         "successor first."), reverse_lazy("accounts:staff_list"))}),
    )
    filter_horizontal = ("properties", "groups", "user_permissions")

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(StaffDeactivation)
class StaffDeactivationAdmin(admin.ModelAdmin):
    list_display = ("user", "successor", "status", "actor", "created_at", "finished_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in StaffDeactivation._meta.fields]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
