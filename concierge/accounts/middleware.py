"""Two-factor sign-in for the roles that need it: until the session is verified, only the 2FA pages open."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from concierge.accounts.two_factor import has_confirmed_device, needs_two_factor

# Paths a signed-in but not yet verified user may still open (the 2FA pages themselves, sign-out, assets, the
# language switch and the public guest-facing pages that need no login anyway).
OPEN_PREFIXES = ("/account/2fa/", "/logout/", "/static/", "/i18n/", "/m/", "/t/", "/faq/", "/surveys/s/")


class RequireTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        if (settings.TWO_FACTOR_REQUIRED and user is not None and user.is_authenticated and needs_two_factor(user)
                and not user.is_verified() and not request.path.startswith(OPEN_PREFIXES)):
            if request.path.startswith("/api/"):
                return JsonResponse({"type": "client_error", "errors": [{
                    "code": "two_factor_required", "attr": None,
                    "detail": _("Two-factor sign-in is required for this account: sign in on the web first.")}]},
                    status=403)
            target = "accounts:two_factor_verify" if has_confirmed_device(user) else "accounts:two_factor_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
