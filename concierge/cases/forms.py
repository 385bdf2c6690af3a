"""Web forms of the service centre. They collect and shape input; the services check the business rules."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.cases.choices import (
    ArticleStatus,
    CaseChannel,
    CaseType,
    CompensationType,
    Department,
    GuestToldVia,
    LostItemCategory,
    Priority,
    ResponseChannel,
    Severity,
)
from concierge.cases.models import ArticleCategory, RootCause
from concierge.guests.choices import Language
from concierge.properties.models import Property


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def user_properties(user: Any) -> QuerySet:
    """Active properties the user works at (all of them for group-wide users)."""
    qs = Property.objects.filter(is_active=True)
    ids = user.property_ids()
    return qs if ids is None else qs.filter(pk__in=ids)


def staff_at(property_ids: list[int] | None) -> QuerySet:
    """Active users who work at any of these properties (or everywhere)."""
    from django.db.models import Q

    qs = get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
    if property_ids is None:
        return qs
    return qs.filter(Q(properties__in=property_ids) | Q(all_properties=True) | Q(is_superuser=True)
                     | Q(role__in=["admin", "manager", "marketing"])).distinct()


class PropertyChoiceMixin:
    """Offer only the user's properties, and drop the field when there is just one."""

    def _setup_property(self, user: Any, initial: Any = None) -> None:
        properties = user_properties(user)
        field = self.fields["property"]  # type: ignore[attr-defined]
        field.queryset = properties
        if len(properties[:2]) == 1:
            field.initial = properties[0]
            field.widget = forms.HiddenInput()
        elif initial is not None:
            field.initial = initial


