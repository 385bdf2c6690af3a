"""Forms of the loyalty screens. Business rules (balance, stock) are checked by the services."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.loyalty.models import BonusRule, Programme, Reward, Tier


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["name_zh", "name_en", "room_points_per_unit", "fnb_points_per_unit", "other_points_per_unit",
                  "points_per_night", "expiry_months", "grace_months", "auto_enrol", "is_active"]


TierFormSet = forms.modelformset_factory(
    Tier, fields=["code", "name_zh", "name_en", "order", "min_points", "min_nights", "benefits_zh", "benefits_en"],
    extra=0, widgets={"benefits_zh": forms.Textarea(attrs={"rows": 2}), "benefits_en": forms.Textarea(attrs={"rows": 2})},
)

BonusRuleFormSet = forms.modelformset_factory(
    BonusRule, fields=["kind", "name_zh", "name_en", "multiplier", "fixed_points", "starts_on", "ends_on", "property",
                       "is_active"],
    extra=1, widgets={"starts_on": forms.DateInput(attrs={"type": "date"}),
                      "ends_on": forms.DateInput(attrs={"type": "date"})},
)

RewardFormSet = forms.modelformset_factory(
    Reward, fields=["code", "kind", "name_zh", "name_en", "points_cost", "stock", "is_active"], extra=1,
)


class MemberFilterForm(forms.Form):
    tier = forms.ModelChoiceField(queryset=Tier.objects.none(), required=False, label=_("Tier"),
                                  empty_label=_("All tiers"))
    q = forms.CharField(required=False, label=_("Membership number or name"), max_length=100)

    def __init__(self, *args: Any, programme: Programme | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.filter(programme=programme).order_by("order")


class RedeemForm(forms.Form):
    reward = forms.ModelChoiceField(queryset=Reward.objects.none(), label=_("Reward"),
                                    error_messages={"required": _("Choose a reward.")})
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=20, initial=1)

    def __init__(self, *args: Any, programme: Programme | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reward"].queryset = Reward.objects.filter(programme=programme, is_active=True)
        self.fields["reward"].label_from_instance = lambda r: f"{r.name} · {r.points_cost:,}"


class AdjustForm(forms.Form):
    points = forms.IntegerField(label=_("Points (+/−)"), min_value=-10_000_000, max_value=10_000_000)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    qualifying = forms.BooleanField(label=_("Counts toward tier"), required=False)
