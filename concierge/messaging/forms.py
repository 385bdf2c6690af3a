"""Forms of the messaging screens: template editor, preview guest picker, suppression rule."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.messaging.models import MessageTemplate, SuppressionRule


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["code", "name", "channel", "purpose", "provider_template_id", "subject_zh", "body_zh",
                  "subject_en", "body_en", "is_active"]
        widgets = {"body_zh": forms.Textarea(attrs={"rows": 8}), "body_en": forms.Textarea(attrs={"rows": 8})}


class SuppressionRuleForm(forms.ModelForm):
    class Meta:
        model = SuppressionRule
        fields = ["quiet_start", "quiet_end", "monthly_cap"]
        widgets = {"quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                   "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
        help_texts = {"quiet_start": _("Local time of the property. Empty start and end: no quiet hours.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("quiet_start", "quiet_end"):
            self.fields[name].input_formats = ["%H:%M", "%H:%M:%S"]