class CaseForm(PropertyChoiceMixin, forms.Form):
    """Open or edit a case."""

    property = forms.ModelChoiceField(queryset=Property.objects.none(), label=_("Property"))
    case_type = forms.ChoiceField(label=_("Type"), choices=CaseType.choices, initial=CaseType.COMPLAINT)
    subject = forms.CharField(label=_("Subject"), max_length=200, widget=forms.TextInput(
        attrs={"placeholder": _("e.g. Air conditioner noisy in room 1203")}))
    description = forms.CharField(label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    department = forms.ChoiceField(label=_("Department"), choices=Department.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=CaseChannel.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MODERATE)
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label=_("Handled by"), required=False,
                                   empty_label=_("Unassigned"))
    stay = forms.TypedChoiceField(label=_("Stay"), required=False, coerce=int, empty_value=None)
    guest = forms.IntegerField(required=False, widget=forms.HiddenInput)
    company = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, stays: list[Any] = (), editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_property(user)
        self.fields["owner"].queryset = staff_at(user.property_ids())
        self.fields["stay"].choices = [("", _("No stay"))] + [
            (s.pk, f"{s.property.code} {s.arrival:%Y-%m-%d}–{s.departure:%Y-%m-%d} · {s.room_number or '—'}")
            for s in stays
        ]
        if editing:
            del self.fields["owner"]
            self.fields["property"].disabled = True


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label=_("Handled by"))

    def __init__(self, *args: Any, property_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_at([property_id])


class TransitionForm(forms.Form):
    status = forms.CharField(max_length=12, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class RespondForm(forms.Form):
    channel = forms.ChoiceField(label=_("How"), choices=ResponseChannel.choices, initial=ResponseChannel.PHONE)
    note = forms.CharField(label=_("What you told the guest"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Internal note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("What was done. Internal; becomes the knowledge-base text if promoted."))
    root_cause = forms.ModelChoiceField(queryset=RootCause.objects.filter(is_active=True), label=_("Root cause"),
                                        required=False)
    compensation_type = forms.ChoiceField(label=_("Compensation"), choices=CompensationType.choices, required=False)
    compensation_amount = forms.DecimalField(label=_("Amount"), required=False, min_value=0, max_digits=12,
                                             decimal_places=2)
    guest_told_via = forms.ChoiceField(label=_("Tell the guest"), choices=GuestToldVia.choices)
    guest_message = forms.CharField(
        label=_("Personal message to the guest"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Added to the email in the guest's language template; write it in their language."))
    alert_text = forms.CharField(label=_("Alert for the next stay"), required=False, max_length=500,
                                 help_text=_("Shown at check-in. Leave empty for the suggested text."))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why reopen"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class GuestToldForm(forms.Form):
    via = forms.ChoiceField(label=_("How"), choices=[c for c in GuestToldVia.choices if c[0] != GuestToldVia.NOT_TOLD])
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class ArticleForm(PropertyChoiceMixin, forms.Form):
    """An article with its Chinese and English versions side by side."""

    category = forms.ModelChoiceField(queryset=ArticleCategory.objects.all(), label=_("Category"))
    property = forms.ModelChoiceField(queryset=Property.objects.none(), label=_("Property"), required=False,
                                      empty_label=_("All hotels of the group"))
    status = forms.ChoiceField(label=_("Status"), choices=ArticleStatus.choices, initial=ArticleStatus.DRAFT)
    is_public = forms.BooleanField(label=_("Public FAQ (shown without login)"), required=False)
    department = forms.ChoiceField(label=_("Department"), choices=[("", "—"), *Department.choices], required=False)
    root_cause = forms.ModelChoiceField(queryset=RootCause.objects.filter(is_active=True), label=_("Root cause"),
                                        required=False)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Comma-separated."))
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200, required=False)
    body_zh = forms.CharField(label=_("Text (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 10}))
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    body_en = forms.CharField(label=_("Text (English)"), required=False, widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = user_properties(user)
        if user.property_ids() is not None:
            # Only group-wide staff write group-wide articles.
            self.fields["property"].required = True
            self.fields["property"].empty_label = None

    def translations(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {Language.ZH_HANS.value: (data["title_zh"], data["body_zh"]),
                Language.EN.value: (data["title_en"], data["body_en"])}

    def tag_names(self) -> list[str]:
        return [t.strip() for t in (self.cleaned_data.get("tags") or "").replace("，", ",").split(",") if t.strip()]

    def article_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in ("property", "status", "is_public", "department", "root_cause")}


class KbSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100, widget=forms.TextInput(
        attrs={"placeholder": _("e.g. 空调噪音, parking, breakfast time"), "autocomplete": "off"}))
    category = forms.ModelChoiceField(queryset=ArticleCategory.objects.all(), required=False, label=_("Category"),
                                      empty_label=_("Any category"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Published")),
                                        *[c for c in ArticleStatus.choices if c[0] != "published"]])


class LostItemForm(PropertyChoiceMixin, forms.Form):
    property = forms.ModelChoiceField(queryset=Property.objects.none(), label=_("Property"))
    found_on = forms.DateField(label=_("Found on"), widget=DateInput(), initial=timezone.localdate)
    room_number = forms.CharField(label=_("Room"), max_length=20, required=False)
    found_place = forms.CharField(label=_("Found where (if not in a room)"), max_length=120, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=LostItemCategory.choices)
    description = forms.CharField(label=_("Description"), max_length=300)
    storage_location = forms.CharField(label=_("Stored at"), max_length=120,
                                       widget=forms.TextInput(attrs={"placeholder": _("e.g. HK office, shelf B3")}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_property(user)


class LostReturnForm(forms.Form):
    returned_on = forms.DateField(label=_("Returned on"), widget=DateInput(), initial=timezone.localdate)
    returned_to = forms.CharField(label=_("Returned to / how"), max_length=200,
                                  widget=forms.TextInput(attrs={
                                      "placeholder": _("e.g. Handed to guest at front desk; SF Express 123…")}))


class LostDisposeForm(forms.Form):
    disposed_on = forms.DateField(label=_("Disposed on"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("How"), max_length=200, required=False)


class QuickGuestForm(PropertyChoiceMixin, forms.Form):
    """Screen pop for an unknown number: create the caller's profile with the number filled in."""

    property = forms.ModelChoiceField(queryset=Property.objects.none(), label=_("Property"))
    full_name = forms.CharField(label=_("Name"), max_length=200, help_text=_("张伟, or Wei Zhang"))
    phone = forms.CharField(label=_("Phone"), max_length=40)
    email = forms.EmailField(label=_("Email"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial=Language.ZH_HANS)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_property(user)


class MetricsForm(forms.Form):
    group_by = forms.ChoiceField(label=_("Group by"), required=False, initial="month", choices=[
        ("month", _("Month")), ("property", _("Property")), ("department", _("Department")), ("case_type", _("Type"))])
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    case_type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Any type")), *CaseType.choices])

    def period(self) -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or (date_to.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
        return date_from, date_to
