"""Input of the dashboard pages: scope (property or group), period, breakdown; and the ledger's N."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.dashboards.choices import FlowClass, FlowGroupBy
from concierge.dashboards.permissions import can_see_group
from concierge.guests.filters import properties_for

MONTH_CHOICES = [("", _("Whole year"))] + [(str(m), str(m)) for m in range(1, 13)]


class ScopeForm(forms.Form):
    """`property` empty means the group, allowed only to users who see every property."""

    property = forms.ModelChoiceField(queryset=None, required=False, label=_("Property"))
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100, label=_("Year"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["year"].initial = timezone.localdate().year
        field = self.fields["property"]
        field.queryset = properties_for(user).order_by("code")
        field.empty_label = str(_("Whole group")) if can_see_group(user) else None
        field.required = not can_see_group(user)

    def clean_year(self) -> int:
        return self.cleaned_data.get("year") or timezone.localdate().year

    def scope(self) -> tuple[Any, int]:
        """(property or None for the group, year); a bad or empty input falls back to the default scope."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("property"), self.cleaned_data["year"]
        default = None if can_see_group(self.user) else self.fields["property"].queryset.first()
        return default, timezone.localdate().year


class FlowForm(ScopeForm):
    month = forms.TypedChoiceField(choices=MONTH_CHOICES, required=False, coerce=int, empty_value=None,
                                   label=_("Month"))
    group_by = forms.ChoiceField(choices=[("", _("No breakdown"))] + list(FlowGroupBy.choices), required=False,
                                 label=_("Breakdown"))

    def period(self) -> tuple[Any, int, int | None, str | None]:
        prop, year = self.scope()
        if self.is_bound and self.is_valid():
            return prop, year, self.cleaned_data.get("month"), self.cleaned_data.get("group_by") or None
        return prop, year, None, None


class DrillDownForm(FlowForm):
    flow = forms.ChoiceField(choices=FlowClass.choices)
    key = forms.CharField(required=False, max_length=40)


class FlowSettingsForm(forms.Form):
    lost_after_months = forms.IntegerField(min_value=1, max_value=60, label=_("Lost after (months)"))
