"""FilterSets for surveys and responses, shared by the web lists and the REST API."""
from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from concierge.guests.filters import request_properties
from concierge.surveys.choices import SurveyKind, SurveyStatus
from concierge.surveys.models import Response, Survey


class SurveyFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SurveyStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=SurveyKind.choices, label=_("Kind"))
    property = django_filters.ModelChoiceFilter(queryset=request_properties, label=_("Property"))

    class Meta:
        model = Survey
        fields: list[str] = []


class ResponseFilterSet(django_filters.FilterSet):
    property = django_filters.ModelChoiceFilter(queryset=request_properties, label=_("Property"))
    guest = django_filters.NumberFilter(field_name="guest_id", label=_("Guest"))
    low_score = django_filters.BooleanFilter(field_name="is_negative", label=_("Low score only"))
    submitted = django_filters.DateFromToRangeFilter(field_name="submitted_at", label=_("Submitted"))

    class Meta:
        model = Response
        fields: list[str] = []
