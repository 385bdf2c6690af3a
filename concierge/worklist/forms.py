"""Task forms: create, reassign, and the list filter."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from concierge.guests.models import Company
from concierge.web.forms_companies import DATE_INPUT, staff_choices
from concierge.worklist.models import TaskKind, TaskStatus


def bootstrap(form: forms.Form) -> None:
    """Bootstrap classes on every visible control."""
    for field in form.fields.values():
        widget = field.widget
        if not widget.is_hidden:
            css = ("form-check-input" if isinstance(widget, forms.CheckboxInput)
                   else "form-select" if isinstance(widget, forms.Select) else "form-control")
            widget.attrs.setdefault("class", css)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=TaskKind.choices, initial=TaskKind.FOLLOW_UP)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DATE_INPUT)
    assignee = forms.ModelChoiceField(label=_("Assigned to"), queryset=get_user_model().objects.none(),
                                      required=False, help_text=_("Empty: yourself."))
    company = forms.ModelChoiceField(label=_("Company"), queryset=Company.objects.none(), required=False,
                                     widget=forms.HiddenInput)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_choices(user)
        self.fields["company"].queryset = Company.objects.visible_to(user)
        bootstrap(self)


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Give to"), queryset=get_user_model().objects.none())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_choices(user)


class TaskFilterForm(forms.Form):
    SCOPES = [("mine", _("Assigned to me")), ("created", _("Created by me")), ("all", _("All I can see"))]
    scope = forms.ChoiceField(label=_("Show"), choices=SCOPES, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *TaskStatus.choices],
                               required=False)
