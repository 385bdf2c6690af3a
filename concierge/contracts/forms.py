"""Forms of the contract pages. Business rules (overlapping seasons, transitions) are checked by the services."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from concierge.contracts.choices import ContractKind, ContractStatus
from concierge.contracts.models import Contract, ContractRate
from concierge.contracts.services import RateInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContractFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", _("All statuses")), *ContractStatus.choices], required=False,
                               label=_("Status"))
    kind = forms.ChoiceField(choices=[("", _("All kinds")), *ContractKind.choices], required=False, label=_("Kind"))
    expiring_within = forms.IntegerField(min_value=0, max_value=3650, required=False,
                                         label=_("Expiring within (days)"))
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False,
                                   label=_("Account manager"), empty_label=_("Everyone"))
    q = forms.CharField(required=False, max_length=100, label=_("Number, title or company"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = get_user_model().objects.filter(
            is_active=True, role__in=("sales_rep", "sales_manager")).order_by("username")


class ContractForm(forms.ModelForm):
    """The contract's own fields; the company is chosen from the accounts the user may manage."""

    class Meta:
        model = Contract
        fields = ["company", "title", "kind", "owner", "properties", "start_date", "end_date", "currency",
                  "commission_percent", "allotment_per_night", "room_night_commitment", "payment_terms", "terms",
                  "notes"]
        widgets = {"start_date": DATE, "end_date": DATE, "properties": forms.CheckboxSelectMultiple,
                   "terms": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, companies: Any, properties: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
        self.fields["properties"].queryset = properties
        self.fields["owner"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        if self.instance.pk:
            self.fields["company"].disabled = True

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("company", "properties"):
            data.pop(name, None)
        return data


class RateForm(forms.ModelForm):
    class Meta:
        model = ContractRate
        fields = ["property", "room_type", "season_name", "season_start", "season_end", "rate", "breakfast_included"]
        widgets = {"season_start": DATE, "season_end": DATE}

    def __init__(self, *args: Any, properties: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if properties is not None:
            self.fields["property"].queryset = properties


RateFormSet = forms.formset_factory(RateForm, extra=2, can_delete=True)


def rate_inputs(formset: Any) -> list[RateInput]:
    """The filled, not-deleted rows of a valid rate formset."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        rows.append(RateInput(property_id=data["property"].pk, room_type=data["room_type"],
                              season_start=data["season_start"], season_end=data["season_end"], rate=data["rate"],
                              season_name=data.get("season_name") or "",
                              breakfast_included=bool(data.get("breakfast_included"))))
    return rows


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False, label=_("Reason"),
                             widget=forms.Textarea(attrs={"rows": 2}))
    effective_on = forms.DateField(required=False, label=_("Effective on"), widget=DATE)
    signed_on = forms.DateField(required=False, label=_("Signed on"), widget=DATE)
