"""Forms of the survey pages: the builder, sending, results filters, and the guest's answer form."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.guests.choices import Language, PreferenceCategory
from concierge.guests.filters import properties_for
from concierge.guests.models import Company
from concierge.surveys.choices import SCORED_KINDS, Department, QuestionKind
from concierge.surveys.models import Question, Survey, SurveyMarker
from concierge.surveys.services.answering import answers_clean
from concierge.surveys.services.building import SURVEY_FIELDS

BILINGUAL_TEXTAREA = {"rows": 2}


class SurveyForm(forms.ModelForm):
    """Settings and guest-facing texts of a survey, in both languages."""

    class Meta:
        model = Survey
        fields = SURVEY_FIELDS
        widgets = {
            "intro_zh": forms.Textarea(attrs={"rows": 3}), "intro_en": forms.Textarea(attrs={"rows": 3}),
            "thanks_zh": forms.Textarea(attrs=BILINGUAL_TEXTAREA),
            "thanks_en": forms.Textarea(attrs=BILINGUAL_TEXTAREA),
            "email_body_zh": forms.Textarea(attrs={"rows": 5}), "email_body_en": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = properties_for(user)
        self.fields["property"].required = not user.sees_all_properties
        if self.fields["property"].required:
            self.fields["property"].help_text = ""

    def _post_clean(self) -> None:
        # The service validates the model (and the property rule); skip ModelForm's own full_clean.
        pass


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ("kind", "text_zh", "text_en", "help_zh", "help_en", "department", "required", "depends_on",
                  "depends_operator", "depends_value")

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = survey.questions.filter(is_active=True, kind__in=SCORED_KINDS).order_by("position", "id")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk).filter(position__lte=self.instance.position)
        self.fields["depends_on"].queryset = parents
        self.fields["depends_on"].label_from_instance = lambda q: f"{q.position}. {q}"
        self.fields["depends_on"].required = False
        self.fields["department"].required = False
        self.fields["depends_value"].widget.attrs.update({"min": 0, "max": 10})
        for name in ("help_zh", "help_en"):
            self.fields[name].required = False

    def _post_clean(self) -> None:
        pass


class ChoiceForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label_zh = forms.CharField(label=_("Option (Chinese)"), max_length=200, required=False)
    label_en = forms.CharField(label=_("Option (English)"), max_length=200, required=False)
    is_negative = forms.BooleanField(label=_("Negative"), required=False)


ChoiceFormSet = forms.formset_factory(ChoiceForm, extra=3, max_num=20)


class TriggerForm(forms.Form):
    property = forms.ModelChoiceField(label=_("Property"), queryset=None)  # type: ignore[arg-type]
    delay_hours = forms.IntegerField(label=_("Hours after checkout"), min_value=0, max_value=336, initial=24)
    cooldown_days = forms.IntegerField(label=_("Skip guests surveyed in the last (days)"), min_value=0,
                                       max_value=3650, initial=90)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        properties = properties_for(user)
        if survey.property_id:
            properties = properties.filter(pk=survey.property_id)
        self.fields["property"].queryset = properties
        self.fields["property"].widget.attrs["class"] = "form-select form-select-sm"
        for name in ("delay_hours", "cooldown_days"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["is_active"].widget.attrs["class"] = "form-check-input"


class AudienceForm(forms.Form):
    """Who a periodic survey goes to; stored as the run's audience (segments will be another choice here)."""

    label = forms.CharField(label=_("Label"), max_length=200, required=False)
    property = forms.ModelChoiceField(label=_("Guests of property"), queryset=None, required=False)  # type: ignore[arg-type]
    stayed_within_days = forms.IntegerField(label=_("Stayed in the last (days)"), min_value=1, max_value=3650,
                                            required=False)
    company = forms.ModelChoiceField(label=_("Company (its staff and travellers)"), queryset=None,  # type: ignore[arg-type]
                                     required=False)
    tag = forms.CharField(label=_("Tag"), max_length=60, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=[("", "—"), *Language.choices], required=False)
    cooldown_days = forms.IntegerField(label=_("Skip guests surveyed in the last (days)"), min_value=0,
                                       max_value=3650, initial=90)
    scheduled_for = forms.DateTimeField(label=_("Send at"), required=False,
                                        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                        help_text=_("Empty: now."))
    repeat_days = forms.IntegerField(label=_("Repeat every (days)"), min_value=7, max_value=3650, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = properties_for(user)
        self.fields["company"].queryset = Company.objects.visible_to(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any(data.get(k) for k in ("property", "stayed_within_days", "company", "tag")):
            raise forms.ValidationError(_("Narrow the audience: choose a property, a company, a tag or a period."))
        return data

    def audience(self) -> dict[str, Any]:
        data = self.cleaned_data
        audience: dict[str, Any] = {}
        if data.get("property"):
            audience["property"] = data["property"].pk
        if data.get("company"):
            audience["company_ids"] = [data["company"].pk]
        for key in ("stayed_within_days", "tag", "language"):
            if data.get(key):
                audience[key] = data[key]
        return audience


class ResultsFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    property = forms.ModelChoiceField(label=_("Property"), queryset=None, required=False)  # type: ignore[arg-type]
    marker = forms.ModelChoiceField(label=_("Compare around"), queryset=None, required=False)  # type: ignore[arg-type]
    pivot = forms.DateField(label=_("or a date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    window_days = forms.IntegerField(label=_("Days before/after"), min_value=7, max_value=730, required=False)
    department = forms.ChoiceField(label=_("Department"), choices=[("", "—"), *Department.choices], required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = properties_for(user)
        self.fields["marker"].queryset = SurveyMarker.objects.visible_to(user).order_by("-date")

    def period(self) -> tuple[dt.date, dt.date]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        today = timezone.localdate()
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or (date_to.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
        if date_from > date_to:
            date_from, date_to = date_to, date_from
        return date_from, date_to


class MarkerForm(forms.ModelForm):
    class Meta:
        model = SurveyMarker
        fields = ("label", "date", "department", "property")
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = properties_for(user)
        self.fields["property"].required = not user.sees_all_properties

    def _post_clean(self) -> None:
        pass


class PreferenceFromAnswerForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=PreferenceCategory.choices)
    value = forms.CharField(label=_("Preference"), max_length=200)


# --- the guest's answer form -------------------------------------------------------------------------------------


class AnswerForm(forms.Form):
    """One field per question (`q<id>`), labels in the guest's language. Conditions and "required" are
    decided by `answers_clean`, the same rules the service applies, so a follow-up whose condition does
    not hold is never required and never kept."""

    def __init__(self, *args: Any, questions: list[Question], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.language = language
        for question in questions:
            self.fields[f"q{question.pk}"] = self._field(question)

    def _field(self, question: Question) -> forms.Field:
        label = question.text_in(self.language)
        help_text = question.help_in(self.language)
        if question.kind in SCORED_KINDS:
            low, high = question.score_range  # type: ignore[misc]
            return forms.TypedChoiceField(label=label, help_text=help_text, required=False, coerce=int,
                                          empty_value=None, choices=[(s, str(s)) for s in range(low, high + 1)],
                                          widget=forms.RadioSelect)
        if question.kind == QuestionKind.SINGLE:
            return forms.TypedChoiceField(label=label, help_text=help_text, required=False, coerce=int,
                                          empty_value=None, widget=forms.RadioSelect,
                                          choices=[(c.pk, c.label_in(self.language)) for c in question.choices.all()])
        if question.kind == QuestionKind.MULTIPLE:
            return forms.TypedMultipleChoiceField(
                label=label, help_text=help_text, required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
                choices=[(c.pk, c.label_in(self.language)) for c in question.choices.all()])
        return forms.CharField(label=label, help_text=help_text, required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        values = {q.pk: data.get(f"q{q.pk}") for q in self.questions}
        clean, errors = answers_clean(self.questions, values)
        for pk, message in errors.items():
            if f"q{pk}" not in self.errors:
                self.add_error(f"q{pk}", message)
        data["answers"] = clean
        return data

    def items(self) -> list[dict[str, Any]]:
        """Questions with their bound fields and condition, for the template."""
        return [{
            "question": q, "field": self[f"q{q.pk}"], "kind": q.kind,
            "scale": q.score_range, "depends_on": q.depends_on_id,
            "condition": (q.depends_operator, q.depends_value) if q.depends_on_id else None,
        } for q in self.questions]

