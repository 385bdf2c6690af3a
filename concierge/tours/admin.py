from django.contrib import admin

from concierge.tours.models import Departure, Order, TourProduct


class DepartureInline(admin.TabularInline):
    model = Departure
    extra = 0
    readonly_fields = ["seats_taken"]


@admin.register(TourProduct)
class TourProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "property", "duration_days", "is_active"]
    list_filter = ["is_active", "property"]
    search_fields = ["code", "name_zh", "name_en"]
    inlines = [DepartureInline]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Read-only: orders change only through the booking services (seat counters must follow)."""

    list_display = ["number", "departure", "company", "guest", "seats", "amount", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["number", "contact_name"]
    raw_id_fields = ["guest", "company", "departure", "created_by"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
