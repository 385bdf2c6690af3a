from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.attribution.models import AttributionSettings


class LeadUploadForm(forms.Form):
    file = forms.FileField(label=_("Business cards (CSV or XLSX)"),
                           help_text=_("Columns: card id, name, company, title, mobile, email, province, city, notes."))


class AttributionSettingsForm(forms.ModelForm):
    class Meta:
        model = AttributionSettings
        fields = ["by_guest", "by_company", "lead_window_days"]
