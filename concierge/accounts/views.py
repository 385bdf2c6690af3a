"""Two-factor pages: enrol an authenticator app (QR code), then enter its code at each sign-in."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from concierge.accounts import two_factor


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if two_factor.has_confirmed_device(request.user):
        return redirect(f"/account/2fa/verify/?next={_next(request)}")
    device = two_factor.pending_device(request.user)
    error = ""
    if request.method == "POST":
        confirmed = two_factor.verify_code(request.user, request.POST.get("code", ""), confirm=True)
        if confirmed is not None:
            otp_login(request, confirmed)
            return redirect(_next(request))
        error = _("That code is not right. Check the time on your phone and enter the current 6-digit code.")
    return render(request, "accounts/two_factor_setup.html", {
        "qr": two_factor.qr_svg(device), "secret": device.config_url.split("secret=")[1].split("&")[0],
        "error": error, "next": _next(request),
    })


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if not two_factor.has_confirmed_device(request.user):
        return redirect(f"/account/2fa/setup/?next={_next(request)}")
    error = ""
    if request.method == "POST":
        device = two_factor.verify_code(request.user, request.POST.get("code", ""))
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        error = _("That code is not right. Enter the current 6-digit code from your authenticator app.")
    return render(request, "accounts/two_factor_verify.html", {"error": error, "next": _next(request)})
