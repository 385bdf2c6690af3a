"""Campaign forms: the campaign itself, its content variants (A/B), the list filter and the schedule box."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.campaigns.models import Campaign, CampaignStatus
from concierge.messaging.choices import Channel
from concierge.messaging.models import MessageTemplate

CONTROL = {"class": "form-control"}
SELECT = {"class": "form-select"}


class CampaignFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *CampaignStatus.choices],
                               widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    q = forms.CharField(label=_("Name"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "type": "search"}))


class CampaignForm(forms.ModelForm):
    offer_url = forms.URLField(label=_("Offer link"), required=False, max_length=400, assume_scheme="https",
                               widget=forms.URLInput(attrs=CONTROL),
                               help_text=_("Shown where a template uses {{ offer_url }}; clicks on it are tracked."))

    class Meta:
        model = Campaign
        fields = ["name", "description", "kind", "channel", "property", "segment", "scheduled_at", "starts_on",
                  "ends_on", "cost", "currency", "offer_code", "offer_url", "tracking_enabled",
                  "attribution_window_days"]
        widgets = {
            "name": forms.TextInput(attrs=CONTROL),
            "description": forms.Textarea(attrs={**CONTROL, "rows": 2}),
            "kind": forms.Select(attrs=SELECT),
            "channel": forms.Select(attrs=SELECT, choices=[("", "—"), *Channel.choices]),
            "property": forms.Select(attrs=SELECT),
            "segment": forms.Select(attrs=SELECT),
            "scheduled_at": forms.DateTimeInput(attrs={**CONTROL, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "starts_on": forms.DateInput(attrs={**CONTROL, "type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={**CONTROL, "type": "date"}, format="%Y-%m-%d"),
            "cost": forms.NumberInput(attrs={**CONTROL, "step": "0.01", "min": "0"}),
            "currency": forms.TextInput(attrs={**CONTROL, "maxlength": 3}),
            "offer_code": forms.TextInput(attrs=CONTROL),
            "offer_url": forms.URLInput(attrs=CONTROL),
            "tracking_enabled": forms.CheckboxInput(attrs={"class": "form-check-input"}),
            "attribution_window_days": forms.NumberInput(attrs={**CONTROL, "min": 1, "max": 1000}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from concierge.properties.models import Property
        from concierge.segments.selectors import segments_for

        self.fields["channel"] = forms.ChoiceField(label=_("Channel"), required=False,
                                                   choices=[("", "—"), *Channel.choices],
                                                   widget=forms.Select(attrs=SELECT))
        property_ids = user.property_ids()
        properties = Property.objects.all() if property_ids is None else Property.objects.filter(pk__in=property_ids)
        self.fields["property"].queryset = properties
        self.fields["property"].empty_label = _("Group-wide (all hotels)")
        self.fields["segment"].queryset = segments_for(user)
        self.fields["scheduled_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        self.fields["scheduled_at"].help_text = _("Empty: keep as a draft (or use “Save and send now”).")


class VariantForm(forms.Form):
    label = forms.CharField(label=_("Variant"), max_length=10,
                            widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "size": 3}))
    template = forms.ModelChoiceField(label=_("Template"), queryset=MessageTemplate.objects.none(), required=False,
                                      widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    share_percent = forms.IntegerField(label=_("Share of audience (%)"), min_value=0, max_value=100, required=False,
                                       widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = MessageTemplate.objects.filter(is_active=True).order_by("channel", "code")


class BaseVariantFormSet(forms.BaseFormSet):
    def variants(self) -> list[Any]:
        """The filled rows as service input (rows without a template are ignored)."""
        from concierge.campaigns.services import VariantInput

        return [VariantInput(label=f.cleaned_data["label"], template=f.cleaned_data["template"],
                             share_percent=f.cleaned_data.get("share_percent") or 0)
                for f in self.forms if f.cleaned_data.get("template")]


VariantFormSet = forms.formset_factory(VariantForm, formset=BaseVariantFormSet, extra=0, max_num=5,
                                       validate_max=True)


def variant_initial(campaign: Campaign | None) -> list[dict[str, Any]]:
    rows = [{"label": v.label, "template": v.template_id, "share_percent": v.share_percent}
            for v in campaign.variants.all()] if campaign and campaign.pk else []
    labels = [r["label"] for r in rows]
    for label in ("A", "B", "C"):
        if len(rows) >= 3:
            break
        if label not in labels:
            rows.append({"label": label, "template": None, "share_percent": 100 if not rows else 0})
    return rows


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(label=_("Send at"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                  widget=forms.DateTimeInput(attrs={"class": "form-control form-control-sm",
                                                                    "type": "datetime-local"}))

