"""Web forms. They collect and shape input; the services validate business rules and do the writes."""
from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from concierge.core.choices import ActivityKind
from concierge.guests.choices import (
    AlertCategory,
    AlertSeverity,
    DocumentType,
    Gender,
    GuestStatus,
    Language,
    PreferenceCategory,
    SourceChannel,
)
from concierge.guests.models import Company, Guest
from concierge.properties.models import Property

INTERACTION_KINDS = (
    ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.VISIT, ActivityKind.MEETING, ActivityKind.MESSAGE,
    ActivityKind.NOTE,
)


def properties_for(user: Any) -> Any:
    """Active properties the user works at (every active property for group-wide users)."""
    qs = Property.objects.filter(is_active=True)
    ids = user.property_ids()
    return qs if ids is None else qs.filter(pk__in=ids)


def owners_for(user: Any) -> Any:
    """Active staff who can own a profile the user edits: colleagues at the user's properties."""
    qs = get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
    ids = user.property_ids()
    return qs if ids is None else qs.filter(properties__in=ids).distinct()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class GuestForm(forms.Form):
    """Guest profile fields shared by create and edit."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=200, required=False,
        help_text=_("Or type the whole name here and leave family/given name empty."),
    )
    family_name = forms.CharField(label=_("Family name"), max_length=100, required=False)
    given_name = forms.CharField(label=_("Given name"), max_length=100, required=False)
    family_name_latin = forms.CharField(label=_("Family name (Latin / pinyin)"), max_length=100, required=False)
    given_name_latin = forms.CharField(label=_("Given name (Latin / pinyin)"), max_length=100, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=DateInput())
    nationality = forms.CharField(
        label=_("Nationality"), max_length=2, required=False, help_text=_("Two-letter country code, e.g. CN, US."),
        widget=forms.TextInput(attrs={"style": "text-transform: uppercase", "maxlength": 2}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial=Language.ZH_HANS)
    phone = forms.CharField(
        label=_("Mobile / phone"), max_length=40, required=False, help_text=_("Any format: 138 0013 8000, +86…"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    address_1 = forms.CharField(label=_("Address"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    province = forms.CharField(label=_("Province / state"), max_length=100, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    country = forms.CharField(
        label=_("Country"), max_length=2, required=False,
        widget=forms.TextInput(attrs={"style": "text-transform: uppercase", "maxlength": 2}),
    )
    company = forms.ModelChoiceField(label=_("Company"), queryset=Company.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=GuestStatus.choices, initial=GuestStatus.ACTIVE)
    status_reason = forms.CharField(
        label=_("Status reason"), max_length=300, required=False,
        help_text=_("Required when the guest is marked lost or unsuitable."),
    )
    owner = forms.ModelChoiceField(label=_("Account manager"), queryset=get_user_model().objects.none(), required=False)
    source_channel = forms.ChoiceField(label=_("Source channel"), choices=SourceChannel.choices,
                                       initial=SourceChannel.DIRECT)
    tags = forms.CharField(label=_("Tags"), max_length=300, required=False,
                           help_text=_("Separate tags with commas."))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["company"].queryset = Company.objects.visible_to(user).order_by("name_zh", "name_en")
        self.fields["owner"].queryset = owners_for(user)
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*self.layout_parts())

    def layout_parts(self) -> list[Any]:
        return [
            Fieldset(
                _("Name"),
                Row(Column("family_name", css_class="col-md-3"), Column("given_name", css_class="col-md-3"),
                    Column("family_name_latin", css_class="col-md-3"),
                    Column("given_name_latin", css_class="col-md-3")),
                Field("full_name"),
            ),
            Fieldset(
                _("Personal details"),
                Row(Column("gender", css_class="col-md-3"), Column("birthday", css_class="col-md-3"),
                    Column("nationality", css_class="col-md-3"), Column("language", css_class="col-md-3")),
            ),
            Fieldset(
                _("Contact"),
                Row(Column("phone", css_class="col-md-6"), Column("email", css_class="col-md-6")),
                Row(Column("address_1", css_class="col-md-6"), Column("city", css_class="col-md-2"),
                    Column("province", css_class="col-md-2"), Column("postcode", css_class="col-md-1"),
                    Column("country", css_class="col-md-1")),
            ),
            Fieldset(
                _("Relationship"),
                Row(Column("company", css_class="col-md-6"), Column("owner", css_class="col-md-3"),
                    Column("source_channel", css_class="col-md-3")),
                Row(Column("status", css_class="col-md-3"), Column("status_reason", css_class="col-md-9")),
                Field("tags"),
                Field("notes"),
            ),
        ]

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return [t.strip() for t in raw.replace("，", ",").split(",") if t.strip()]

    def guest_values(self) -> dict[str, Any]:
        """The cleaned values the guest services accept (everything but tags, documents and property)."""
        skip = {"tags", "doc_type", "id_number", "property", "version", "duplicates_seen"}
        values = {k: v for k, v in self.cleaned_data.items() if k not in skip}
        for key in ("gender",):
            values[key] = values.get(key) or ""
        return values


class GuestCreateForm(GuestForm):
    """New profile: also the holding property and an optional first ID document."""

    property = forms.ModelChoiceField(label=_("Property"), queryset=Property.objects.none(), empty_label=None)
    doc_type = forms.ChoiceField(
        label=_("ID document type"), choices=[("", "—")] + list(DocumentType.choices), required=False,
        initial=DocumentType.CN_RESIDENT_ID,
    )
    id_number = forms.CharField(label=_("ID number"), max_length=40, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    # Ids of the likely existing profiles the user was shown; "Create anyway" only goes through for these.
    duplicates_seen = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = ["property"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["property"].queryset = properties_for(user)

    def layout_parts(self) -> list[Any]:
        parts = super().layout_parts()
        parts.insert(0, Row(Column("property", css_class="col-md-6")))
        parts.insert(3, Fieldset(
            _("Identity document"),
            Row(Column("doc_type", css_class="col-md-4"), Column("id_number", css_class="col-md-8")),
        ))
        return parts

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("id_number") and not cleaned.get("doc_type"):
            self.add_error("doc_type", _("Choose the document type."))
        return cleaned

    def id_documents(self) -> list[dict[str, str]]:
        number = (self.cleaned_data.get("id_number") or "").strip()
        if not number:
            return []
        return [{"doc_type": self.cleaned_data["doc_type"], "number": number}]

    def clean_duplicates_seen(self) -> set[int]:
        raw = self.cleaned_data.get("duplicates_seen") or ""
        return {int(part) for part in raw.split(",") if part.strip().isdigit()}

    def duplicate_check_values(self) -> dict[str, Any]:
        """What the create-time duplicate check compares: the profile values and the ID document."""
        values = self.guest_values()
        values["id_number"] = self.cleaned_data.get("id_number") or ""
        values["id_type"] = self.cleaned_data.get("doc_type") or ""
        return values


class GuestEditForm(GuestForm):
    """Edit an existing profile; `version` detects a concurrent edit."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["full_name"]  # the name parts are already filled in
        # guest_tags_set only adds tags (there is no tag-removal service yet), so the edit form says so.
        self.fields["tags"].label = _("Add tags")
        existing = self.initial.get("existing_tags")
        if existing:
            self.fields["tags"].help_text = _("Separate tags with commas. Current tags: %(tags)s") % {"tags": existing}

    def layout_parts(self) -> list[Any]:
        parts = super().layout_parts()
        parts[0] = Fieldset(parts[0].legend, parts[0].fields[0])
        parts.append(Field("version"))
        return parts

    @classmethod
    def initial_for(cls, guest: Guest) -> dict[str, Any]:
        from concierge.core.phones import format_phone

        initial = {name: getattr(guest, name) for name in (
            "family_name", "given_name", "family_name_latin", "given_name_latin", "gender", "birthday",
            "nationality", "language", "email", "address_1", "city", "province", "postcode", "country",
            "status", "status_reason", "source_channel", "notes", "version",
        )}
        initial.update(phone=format_phone(guest.phone), company=guest.company_id, owner=guest.owner_id,
                       existing_tags=", ".join(t.name for t in guest.tags.all()))
        return initial


class PreferenceForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=PreferenceCategory.choices)
    value = forms.CharField(label=_("Preference"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("e.g. high floor, feather-free pillow")}))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    stay = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AlertForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=AlertSeverity.choices, initial=AlertSeverity.WARNING)
    category = forms.ChoiceField(label=_("Category"), choices=AlertCategory.choices, initial=AlertCategory.OTHER)
    text = forms.CharField(label=_("What staff must know"), max_length=500)


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"), choices=[(k.value, k.label) for k in INTERACTION_KINDS], initial=ActivityKind.CALL,
    )
    summary = forms.CharField(label=_("Summary"), max_length=300)
    body = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
