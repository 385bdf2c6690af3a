"""Forms and list filters for the company, contact and stay pages.

The forms only validate input; the views pass `cleaned_data` to the domain services
(`company_create`, `contact_create`, `stay_create`, ...), which own the business rules.
The FilterSets are local until the shared ones in `guests/filters.py` and `stays/filters.py` exist.
"""
from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from concierge.accounts.choices import GROUP_WIDE_ROLES
from concierge.core.choices import ActivityKind
from concierge.core.phones import format_phone
from concierge.guests import filters as shared_filters
from concierge.guests.choices import CompanyStatus, SourceChannel
from concierge.guests.models import Company, Contact, Guest, Industry
from concierge.properties.models import Property
from concierge.stays import filters as stay_filters
from concierge.stays.choices import MarketSegment, StayStatus
from concierge.stays.models import Product, Stay

# Kinds a user may log by hand on a company timeline (stays and profile changes are written by services).
LOGGABLE_KINDS = (
    ActivityKind.CALL, ActivityKind.VISIT, ActivityKind.EMAIL, ActivityKind.MEETING, ActivityKind.MESSAGE,
    ActivityKind.NOTE,
)


class NativeDateInput(forms.DateInput):
    """<input type="date">: the browser's date picker, ISO values."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateRangeInput(django_filters.widgets.DateRangeWidget):
    """`<name>_after` / `<name>_before` as two native date inputs."""

    template_name = "django/forms/widgets/multiwidget.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        django_filters.widgets.SuffixedMultiWidget.__init__(self, (NativeDateInput, NativeDateInput), attrs)

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> str:
        inputs = super().render(name, value, attrs, renderer)
        return format_html('<div class="input-group input-group-sm flex-nowrap">{}</div>', inputs)


DATE_INPUT = NativeDateInput()


def visible_properties(user: Any) -> QuerySet:
    """Properties the user works at (all active ones for group-wide roles)."""
    ids = user.property_ids()
    qs = Property.objects.filter(is_active=True)
    return qs if ids is None else qs.filter(id__in=ids)


def staff_choices(user: Any) -> QuerySet:
    """Staff who may own an account: colleagues at the user's properties and group-wide staff."""
    qs = get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")
    ids = user.property_ids()
    if ids is None:
        return qs
    return qs.filter(Q(properties__in=ids) | Q(role__in=GROUP_WIDE_ROLES) | Q(all_properties=True)).distinct()


# --- companies ---------------------------------------------------------------------------------------------


class CompanyForm(forms.ModelForm):
    """Company fields for create and edit. `version` carries the optimistic lock on edit."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    homepage = forms.URLField(label=_("Homepage"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Company
        fields = [
            "name_zh", "name_en", "account_number", "industry", "channel", "status", "status_reason", "owner",
            "parent", "country", "province", "city", "address", "postcode", "phone", "fax", "email", "homepage",
            "payment_method", "contact_frequency_days", "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_choices(user)
        parents = Company.objects.visible_to(user)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["industry"].queryset = Industry.objects.all()
        self.fields["status_reason"].help_text = _("Required when the company is lost or unsuitable.")
        self.fields["phone"].help_text = _("Any format, e.g. 021 6321 8888 or +86 21 6321 8888.")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True  # an edit always carries the version it started from
            # Show stored E.164 numbers the way people write them; the service normalises them again.
            self.initial["phone"] = format_phone(self.instance.phone)
            self.initial["fax"] = format_phone(self.instance.fax)

    def service_values(self) -> dict[str, Any]:
        """Field values for company_create / company_update (no version, no create-only fields)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CompanyCreateForm(CompanyForm):
    """On create the company must be linked to at least one property, or nobody at a hotel could see it."""

    properties = forms.ModelMultipleChoiceField(
        label=_("Properties"), queryset=Property.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("Hotels that serve this company; their staff can see it."),
    )
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Comma separated."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        props = visible_properties(user)
        self.fields["properties"].queryset = props
        if user.property_ids() is not None:
            self.fields["properties"].initial = list(props.values_list("pk", flat=True))

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return [t.strip() for t in raw.replace("，", ",").split(",") if t.strip()]


# --- contacts ----------------------------------------------------------------------------------------------


