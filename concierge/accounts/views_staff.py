"""The staff screen: colleagues with role, properties and status; deactivate one with a handover to a successor."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from concierge.accounts import staff
from concierge.accounts.choices import Role
from concierge.web.helpers import apply_service_errors, client_ip, paginate


class DeactivateForm(forms.Form):
    successor = forms.ModelChoiceField(label=gettext_lazy("Successor"), queryset=get_user_model().objects.none(),
                                       required=False,
                                       help_text=gettext_lazy("Takes over every account, guest, open task, "
                                                              "opportunity, contract, case and campaign."))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, required=False)

    def __init__(self, *args: Any, actor: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = staff.successor_choices(actor, user)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied


@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    """Paginated list of colleagues (?q= name/username, ?role=, ?active=1/0)."""
    _require(staff.can_manage_staff(request.user))
    users = staff.staff_visible(request.user).prefetch_related("properties")
    q = (request.GET.get("q") or "").strip()
    if q:
        users = users.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q))
    role = request.GET.get("role") or ""
    if role in Role.values:
        users = users.filter(role=role)
    active = request.GET.get("active") or ""
    if active in ("0", "1"):
        users = users.filter(is_active=active == "1")
    page = paginate(request, users, per_page=25)
    recent = paginate(request, staff.deactivations_visible(request.user).select_related(
        "user", "successor", "actor"), per_page=10, param="jobs")
    return render(request, "accounts/staff_list.html", {
        "page": page, "q": q, "role": role, "active": active, "roles": Role.choices, "recent": recent,
    })


@login_required
@require_http_methods(["GET", "POST"])
def staff_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """What the colleague still owns, the successor to choose, and the button (POST)."""
    _require(staff.can_manage_staff(request.user))
    user = get_object_or_404(staff.staff_visible(request.user), pk=pk)
    _require(staff.can_deactivate(request.user, user))
    form = DeactivateForm(request.POST or None, actor=request.user, user=user)
    owned = staff.owned_records(user)
    if request.method == "POST" and form.is_valid():
        try:
            job = staff.deactivation_start(user=user, successor=form.cleaned_data["successor"], actor=request.user,
                                           reason=form.cleaned_data["reason"], ip_address=client_ip(request))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if job.status == job.Status.DONE:
                messages.success(request, _("%(name)s was deactivated; their records moved to %(to)s.")
                                 % {"name": user, "to": job.successor or "—"})
            return redirect("accounts:staff_job", pk=job.pk)
    labels = staff.owned_labels()
    return render(request, "accounts/staff_deactivate.html", {
        "target": user, "form": form, "owned": [(labels[k], n) for k, n in owned.items()],
        "owned_total": sum(owned.values()), "large": sum(owned.values()) > staff.SYNC_LIMIT,
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def staff_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A deactivation's progress; htmx polls the partial until it is done or failed."""
    _require(staff.can_manage_staff(request.user))
    job = get_object_or_404(staff.deactivations_visible(request.user).select_related(
        "user", "successor", "actor", "handover"), pk=pk)
    labels = {**staff.owned_labels(), "contact": _("Company contacts")}
    context = {"job": job, "owned": [(labels.get(k, k), n) for k, n in job.owned.items()],
               "moved": [(labels.get(k, k), n) for k, n in (job.handover.summary if job.handover else {}).items()]}
    if getattr(request, "htmx", None):
        return render(request, "accounts/partials/staff_job_status.html", context)
    return render(request, "accounts/staff_job.html", context)
