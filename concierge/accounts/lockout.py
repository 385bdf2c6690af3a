"""What a locked-out sign-in gets: the lockout page on the web, a JSON error (429) from the API."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"type": "client_error", "errors": [{
            "code": "locked_out", "attr": None,
            "detail": _("Too many failed sign-ins for this username from this address; try again in 15 minutes."),
        }]}, status=429)
    return render(request, "registration/locked_out.html", status=429)
