"""Forms of the account pages: plan, team, owner change, handover, logging a contact."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.guests.models import Company
from concierge.sales.choices import TeamRole
from concierge.web.forms_companies import DATE_INPUT, InteractionForm, staff_choices
from concierge.worklist.forms import bootstrap


def colleagues(user: Any) -> Any:
    """Active staff the user may hand accounts or tasks to (colleagues at their properties, group-wide staff)."""
    return staff_choices(user)


class AccountPlanForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)

    potential_room_nights = forms.IntegerField(label=_("Potential room nights per year"), min_value=0, required=False)
    competitor_hotels = forms.CharField(label=_("Competitor hotels used"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}), help_text=_("One hotel per line."))
    goals = forms.CharField(label=_("Goals and strategy"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TeamMemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Colleague"), queryset=get_user_model().objects.none())
    role = forms.ChoiceField(label=_("Role on the account"), choices=TeamRole.choices)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = colleagues(user)
        bootstrap(self)


class OwnerChangeForm(forms.Form):
    new_owner = forms.ModelChoiceField(label=_("New account manager"), queryset=get_user_model().objects.none())
    on = forms.DateField(label=_("Effective from"), widget=DATE_INPUT, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].queryset = colleagues(user)
        self.fields["on"].initial = timezone.localdate()
        bootstrap(self)


class HandoverForm(forms.Form):
    from_user = forms.ModelChoiceField(label=_("Hand over from"), queryset=get_user_model().objects.none())
    default_to = forms.ModelChoiceField(label=_("To colleague"), queryset=get_user_model().objects.none(),
                                        required=False,
                                        help_text=_("Receives every account not assigned below, and the rep's other "
                                                    "guests, tasks and opportunities."))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    deactivate = forms.BooleanField(label=_("Deactivate the user (they left)"), required=False,
                                    help_text=_("They can no longer sign in; their records are kept."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = Company.objects.visible_to(user).filter(owner__isnull=False).values("owner_id")
        self.fields["from_user"].queryset = get_user_model().objects.filter(
            Q(pk__in=owners) | Q(pk__in=colleagues(user).values("pk"))).order_by("first_name", "username")
        self.fields["default_to"].queryset = colleagues(user)
        bootstrap(self)


class ContactLogForm(InteractionForm):
    """Log a call, visit, meeting or email with a contact (the company's shared timeline)."""
