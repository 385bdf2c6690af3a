"""Forms of the journey editor: the journey (trigger settings as fields named after the trigger's params) and a step."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.journeys import triggers
from concierge.journeys.choices import StepKind, TierDirection, TriggerKind
from concierge.journeys.models import Journey
from concierge.messaging.choices import Channel

# Every trigger param, as one form field each ("p_<name>"); the editor shows the ones of the chosen trigger.
PARAM_FIELDS = ("days", "hours", "months", "window_days", "direction")


class JourneyForm(forms.ModelForm):
    p_days = forms.IntegerField(label=_("days"), required=False)
    p_hours = forms.IntegerField(label=_("hours after checkout"), required=False)
    p_months = forms.IntegerField(label=_("months without a stay"), required=False)
    p_window_days = forms.IntegerField(label=_("catch-up window (days)"), required=False)
    p_direction = forms.ChoiceField(label=_("direction"), choices=TierDirection.choices, required=False)

    class Meta:
        model = Journey
        fields = ["name", "description", "trigger_kind", "segment", "property", "fallback_owner", "enabled"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from concierge.accounts.models import User
        from concierge.segments.selectors import segments_for

        self.fields["segment"].queryset = segments_for(user) if user is not None else self.fields["segment"].queryset
        self.fields["segment"].empty_label = _("All guests (no condition)")
        self.fields["fallback_owner"].queryset = User.objects.filter(is_active=True).order_by("username")
        self.fields["property"].empty_label = _("Whole group")
        params = (self.instance.trigger_params or {}) if self.instance.pk else {}
        for name in PARAM_FIELDS:
            if name in params:
                self.fields[f"p_{name}"].initial = params[name]
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else (
                "form-select" if isinstance(field.widget, forms.Select) else "form-control")
            field.widget.attrs.setdefault("class", css)

    def trigger_kind_value(self) -> str:
        value = self.data.get("trigger_kind") if self.is_bound else (self.instance.trigger_kind or "")
        return value or TriggerKind.BIRTHDAY

    def param_fields(self) -> list[Any]:
        """The bound fields of the chosen trigger's params, in the trigger's order."""
        trigger = triggers.REGISTRY.get(self.trigger_kind_value())
        if trigger is None:
            return []
        result = []
        for param in trigger.params:
            bound = self[f"p_{param.name}"]
            bound.field.label = param.label
            if not self.is_bound and bound.field.initial is None:
                bound.field.initial = param.default
            result.append(bound)
        return result

    def trigger_params(self) -> dict[str, Any]:
        trigger = triggers.REGISTRY.get(self.cleaned_data.get("trigger_kind") or "")
        if trigger is None:
            return {}
        return {p.name: self.data.get(f"p_{p.name}", "") for p in trigger.params}


class StepForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=StepKind.choices)
    days = forms.CharField(label=_("days"), required=False)
    hours = forms.CharField(label=_("hours"), required=False)
    template_code = forms.CharField(label=_("message template"), required=False)
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices, required=False)
    survey_id = forms.CharField(label=_("survey (for {{ survey_url }})"), required=False)
    title = forms.CharField(label=_("task title"), required=False)
    due_days = forms.CharField(label=_("due in (days)"), required=False)
    tag = forms.CharField(label=_("tag"), required=False)
    points = forms.CharField(label=_("points"), required=False)
    reason = forms.CharField(label=_("reason"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from concierge.messaging.models import MessageTemplate
        from concierge.surveys.models import Survey

        templates = list(MessageTemplate.objects.filter(is_active=True).order_by("code")
                         .values_list("code", flat=True).distinct())
        self.fields["template_code"].widget = forms.Select(choices=[("", "—")] + [(c, c) for c in templates])
        surveys = list(Survey.objects.filter(status="active").order_by("name").values_list("pk", "name"))
        self.fields["survey_id"].widget = forms.Select(choices=[("", _("No survey link"))] +
                                                       [(str(pk), name) for pk, name in surveys])
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select form-select-sm" if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm")