class ContactForm(forms.ModelForm):
    """A company contact. `save_anyway` confirms a contact whose phone or email is already known."""

    save_anyway = forms.BooleanField(label=_("Save anyway"), required=False)
    link_guest = forms.ModelChoiceField(
        label=_("This contact is the guest"), queryset=Guest.objects.none(), required=False,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Contact
        fields = [
            "name", "name_latin", "position", "department", "phone", "email", "birthday", "is_decision_maker",
            "notes",
        ]
        widgets = {"birthday": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["link_guest"].queryset = Guest.objects.visible_to(user).live()
        if self.instance.pk:
            self.initial["phone"] = format_phone(self.instance.phone)

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ContactEditForm(ContactForm):
    """Edit a contact; the hidden `version` (the one the form was drawn from) detects a concurrent edit."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta(ContactForm.Meta):
        fields = ContactForm.Meta.fields + ["is_active"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["version"].initial = self.instance.version


# --- timeline ----------------------------------------------------------------------------------------------


class InteractionForm(forms.Form):
    """Log a call, visit, email, meeting, message or note on a company's shared timeline."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(k.value, k.label) for k in LOGGABLE_KINDS], initial=ActivityKind.CALL,
    )
    summary = forms.CharField(label=_("Summary"), max_length=300)
    body = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # Newest contact entry the user saw when the form was drawn: a newer one means a colleague got there first.
    # Submitting again after the warning (with the newer id) logs it: the user has now seen the other contact.
    seen_contact = forms.IntegerField(required=False, widget=forms.HiddenInput)


# --- stays -------------------------------------------------------------------------------------------------

STAY_FORM_FIELDS = [
    "company", "arrival", "departure", "room_nights", "room_type", "room_number", "rate_code", "adr",
    "room_revenue", "fnb_revenue", "other_revenue", "currency", "channel", "market_segment", "status", "adults",
    "children",
]
OPTIONAL_NUMBERS = ("room_nights", "adr", "room_revenue", "fnb_revenue", "other_revenue")


class StayForm(forms.ModelForm):
    """Stay fields that stay_update accepts. Empty amounts mean zero; empty nights are computed."""

    class Meta:
        model = Stay
        fields = STAY_FORM_FIELDS
        widgets = {"arrival": DATE_INPUT, "departure": DATE_INPUT}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.visible_to(user)
        for name in OPTIONAL_NUMBERS:
            self.fields[name].required = False
        self.fields["currency"].required = False
        self.fields["room_nights"].help_text = _("Leave empty to count the nights between arrival and departure.")
        self.fields["adr"].help_text = _("Leave empty to derive it from room revenue.")
        self.fields["currency"].widget.attrs["placeholder"] = _("Auto")
        self.fields["currency"].help_text = _("Empty: the property's currency.")
        if not self.instance.pk:
            for name in (*OPTIONAL_NUMBERS, "currency"):
                self.initial[name] = None  # empty means "work it out" (see the help texts), not the model default

    def service_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in STAY_FORM_FIELDS}
        for name in OPTIONAL_NUMBERS:
            if values[name] in (None, ""):
                values[name] = 0
        if not values["currency"]:
            values.pop("currency")
        return values


class StayCreateForm(StayForm):
    """Create adds the guest, the property and packages; the guest comes pre-selected from ?guest=."""

    guest = forms.ModelChoiceField(label=_("Guest"), queryset=Guest.objects.none(), widget=forms.HiddenInput)
    property = forms.ModelChoiceField(label=_("Property"), queryset=Property.objects.none())
    products = forms.ModelMultipleChoiceField(
        label=_("Included in this stay"), queryset=Product.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    field_order = ["guest", "property"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["guest"].queryset = Guest.objects.visible_to(user).live()
        props = visible_properties(user)
        self.fields["property"].queryset = props
        if len(props) == 1:
            self.fields["property"].initial = props[0].pk
        self.fields["products"].queryset = Product.objects.filter(is_active=True)
        self.fields["status"].initial = StayStatus.RESERVED


class StayStatusForm(forms.Form):
    status = forms.ChoiceField(choices=StayStatus.choices)


# --- list filters ------------------------------------------------------------------------------------------
#
# The web lists extend the shared FilterSets (guests/filters.py, stays/filters.py) so the pages and the API
# agree on parameter names and meaning. The web adds a plain substring search box (`q`), single-choice
# selects where the API takes several values, and labels/widgets for the filter bar.

ANY_YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


def _owners(request: Any) -> QuerySet:
    return staff_choices(request.user) if request else get_user_model().objects.none()


def _order_filters(filterset: django_filters.FilterSet, order: list[str]) -> None:
    """Filter-bar order (inherited filters would otherwise come first)."""
    first = {name: filterset.filters[name] for name in order if name in filterset.filters}
    filterset.filters = {**first, **{k: v for k, v in filterset.filters.items() if k not in first}}
    filterset.form.order_fields(list(filterset.filters))


def _drop_single_property(filterset: django_filters.FilterSet) -> None:
    """A user at one hotel has nothing to choose between: hide the property filter."""
    ids = filterset.request.user.property_ids() if filterset.request else None
    if ids is not None and len(ids) <= 1:
        del filterset.filters["property"]


class CompanyListFilter(shared_filters.CompanyFilterSet):
    """Company list filters: industry, province, status, owner, channel (+ property, tag) and a search box."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q", widget=forms.TextInput(
        attrs={"placeholder": _("Name, account no., city")}))
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.all(), to_field_name="code", label=_("Industry"), empty_label=_("Any industry"),
    )
    province = django_filters.ChoiceFilter(label=_("Province"), choices=(), empty_label=_("Any province"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CompanyStatus.choices, empty_label=_("Any status"))
    owner = django_filters.ModelChoiceFilter(label=_("Account manager"), queryset=_owners, empty_label=_("Anyone"))
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=SourceChannel.choices, empty_label=_("Any channel"),
    )
    property = django_filters.ModelChoiceFilter(
        queryset=shared_filters.request_properties, method="filter_property", label=_("Property"),
        empty_label=_("Any property"),
    )

    class Meta(shared_filters.CompanyFilterSet.Meta):
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.filters["search"]  # the ranked recognition search lives on the search page; lists use `q`
        _drop_single_property(self)
        # The province list comes from the companies this user can see, one DISTINCT query.
        provinces = (
            self.queryset.exclude(province="").order_by("province").values_list("province", flat=True).distinct()
        )
        self.filters["province"].extra["choices"] = [(p, p) for p in provinces]
        _order_filters(self, ["q", "industry", "province", "status", "owner", "channel", "property"])

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name_zh__icontains=value) | Q(name_en__icontains=value) | Q(account_number__icontains=value)
            | Q(city__icontains=value)
        )


class ContactListFilter(shared_filters.ContactFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", widget=forms.TextInput(
        attrs={"placeholder": _("Name, phone, email, company")}))
    company = django_filters.NumberFilter(field_name="company_id", widget=forms.HiddenInput)
    guest = django_filters.NumberFilter(field_name="guest_id", widget=forms.HiddenInput)
    is_decision_maker = django_filters.BooleanFilter(label=_("Decision maker"), widget=forms.Select(choices=ANY_YES_NO))
    is_active = django_filters.BooleanFilter(label=_("Active"), widget=forms.Select(choices=ANY_YES_NO))
    birthday_month = django_filters.ChoiceFilter(
        label=_("Birthday month"), field_name="birthday__month", empty_label=_("Any month"),
        choices=[(str(m), str(m)) for m in range(1, 13)],
    )

    class Meta(shared_filters.ContactFilterSet.Meta):
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.filters["name"]  # `q` covers names, phones, emails and companies
        _order_filters(self, ["q", "is_decision_maker", "is_active", "birthday_month"])

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(name_latin__icontains=value) | Q(phone__icontains=value)
            | Q(email__icontains=value) | Q(company__name_zh__icontains=value) | Q(company__name_en__icontains=value)
        )


class StayListFilter(stay_filters.StayFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", widget=forms.TextInput(
        attrs={"placeholder": _("Guest, room, rate code, company")}))
    property = django_filters.ModelChoiceFilter(
        queryset=shared_filters.request_properties, label=_("Property"), empty_label=_("Any property"),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=StayStatus.choices, empty_label=_("Any status"))
    arrival = django_filters.DateFromToRangeFilter(field_name="arrival", label=_("Arrival"), widget=DateRangeInput())
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=SourceChannel.choices, empty_label=_("Any channel"),
    )
    market_segment = django_filters.ChoiceFilter(
        label=_("Segment"), choices=MarketSegment.choices, empty_label=_("Any segment"),
    )
    company = django_filters.NumberFilter(field_name="company_id", widget=forms.HiddenInput)
    guest = django_filters.NumberFilter(field_name="guest_id", widget=forms.HiddenInput)

    class Meta(stay_filters.StayFilterSet.Meta):
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _drop_single_property(self)
        _order_filters(self, ["q", "property", "status", "arrival", "channel", "market_segment"])

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(guest__family_name__icontains=value) | Q(guest__given_name__icontains=value)
            | Q(guest__family_name_latin__icontains=value) | Q(guest__given_name_latin__icontains=value)
            | Q(guest__family_name=value[:1], guest__given_name__startswith=value[1:])  # "张伟" typed as one word
            | Q(room_number__iexact=value) | Q(rate_code__iexact=value) | Q(company__name_zh__icontains=value)
            | Q(company__name_en__icontains=value)
        )
