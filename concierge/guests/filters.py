"""FilterSets for guest data, shared by the web lists and the REST API.

Each FilterSet filters a queryset that is already scoped with `visible_to(user)`; filters that offer
a choice of properties only offer the user's own, so they cannot be used to probe other hotels.
"""
from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from concierge.guests.choices import (
    AlertCategory,
    AlertSeverity,
    CompanyStatus,
    ConsentChannel,
    GuestStatus,
    PreferenceCategory,
    SourceChannel,
)
from concierge.guests.models import (
    Alert,
    Company,
    ConsentRecord,
    Contact,
    Guest,
    GuestProperty,
    Industry,
    Preference,
)
from concierge.guests.selectors import recognition_search
from concierge.properties.models import Property

# Enough hits for a few pages of results; the recognition search itself caps each probe at 50 keys.
SEARCH_LIMIT = 200


def properties_for(user: Any) -> QuerySet:
    """The properties `user` works at (all properties for group-wide users, none for anonymous)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Property.objects.none()
    property_ids = user.property_ids()
    if property_ids is None:
        return Property.objects.all()
    return Property.objects.filter(id__in=property_ids)


def request_properties(request: Any) -> QuerySet:
    """`properties_for` the request's user: the choices of a property filter."""
    return properties_for(getattr(request, "user", None))


def _active_users(request: Any) -> QuerySet:
    return get_user_model().objects.filter(is_active=True)


def _ranked_by_search(queryset: QuerySet, request: Any, query: str, kind: str) -> QuerySet:
    """Keep the rows the recognition search finds, in its order, annotated with its score and reason."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return queryset.none()
    hits = [hit for hit in recognition_search(user=user, query=query, limit=SEARCH_LIMIT) if hit.kind == kind]
    if not hits:
        return queryset.none()
    return (
        queryset.filter(pk__in=[hit.id for hit in hits])
        .annotate(
            search_rank=Case(*[When(pk=h.id, then=Value(i)) for i, h in enumerate(hits)], output_field=IntegerField()),
            search_score=Case(*[When(pk=h.id, then=Value(h.score)) for h in hits], output_field=IntegerField()),
            search_matched=Case(*[When(pk=h.id, then=Value(str(h.matched))) for h in hits], output_field=CharField()),
        )
        .order_by("search_rank")
    )


class ActiveByDefaultFilterSet(django_filters.FilterSet):
    """Lists of things that can be switched off (preferences, alerts) show the active ones unless asked."""

    is_active = django_filters.BooleanFilter(
        widget=BooleanWidget(), label=_("Active"), help_text=_("Defaults to true: pass false to see removed ones.")
    )

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("is_active") is None:
            queryset = queryset.filter(is_active=True)
        return queryset


class GuestFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", label=_("Search"),
        help_text=_("Name in any script, pinyin, initials, phone, email or ID number; results are ranked."),
    )
    status = django_filters.MultipleChoiceFilter(choices=GuestStatus.choices, label=_("Status"))
    property = django_filters.ModelChoiceFilter(
        queryset=request_properties, method="filter_property", label=_("Property")
    )
    owner = django_filters.ModelChoiceFilter(queryset=_active_users, label=_("Account manager"))
    tier = django_filters.CharFilter(field_name="tier", lookup_expr="iexact", label=_("Tier"))
    tag = django_filters.CharFilter(method="filter_tag", label=_("Tag"))
    nationality = django_filters.CharFilter(method="filter_nationality", label=_("Nationality"))
    company = django_filters.NumberFilter(field_name="company_id", label=_("Company"))
    created = django_filters.DateFromToRangeFilter(field_name="created_at", label=_("Created"))

    class Meta:
        model = Guest
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _ranked_by_search(queryset, self.request, value, "guest")

    def filter_property(self, queryset: QuerySet, name: str, value: Property) -> QuerySet:
        return queryset.filter(Exists(GuestProperty.objects.filter(guest_id=OuterRef("pk"), property=value)))

    def filter_tag(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        through = Guest.tags.through
        return queryset.filter(Exists(through.objects.filter(guest_id=OuterRef("pk"), tag__name__iexact=value.strip())))

    def filter_nationality(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(nationality=value.strip().upper())


class CompanyFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", label=_("Search"),
        help_text=_("Name (Chinese, English or pinyin), phone or front-desk account number; results are ranked."),
    )
    status = django_filters.MultipleChoiceFilter(choices=CompanyStatus.choices, label=_("Status"))
    channel = django_filters.ChoiceFilter(choices=SourceChannel.choices, label=_("Channel"))
    property = django_filters.ModelChoiceFilter(
        queryset=request_properties, method="filter_property", label=_("Property")
    )
    owner = django_filters.ModelChoiceFilter(queryset=_active_users, label=_("Account manager"))
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.all(), to_field_name="code", label=_("Industry")
    )
    province = django_filters.CharFilter(field_name="province", lookup_expr="iexact", label=_("Province / state"))
    tag = django_filters.CharFilter(method="filter_tag", label=_("Tag"))

    class Meta:
        model = Company
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _ranked_by_search(queryset, self.request, value, "company")

    def filter_property(self, queryset: QuerySet, name: str, value: Property) -> QuerySet:
        through = Company.properties.through
        return queryset.filter(Exists(through.objects.filter(company_id=OuterRef("pk"), property=value)))

    def filter_tag(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        through = Company.tags.through
        return queryset.filter(
            Exists(through.objects.filter(company_id=OuterRef("pk"), tag__name__iexact=value.strip()))
        )


class ContactFilterSet(django_filters.FilterSet):
    company = django_filters.NumberFilter(field_name="company_id", label=_("Company"))
    guest = django_filters.NumberFilter(field_name="guest_id", label=_("Guest"))
    is_active = django_filters.BooleanFilter(widget=BooleanWidget(), label=_("Active"))
    is_decision_maker = django_filters.BooleanFilter(widget=BooleanWidget(), label=_("Decision maker"))
    name = django_filters.CharFilter(method="filter_name", label=_("Name contains"))

    class Meta:
        model = Contact
        fields: list[str] = []

    def filter_name(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(name_latin__icontains=value))


class PreferenceFilterSet(ActiveByDefaultFilterSet):
    guest = django_filters.NumberFilter(field_name="guest_id", label=_("Guest"))
    category = django_filters.ChoiceFilter(choices=PreferenceCategory.choices, label=_("Category"))

    class Meta:
        model = Preference
        fields: list[str] = []


class AlertFilterSet(ActiveByDefaultFilterSet):
    guest = django_filters.NumberFilter(field_name="guest_id", label=_("Guest"))
    severity = django_filters.ChoiceFilter(choices=AlertSeverity.choices, label=_("Severity"))
    category = django_filters.ChoiceFilter(choices=AlertCategory.choices, label=_("Category"))

    class Meta:
        model = Alert
        fields: list[str] = []


class ConsentFilterSet(django_filters.FilterSet):
    guest = django_filters.NumberFilter(field_name="guest_id", label=_("Guest"))
    channel = django_filters.ChoiceFilter(choices=ConsentChannel.choices, label=_("Channel"))

    class Meta:
        model = ConsentRecord
        fields: list[str] = []
