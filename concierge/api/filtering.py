"""The filter backend of every list endpoint: django-filter, with number filters kept inside the database's range.

django-filter's NumberFilter reads a decimal ("1e30", "-99999999999999999999"); on an integer column SQLite cannot
even bind such a value (OverflowError -> 500, found by schemathesis). Bounding the filter's form field to the
column's range answers a 400 `validation_error` on that parameter (`max_value` / `min_value`), and the OpenAPI schema
documents those codes (drf-standardized-errors builds the filter form through this backend).
"""
from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django_filters import NumberFilter
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import get_model_field


def integer_column_range(model: type[models.Model] | None, field_name: str) -> tuple[int, int] | None:
    """(min, max) the database stores in the integer column `field_name` (a foreign key: its target), else None."""
    if model is None:
        return None
    field = get_model_field(model, field_name)
    if field is not None and field.is_relation and getattr(field, "target_field", None) is not None:
        field = field.target_field
    if not isinstance(field, models.IntegerField):  # AutoField, BigIntegerField, PositiveIntegerField… included
        return None
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return (low if low is not None else -(2**63), high if high is not None else 2**63 - 1)


def bound_number_filters(filterset: Any) -> Any:
    """Add the column's range to every NumberFilter on an integer column (in place; returns the filterset)."""
    model = filterset._meta.model or getattr(filterset.queryset, "model", None)
    for number_filter in filterset.filters.values():
        if not isinstance(number_filter, NumberFilter):
            continue
        bounds = integer_column_range(model, number_filter.field_name)
        if bounds is None:
            continue
        validators = number_filter.field.validators
        if not any(isinstance(v, MinValueValidator) for v in validators):
            validators.append(MinValueValidator(bounds[0]))
        validators.append(MaxValueValidator(bounds[1]))  # next to django-filter's own 1e50 bound
    return filterset


class BoundedFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        return bound_number_filters(filterset) if filterset is not None else None
