"""FilterSets for cases and lost items, shared by the web lists and the REST API.

They filter querysets already scoped with `visible_to(user)`; the property choice only offers the user's own.
"""
from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from concierge.cases.choices import (
    OPEN_STATUSES,
    CaseChannel,
    CaseStatus,
    CaseType,
    Department,
    LostItemStatus,
    Priority,
)
from concierge.cases.models import Case, LostItem
from concierge.guests.filters import request_properties

STATE_CHOICES = (("open", _("Open")), ("breached", _("Breached")), ("done", _("Resolved / closed")))


def _colleagues(request: Any) -> QuerySet:
    """Active users who work at one of the requesting user's properties (owner choices)."""
    users = get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
    user = getattr(request, "user", None)
    ids = user.property_ids() if user is not None and user.is_authenticated else []
    if ids is None:
        return users
    return users.filter(Q(properties__in=ids) | Q(all_properties=True) | Q(is_superuser=True)).distinct()


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"), widget=forms.TextInput(
        attrs={"placeholder": _("Subject, guest, room, case no.")}))
    state = django_filters.ChoiceFilter(choices=STATE_CHOICES, method="filter_state", label=_("State"),
                                        empty_label=_("Any state"))
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label=_("Status"), empty_label=_("Any status"))
    case_type = django_filters.ChoiceFilter(choices=CaseType.choices, label=_("Type"), empty_label=_("Any type"))
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Priority"),
                                           empty_label=_("Any priority"))
    department = django_filters.ChoiceFilter(choices=Department.choices, label=_("Department"),
                                             empty_label=_("Any department"))
    channel = django_filters.ChoiceFilter(choices=CaseChannel.choices, label=_("Channel"),
                                          empty_label=_("Any channel"))
    property = django_filters.ModelChoiceFilter(queryset=request_properties, label=_("Property"),
                                                empty_label=_("Any property"))
    owner = django_filters.ModelChoiceFilter(queryset=_colleagues, label=_("Handled by"), empty_label=_("Anyone"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Mine"), widget=forms.CheckboxInput)
    guest = django_filters.NumberFilter(field_name="guest_id", widget=forms.HiddenInput, label=_("Guest"))
    company = django_filters.NumberFilter(field_name="company_id", widget=forms.HiddenInput, label=_("Company"))
    opened = django_filters.DateFromToRangeFilter(field_name="created_at", label=_("Opened"))

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        condition = (
            Q(subject__icontains=value) | Q(guest__family_name__icontains=value)
            | Q(guest__given_name__icontains=value) | Q(guest__family_name_latin__icontains=value)
            | Q(guest__given_name_latin__icontains=value) | Q(company__name_zh__icontains=value)
            | Q(company__name_en__icontains=value) | Q(stay__room_number__iexact=value)
            | Q(guest__family_name=value[:1], guest__given_name__startswith=value[1:])
        )
        number = value.rsplit("-", 1)[-1]
        if number.isdecimal():
            condition |= Q(pk=int(number))
        return queryset.filter(condition)

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if value == "breached":
            return queryset.filter(Q(response_breached=True) | Q(resolution_breached=True))
        if value == "done":
            return queryset.exclude(status__in=OPEN_STATUSES)
        return queryset

    def filter_mine(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return queryset
        return queryset.filter(owner=user)


class LostItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"), widget=forms.TextInput(
        attrs={"placeholder": _("Description, room, storage place")}))
    status = django_filters.ChoiceFilter(choices=LostItemStatus.choices, label=_("Status"),
                                         empty_label=_("Any status"))
    property = django_filters.ModelChoiceFilter(queryset=request_properties, label=_("Property"),
                                                empty_label=_("Any property"))
    found_on = django_filters.DateFromToRangeFilter(field_name="found_on", label=_("Found"))
    guest = django_filters.NumberFilter(field_name="guest_id", widget=forms.HiddenInput, label=_("Guest"))

    class Meta:
        model = LostItem
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(description__icontains=value) | Q(room_number__iexact=value)
                               | Q(storage_location__icontains=value) | Q(found_place__icontains=value))
