"""Forms of the import page: the upload (with its options) and the column mapping."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.guests.filters import properties_for
from concierge.imports.choices import ImportKind, MatchMode
from concierge.imports.services import DEFAULT_SOURCE, MAX_UPLOAD_BYTES


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("CSV (UTF-8 or GBK, as Excel saves it) or .xlsx"))
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    source = forms.CharField(
        label=_("Source"), max_length=60, initial=DEFAULT_SOURCE,
        help_text=_("Name of the system the file comes from (e.g. “Opera PMS”). Importing the same source again "
                    "updates the rows it created instead of adding them twice."),
    )
    match_mode = forms.ChoiceField(label=_("Existing profiles"), choices=MatchMode.choices, initial=MatchMode.LINK,
                                   widget=forms.RadioSelect)
    property = forms.ModelChoiceField(
        label=_("Property"), queryset=None, required=False,
        help_text=_("The hotel whose guest list the imported profiles join."),
    )
    campaign_tag = forms.CharField(label=_("Campaign tag"), max_length=60, required=False,
                                   help_text=_("Required for leads; added to every imported profile."))
    create_properties = forms.BooleanField(label=_("Create unknown property codes"), required=False)
    all_or_nothing = forms.BooleanField(label=_("Import nothing if any row is rejected"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["property"].queryset = properties_for(user)
        if user.property_ids() is not None:
            self.fields["property"].required = True
            self.fields.pop("create_properties")  # only group-wide users may add hotels

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)s MB."),
                                        params={"mb": MAX_UPLOAD_BYTES // 2**20})
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == ImportKind.LEADS and not (data.get("campaign_tag") or "").strip():
            self.add_error("campaign_tag", _("Leads need a campaign tag (for example “ITB 2026”)."))
        return data


class MappingForm(forms.Form):
    """One select per file column: the canonical field it feeds, or "ignore"."""

    def __init__(self, *args: Any, headers: list[str], choices: list[str], initial_mapping: dict[str, str],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        options = [("", _("— ignore —"))] + [(c, c) for c in choices]
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header, choices=options, required=False, initial=initial_mapping.get(header, ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data.get(f"col_{i}", "") for i, header in enumerate(self.headers)}
