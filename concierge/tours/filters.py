"""FilterSets shared by the web lists and the REST API (applied to querysets already scoped by `visible_to`)."""
from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from concierge.tours.choices import DepartureStatus, OrderStatus
from concierge.tours.models import Departure, Order, TourProduct


def _visible_products(request: Any) -> QuerySet:
    return TourProduct.objects.visible_to(getattr(request, "user", None)).order_by("code")


class ProductFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"),
                                  widget=forms.TextInput(attrs={"placeholder": _("Code or name")}))
    active = django_filters.BooleanFilter(field_name="is_active", label=_("Active"))

    class Meta:
        model = TourProduct
        fields = ["q", "active"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name_zh__icontains=value) | Q(name_en__icontains=value))


class DepartureFilterSet(django_filters.FilterSet):
    product = django_filters.NumberFilter(field_name="product_id", label=_("Product"))
    status = django_filters.ChoiceFilter(choices=DepartureStatus.choices, label=_("Status"))
    departs = django_filters.DateFromToRangeFilter(field_name="departs_on", label=_("Departure date"))

    class Meta:
        model = Departure
        fields = ["product", "status", "departs"]


class OrderFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"),
                                  widget=forms.TextInput(attrs={"placeholder": _("Order no., contact, agency")}))
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, label=_("Status"),
                                         empty_label=_("Any status"))
    product = django_filters.ModelChoiceFilter(field_name="departure__product", label=_("Product"),
                                               queryset=_visible_products, empty_label=_("Any product"))
    departure = django_filters.NumberFilter(field_name="departure_id", label=_("Departure"),
                                            widget=forms.HiddenInput)
    company = django_filters.NumberFilter(field_name="company_id", label=_("Agency"), widget=forms.HiddenInput)
    guest = django_filters.NumberFilter(field_name="guest_id", label=_("Guest"), widget=forms.HiddenInput)
    departs = django_filters.DateFromToRangeFilter(field_name="departure__departs_on", label=_("Departure date"),
                                                   widget=django_filters.widgets.DateRangeWidget(
                                                       attrs={"type": "date"}))

    class Meta:
        model = Order
        fields = ["q", "status", "product", "departure", "company", "guest", "departs"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__iexact=value) | Q(contact_name__icontains=value)
                               | Q(company__name_zh__icontains=value) | Q(company__name_en__icontains=value))
