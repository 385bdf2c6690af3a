"""Forms of the duplicate screens: the review-queue filters, the field-by-field merge choice, the thresholds."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.dedupe.choices import CandidateStatus, FieldChoice
from concierge.dedupe.models import DedupeSettings
from concierge.web.forms import properties_for


class DuplicateQueueFilterForm(forms.Form):
    """Filters of the review queue. Scores are typed as percentages (the queue shows them that way)."""

    status = forms.ChoiceField(label=_("Status"), choices=CandidateStatus.choices, required=False,
                               initial=CandidateStatus.OPEN)
    min_score = forms.IntegerField(label=_("Score from (%)"), min_value=0, max_value=100, required=False)
    max_score = forms.IntegerField(label=_("to (%)"), min_value=0, max_value=100, required=False)
    property = forms.ModelChoiceField(label=_("Property"), queryset=None, required=False,
                                      empty_label=_("All properties"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = properties_for(user).order_by("code")
        for bound in self:
            select = isinstance(bound.field.widget, forms.Select)
            bound.field.widget.attrs.setdefault("class", "form-select form-select-sm" if select
                                                else "form-control form-control-sm")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        low, high = cleaned.get("min_score"), cleaned.get("max_score")
        if low is not None and high is not None and low > high:
            self.add_error("max_score", _("The upper bound is below the lower one."))
        return cleaned

    def queue_filters(self) -> dict[str, Any]:
        """Keyword arguments for `dedupe.selectors.review_queue` (defaults when the form is invalid)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        low, high = data.get("min_score"), data.get("max_score")
        return {
            "status": data.get("status") or CandidateStatus.OPEN,
            "min_score": low / 100 if low is not None else None,
            "max_score": high / 100 if high is not None else None,
            "property_id": data["property"].pk if data.get("property") else None,
        }


class MergeForm(forms.Form):
    """One radio choice per field group that differs; the versions guard against an edit made meanwhile."""

    survivor = forms.IntegerField(widget=forms.HiddenInput)
    survivor_version = forms.IntegerField(widget=forms.HiddenInput)
    merged_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, groups: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for group in groups:
            self.fields[f"keep_{group}"] = forms.ChoiceField(
                choices=[(FieldChoice.SURVIVOR.value, _("surviving profile")),
                         (FieldChoice.MERGED.value, _("merged profile"))],
                widget=forms.RadioSelect,
            )

    def group_choices(self) -> dict[str, str]:
        return {name.removeprefix("keep_"): value for name, value in self.cleaned_data.items()
                if name.startswith("keep_")}


class DedupeSettingsForm(forms.Form):
    """The finder's thresholds as percentages; stored as 0–1 decimals."""

    review_threshold = forms.DecimalField(
        label=_("Review threshold (%)"), min_value=0, max_value=100, decimal_places=1,
        help_text=_("Pairs scoring at least this much go to the review queue and the create-time warning."),
    )
    auto_merge_threshold = forms.DecimalField(
        label=_("Auto-merge threshold (%)"), min_value=0, max_value=100, decimal_places=1, required=False,
        help_text=_("Pairs scoring at least this much are merged by the finder without review. Empty = never."),
    )
    max_block_size = forms.IntegerField(
        label=_("Largest block compared"), min_value=2, max_value=1000,
        help_text=_("Groups of profiles sharing one key larger than this are skipped (a shared office phone)."),
    )

    @classmethod
    def initial_for(cls, config: DedupeSettings) -> dict[str, Any]:
        auto = config.auto_merge_threshold
        return {
            "review_threshold": (config.review_threshold * 100).normalize(),
            "auto_merge_threshold": (auto * 100).normalize() if auto is not None else None,
            "max_block_size": config.max_block_size,
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        review, auto = cleaned.get("review_threshold"), cleaned.get("auto_merge_threshold")
        if review is not None and auto is not None and auto < review:
            self.add_error("auto_merge_threshold", _("The auto-merge threshold cannot be below the review threshold."))
        return cleaned

    def service_values(self) -> dict[str, Any]:
        auto = self.cleaned_data.get("auto_merge_threshold")
        return {
            "review_threshold": (self.cleaned_data["review_threshold"] / 100).quantize(Decimal("0.001")),
            "auto_merge_threshold": (auto / 100).quantize(Decimal("0.001")) if auto is not None else None,
            "max_block_size": self.cleaned_data["max_block_size"],
        }
