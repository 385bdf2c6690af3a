"""Personal-data requests from the guest profile: download everything held, erase on request; the erasure log."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from concierge.guests.models import Guest
from concierge.privacy import services
from concierge.privacy.models import Erasure, UnsuitableFingerprint
from concierge.privacy.permissions import can_handle_personal_data_requests
from concierge.privacy.policies import POLICIES
from concierge.web.helpers import client_ip, get_visible_or_404


def _require(request: HttpRequest) -> None:
    if not can_handle_personal_data_requests(request.user):
        raise PermissionDenied


@login_required
def guest_export(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    guest = get_visible_or_404(Guest, request.user, pk)
    body = services.guest_export_json(guest=guest, actor=request.user, ip_address=client_ip(request))
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="guest-{guest.pk}-personal-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def guest_erase(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    guest = get_visible_or_404(Guest, request.user, pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        note = request.POST.get("note", "").strip()
        if request.POST.get("confirm", "").strip() != str(guest.pk):
            errors["confirm"] = _("Type the profile number %(id)s to confirm.") % {"id": guest.pk}
        if not note:
            errors["note"] = _("Say on what request (date, channel) the data is erased.")
        if not errors:
            try:
                services.guest_erase(guest=guest, actor=request.user, note=note, ip_address=client_ip(request))
            except ValidationError as exc:
                errors["form"] = " ".join(exc.messages)
            else:
                messages.success(request, _("The personal data of profile #%(id)s was erased. Stays, points and "
                                            "scores remain, anonymously.") % {"id": guest.pk})
                return redirect("web:guest_detail", pk=guest.pk)
    policies = sorted(((label, p) for label, p in POLICIES.items()), key=lambda item: (item[1].action, item[0]))
    return render(request, "privacy/erase.html", {"guest": guest, "errors": errors, "policies": policies,
                                                  "post": request.POST})


@login_required
def erasure_log(request: HttpRequest) -> HttpResponse:
    _require(request)
    page = Paginator(Erasure.objects.select_related("actor"), 50).get_page(request.GET.get("page"))
    from django.conf import settings

    return render(request, "privacy/log.html", {
        "page": page, "retention_months": settings.PRIVACY_RETENTION_MONTHS,
        "register_size": UnsuitableFingerprint.objects.count(),
    })
