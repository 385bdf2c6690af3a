from django.contrib import admin

from concierge.stays.models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "category", "is_active")
    list_editable = ("is_active",)
    search_fields = ("code", "name_zh", "name_en")
