"""Forms of the pipeline pages."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms import modelformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.pipeline.choices import LostReason, OpportunityStatus
from concierge.pipeline.models import Opportunity, SalesTarget, Stage


class BootstrapMixin:
    """Bootstrap classes on every widget (the pages render fields one by one)."""

    def _style(self) -> None:
        for f in self.fields.values():  # type: ignore[attr-defined]
            widget = f.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class OpportunityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.all(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *OpportunityStatus.choices], required=False)
    owner = forms.IntegerField(label=_("Owner"), required=False, widget=forms.HiddenInput)
    close_from = forms.DateField(label=_("Expected close from"), required=False)
    close_to = forms.DateField(label=_("Expected close to"), required=False)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        data["stage"] = data["stage"].pk if data.get("stage") else None
        return data


class OpportunityForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = ["title", "company", "contact", "owner", "property", "value", "currency", "probability",
                  "expected_close", "stage", "notes"]
        widgets = {"expected_close": forms.DateInput(attrs={"type": "date"}),
                   "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from concierge.guests.models import Company, Contact
        from concierge.pipeline.permissions import is_sales_manager, visible_reps
        from concierge.properties.models import Property

        self.fields["company"].queryset = Company.objects.visible_to(user)
        self.fields["contact"].queryset = Contact.objects.visible_to(user)
        self.fields["owner"].queryset = visible_reps(user)
        self.fields["owner"].initial = user.pk
        if not is_sales_manager(user):
            self.fields["owner"].disabled = True
        ids = user.property_ids()
        properties = Property.objects.all()
        self.fields["property"].queryset = properties if ids is None else properties.filter(pk__in=ids)
        self.fields["stage"].queryset = Stage.objects.filter(is_active=True, is_won=False, is_lost=False)
        self.fields["stage"].required = False
        self.fields["probability"].required = False
        self.fields["probability"].help_text = _("Empty: the stage's default probability.")
        if self.instance.pk:
            del self.fields["stage"]
        self._style()


class LoseForm(BootstrapMixin, forms.Form):
    lost_reason = forms.ChoiceField(label=_("Lost reason"), choices=LostReason.choices)
    lost_reason_text = forms.CharField(label=_("Details"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class MonthForm(forms.Form):
    month = forms.DateField(label=_("Month"), required=False, input_formats=["%Y-%m", "%Y-%m-%d"])

    def month_value(self) -> dt.date:
        if self.is_valid() and self.cleaned_data.get("month"):
            return self.cleaned_data["month"].replace(day=1)
        return timezone.localdate().replace(day=1)


class SalesTargetForm(BootstrapMixin, forms.ModelForm):
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m", "%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))

    class Meta:
        model = SalesTarget
        fields = ["user", "month", "revenue", "room_nights", "new_accounts", "contracts_signed", "visits",
                  "pipeline_added", "won_value"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from concierge.pipeline.permissions import visible_reps

        self.fields["user"].queryset = visible_reps(user)
        self._style()

    def validate_unique(self) -> None:
        """Saving replaces the rep's target of that month (sales_target_set), so no uniqueness error here."""


StageFormSet = modelformset_factory(
    Stage, fields=["name_zh", "name_en", "order", "default_probability", "is_won", "is_lost", "is_active"], extra=1,
)
