from django.contrib import admin

from concierge.properties.models import HotelGroup, Property


@admin.register(HotelGroup)
class HotelGroupAdmin(admin.ModelAdmin):
    list_display = ("name_zh", "name_en")


@admin.register(Property)
class PropertyAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "city", "timezone", "currency", "is_active")
    list_filter = ("group", "is_active")
    search_fields = ("code", "name_zh", "name_en")
