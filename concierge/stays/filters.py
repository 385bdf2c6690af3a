"""FilterSet for the stays ledger, shared by the web list and the REST API."""
from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from concierge.guests.filters import request_properties
from concierge.stays.choices import MarketSegment, StayStatus
from concierge.stays.models import Stay


class StayFilterSet(django_filters.FilterSet):
    guest = django_filters.NumberFilter(field_name="guest_id", label=_("Guest"))
    company = django_filters.NumberFilter(field_name="company_id", label=_("Billing company"))
    property = django_filters.ModelChoiceFilter(queryset=request_properties, label=_("Property"))
    status = django_filters.MultipleChoiceFilter(choices=StayStatus.choices, label=_("Status"))
    market_segment = django_filters.ChoiceFilter(choices=MarketSegment.choices, label=_("Market segment"))
    arrival = django_filters.DateFromToRangeFilter(field_name="arrival", label=_("Arrival"))

    class Meta:
        model = Stay
        fields: list[str] = []
