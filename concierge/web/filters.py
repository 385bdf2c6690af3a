"""Guest list filtering for the web list (until/unless guests.filters provides a shared FilterSet)."""
from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from concierge.guests.choices import GuestStatus
from concierge.guests.models import Guest, Tag
from concierge.guests.selectors import recognition_search
from concierge.web.forms import owners_for, properties_for


class GuestListFilter(django_filters.FilterSet):
    """Search box + status, property, owner, tag and nationality. Choices are limited to what the user sees."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search"),
                                  widget=forms.TextInput(attrs={"placeholder": _("Name, phone, ID, email…")}))
    status = django_filters.ChoiceFilter(choices=GuestStatus.choices, label=_("Status"), empty_label=_("Any status"))
    property = django_filters.ModelChoiceFilter(
        field_name="property_links__property", queryset=None, label=_("Property"), empty_label=_("Any property"),
        distinct=True,
    )
    owner = django_filters.ModelChoiceFilter(queryset=None, label=_("Account manager"), empty_label=_("Any owner"))
    tag = django_filters.ModelChoiceFilter(field_name="tags", queryset=Tag.objects.all(), label=_("Tag"),
                                           empty_label=_("Any tag"), distinct=True)
    nationality = django_filters.CharFilter(method="filter_nationality", label=_("Nationality"),
                                            widget=forms.TextInput(attrs={"placeholder": "CN", "maxlength": 2}))

    class Meta:
        model = Guest
        fields = ["q", "status", "property", "owner", "tag", "nationality"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.filters["property"].queryset = properties_for(user)
        self.filters["owner"].queryset = owners_for(user)
        self.filters["owner"].field.label_from_instance = lambda u: u.get_full_name() or u.username

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return queryset
        ids = [hit.id for hit in recognition_search(user=self.user, query=value, limit=200) if hit.kind == "guest"]
        return queryset.filter(pk__in=ids)

    def filter_nationality(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip().upper()
        return queryset.filter(nationality=value) if value else queryset
