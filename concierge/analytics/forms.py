"""Forms of the value screens: the scope/year pickers and the cost-ratio settings."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.analytics.selectors import DIMENSIONS, breakdown_years

DIMENSION_LABELS = {"region": _("Region"), "province": _("Province"), "industry": _("Industry")}


class BreakdownForm(forms.Form):
    """?dimension=region|province|industry&year=YYYY (defaults: region, this year)."""

    dimension = forms.ChoiceField(label=_("Breakdown by"), required=False,
                                  choices=[(d, DIMENSION_LABELS[d]) for d in DIMENSIONS])
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in breakdown_years()]

    def values(self) -> tuple[str, int]:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("dimension") or "region", data.get("year") or breakdown_years()[0]


def _ratio_field(label: Any, required: bool) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, max_digits=5, decimal_places=4, min_value=Decimal("0"),
        max_value=Decimal("1"), widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
        error_messages={
            "min_value": _("Enter a ratio between 0 and 1, for example 0.25."),
            "max_value": _("Enter a ratio between 0 and 1, for example 0.25."),
            "invalid": _("Enter a number between 0 and 1, such as 0.25."),
            "required": _("The group default needs a ratio for every revenue type."),
        },
    )


class CostRatiosForm(forms.Form):
    """Cost ratios of one scope. On a property every field may stay blank (= the group default)."""

    def __init__(self, *args: Any, group: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["room"] = _ratio_field(_("Room cost ratio"), group)
        self.fields["fnb"] = _ratio_field(_("F&B cost ratio"), group)
        self.fields["other"] = _ratio_field(_("Other revenue cost ratio"), group)
