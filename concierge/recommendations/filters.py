"""The rule FilterSet, shared by the web list, its CSV and the REST API."""
from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from concierge.recommendations.choices import BasketKind, RuleSort
from concierge.recommendations.models import ProductRule, ProductRuleItem
from concierge.recommendations.selectors import SORT_FIELDS
from concierge.stays.models import Product

# The screens and the API show per-guest rules unless asked otherwise: they hold the "came for X, later took Y"
# patterns the guest card offers from.
DEFAULT_BASKET = BasketKind.GUEST


class ProductRuleFilterSet(django_filters.FilterSet):
    basket = django_filters.ChoiceFilter(choices=BasketKind.choices, label=_("Basket"), method="filter_basket",
                                         empty_label=None)
    product = django_filters.ModelChoiceFilter(queryset=Product.objects.order_by("category", "code"),
                                               label=_("Product"), method="filter_product")
    side = django_filters.ChoiceFilter(choices=ProductRuleItem.Side.choices, label=_("Product is the"),
                                       method="filter_noop")
    min_lift = django_filters.NumberFilter(field_name="lift", lookup_expr="gte", label=_("Lift at least"))
    min_confidence = django_filters.NumberFilter(field_name="confidence", lookup_expr="gte",
                                                 label=_("Confidence at least"))
    sort = django_filters.ChoiceFilter(choices=RuleSort.choices, label=_("Sort by"), method="filter_noop",
                                       empty_label=None)

    class Meta:
        model = ProductRule
        fields: list[str] = []

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        data = data.copy() if data is not None else {}
        data.setdefault("basket", DEFAULT_BASKET)
        data.setdefault("sort", RuleSort.LIFT)
        super().__init__(data, *args, **kwargs)
        for field in self.form.fields.values():
            numeric = isinstance(field, django_filters.fields.forms.DecimalField)
            field.widget.attrs["class"] = "form-control form-control-sm" if numeric else "form-select form-select-sm"
            if numeric:
                field.widget.attrs.update({"step": "0.1", "min": "0", "style": "width: 7rem"})

    @property
    def qs(self) -> QuerySet:
        queryset = super().qs
        if not self.form.is_valid():
            return queryset.none()
        sort = self.form.cleaned_data.get("sort") or RuleSort.LIFT
        return queryset.filter(property__isnull=True).order_by(*SORT_FIELDS[RuleSort(sort)])

    def filter_basket(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(basket=value or DEFAULT_BASKET)

    def filter_product(self, queryset: QuerySet, name: str, value: Product | None) -> QuerySet:
        if value is None:
            return queryset
        items = ProductRuleItem.objects.filter(rule=OuterRef("pk"), product=value)
        side = self.form.cleaned_data.get("side")
        if side:
            items = items.filter(side=side)
        return queryset.filter(Exists(items))

    def filter_noop(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset
