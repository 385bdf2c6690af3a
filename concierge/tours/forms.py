"""Forms of the tour screens. Seat availability is decided by the services (the refusal lands on `seats`)."""
from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.guests.filters import properties_for
from concierge.guests.models import Company, Guest
from concierge.tours.choices import DepartureStatus, DocumentLanguage
from concierge.tours.models import Departure, TourProduct

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProductForm(forms.ModelForm):
    class Meta:
        model = TourProduct
        fields = ["code", "name_zh", "name_en", "description_zh", "description_en", "property", "duration_days",
                  "inclusions_zh", "inclusions_en", "currency", "is_active"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in
                   ("description_zh", "description_en", "inclusions_zh", "inclusions_en")}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = properties_for(user)
        if user.property_ids() is not None:
            # Staff of some properties attach products to one of them; group-wide products are for group roles.
            self.fields["property"].required = True


class DepartureForm(forms.ModelForm):
    class Meta:
        model = Departure
        fields = ["departs_on", "capacity", "price", "child_price", "status", "note"]
        widgets = {"departs_on": DATE}

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if capacity < 1:
            raise forms.ValidationError(_("A departure needs at least one seat."))
        return capacity


class OrderForm(forms.Form):
    departure = forms.ModelChoiceField(queryset=Departure.objects.none(), label=_("Departure"))
    company = forms.ModelChoiceField(queryset=Company.objects.none(), required=False, label=_("Travel agency"),
                                     empty_label=_("— none (a guest orders) —"))
    guest = forms.IntegerField(required=False, min_value=1, label=_("Guest id"),
                               help_text=_("Optional: the guest profile number (from the guest's page)."))
    contact_name = forms.CharField(max_length=100, label=_("Contact name"))
    contact_phone = forms.CharField(max_length=30, required=False, label=_("Contact phone"))
    seats = forms.IntegerField(min_value=1, max_value=999, label=_("Seats"))
    children = forms.IntegerField(min_value=0, max_value=999, required=False, initial=0, label=_("Of which children"))
    note = forms.CharField(max_length=300, required=False, label=_("Note"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["departure"].queryset = (
            Departure.objects.visible_to(user).filter(status=DepartureStatus.OPEN,
                                                      departs_on__gte=timezone.localdate())
            .select_related("product").order_by("departs_on", "product__code"))
        # Travel agencies first, then the other companies the user may see.
        self.fields["company"].queryset = (
            Company.objects.visible_to(user).filter(status="active")
            .annotate(agency_first=Case(When(channel="travel_agency", then=Value(0)), default=Value(1),
                                        output_field=IntegerField()))
            .order_by("agency_first", "name_zh", "name_en", "id"))

    def clean_guest(self) -> Guest | None:
        pk = self.cleaned_data.get("guest")
        if not pk:
            return None
        guest = Guest.objects.visible_to(self.user).filter(pk=pk).first()
        if guest is None:
            raise forms.ValidationError(_("No guest with this number that you may see."))
        return guest

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        seats, children = data.get("seats"), data.get("children") or 0
        data["children"] = children
        if seats is not None and children > seats:
            self.add_error("children", _("There cannot be more children than seats."))
        if not data.get("company") and not data.get("guest") and "guest" not in self.errors:
            self.add_error("company", _("Choose the agency or the guest who orders."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=300, label=_("Cancellation reason"))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ChangeSeatsForm(forms.Form):
    seats = forms.IntegerField(min_value=1, max_value=999, label=_("Seats"))
    children = forms.IntegerField(min_value=0, max_value=999, required=False, label=_("Of which children"))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DocumentForm(forms.Form):
    lang = forms.ChoiceField(choices=DocumentLanguage.choices, required=False)
