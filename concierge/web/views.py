"""Sign-in, sign-out and the front-office home page."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.web import selectors


class LoginView(auth_views.LoginView):
    """The branded sign-in page; lists the demo logins only when demo logins are allowed."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["demo_logins"] = settings.DEMO_USERNAMES if settings.DEMO_LOGINS_ALLOWED else ()
        return context


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as in Django 5)."""


def _greeting(hour: int) -> str:
    if hour < 12:
        return _("Good morning")
    if hour < 18:
        return _("Good afternoon")
    return _("Good evening")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Today at a glance: arrivals, in-house, critical alerts of arriving guests, recent timeline, a chart."""
    now = timezone.localtime()
    today = now.date()
    user = request.user
    arrivals = list(selectors.arrivals_on(user=user, day=today)[:50])
    context = {
        "greeting": _greeting(now.hour),
        "today": today,
        "arrivals": arrivals,
        "arrivals_count": selectors.arrivals_on(user=user, day=today).count(),
        "in_house_count": selectors.in_house_count(user=user),
        "departures_count": selectors.departures_count(user=user, day=today),
        "critical_alerts": list(selectors.critical_alerts_arriving(user=user, day=today)[:20]),
        "recent": selectors.recent_activity(user=user, limit=8),
        "room_nights": selectors.room_nights_by_month(user=user, today=today),
    }
    return render(request, "web/home.html", context)
