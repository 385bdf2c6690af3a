"""Admin for messaging: templates and rules are edited on the staff screens; the outbox is read-only here."""
from __future__ import annotations

from django.contrib import admin

from concierge.messaging.models import ChannelAddress, Message, MessageTemplate, SuppressionRule


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "channel", "purpose", "name", "is_active", "updated_at")
    list_filter = ("channel", "purpose", "is_active")
    search_fields = ("code", "name")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "guest", "channel", "purpose", "status", "reason", "created_at", "sent_at")
    list_filter = ("status", "channel", "purpose", "reason")
    search_fields = ("idempotency_key", "provider_message_id", "source")
    raw_id_fields = ("guest", "template", "property")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(SuppressionRule)
class SuppressionRuleAdmin(admin.ModelAdmin):
    list_display = ("property", "quiet_start", "quiet_end", "monthly_cap", "updated_at")


@admin.register(ChannelAddress)
class ChannelAddressAdmin(admin.ModelAdmin):
    list_display = ("guest", "channel", "address", "created_at")
    list_filter = ("channel",)
    raw_id_fields = ("guest",)
