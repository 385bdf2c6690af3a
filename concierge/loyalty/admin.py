from typing import Any

from django.contrib import admin

from concierge.loyalty.models import (
    BonusRule,
    Membership,
    PointTransaction,
    Programme,
    Redemption,
    Reward,
    Tier,
    TierChange,
)


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0


class BonusRuleInline(admin.TabularInline):
    model = BonusRule
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name_en", "group", "is_active")
    inlines = [TierInline, BonusRuleInline]


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "name_en", "points_cost", "stock", "is_active")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("number", "guest", "tier", "tier_since", "grace_until")
    raw_id_fields = ("guest",)
    list_filter = ("tier",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Ledger rows are immutable: the admin can look, never add, change or delete."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(PointTransaction)
class PointTransactionAdmin(ReadOnlyAdmin):
    list_display = ("membership", "kind", "points", "qualifying_points", "nights", "occurred_on", "created_at")
    list_filter = ("kind",)
    raw_id_fields = ("membership", "stay", "reverses")


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ("membership", "reward", "quantity", "points", "status", "created_at")


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyAdmin):
    list_display = ("membership", "kind", "from_tier", "to_tier", "effective_on")
