from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from concierge.accounts.models import User


@admin.register(User)
class ConciergeUserAdmin(UserAdmin):
    list_display = ("username", "get_full_name", "role", "all_properties", "is_active", "is_demo")
    list_filter = ("role", "is_active", "all_properties", "properties")
    fieldsets = UserAdmin.fieldsets + (
        (_("Concierge"), {"fields": ("role", "properties", "all_properties", "language", "phone", "is_demo")}),
    )
    filter_horizontal = ("properties", "groups", "user_permissions")
