"""The call-centre screen pop: telephony software opens /service/screen-pop/?phone=<caller id>."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from concierge.cases.forms import QuickGuestForm
from concierge.cases.selectors import screen_pop as screen_pop_selector
from concierge.core.choices import AuditAction
from concierge.core.services import audit_record
from concierge.guests.services import guest_create
from concierge.web.helpers import apply_service_errors, client_ip


def _int(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
def screen_pop(request: HttpRequest) -> HttpResponse:
    """Who is calling: guest or company card, open cases, stays, suggested articles; a prefilled "create guest"
    form for unknown numbers. Every card shown is recorded as a view in the audit trail."""
    phone = (request.GET.get("phone") or "").strip()
    context: dict[str, Any] = {"phone": phone, "pop": None, "error": ""}
    if phone:
        try:
            pop = screen_pop_selector(user=request.user, phone=phone, guest_id=_int(request.GET.get("guest")))
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
        else:
            context["pop"] = pop
            if pop.guest is not None:
                audit_record(actor=request.user, action=AuditAction.VIEW, guest=pop.guest, field="screen_pop",
                             detail=pop.phone, ip_address=client_ip(request))
                context.update(guest=pop.guest, card=pop.card, revealed={}, can_reveal=False)
            elif pop.company is not None:
                audit_record(actor=request.user, action=AuditAction.VIEW, company=pop.company, field="screen_pop",
                             detail=pop.phone, ip_address=client_ip(request))
            else:
                context["guest_form"] = QuickGuestForm(user=request.user, initial={"phone": pop.phone or phone})
    template = "cases/partials/screen_pop_body.html" if getattr(request, "htmx", None) and \
        request.htmx.target == "screen-pop-body" else "cases/screen_pop.html"
    return render(request, template, context)


@login_required
@require_POST
def screen_pop_guest_create(request: HttpRequest) -> HttpResponse:
    """Create the unknown caller's profile, then show the screen pop for them (ready to open a case)."""
    form = QuickGuestForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            guest = guest_create(actor=request.user, property=data["property"], full_name=data["full_name"],
                                 phone=data["phone"], email=data["email"], language=data["language"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Guest profile created."))
            query = urlencode({"phone": guest.phone or data["phone"], "guest": guest.pk})
            return redirect(f"{reverse('cases:screen_pop')}?{query}")
    return render(request, "cases/screen_pop.html",
                  {"phone": request.POST.get("phone", ""), "pop": None, "guest_form": form, "error": ""}, status=400)
