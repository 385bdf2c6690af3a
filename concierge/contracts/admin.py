from django.contrib import admin

from concierge.contracts.models import Contract, ContractEvent, ContractRate


class ContractRateInline(admin.TabularInline):
    model = ContractRate
    extra = 0


class ContractEventInline(admin.TabularInline):
    model = ContractEvent
    extra = 0
    readonly_fields = ["kind", "from_status", "to_status", "effective_on", "reason", "by", "at"]
    can_delete = False


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "company", "kind", "status", "start_date", "end_date", "owner"]
    list_filter = ["status", "kind"]
    search_fields = ["number", "title"]
    raw_id_fields = ["company", "owner", "renewal_of", "created_by"]
    readonly_fields = ["status", "version"]
    inlines = [ContractRateInline, ContractEventInline]
