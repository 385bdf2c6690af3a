"""The unsubscribe page: no login, in the guest's language, one button (and RFC 8058 one-click POST).

GET shows a confirmation with one button (mail scanners follow links with GET, so GET never unsubscribes).
POST unsubscribes at once: from our button, or from the mail client's List-Unsubscribe-Post one-click request,
which carries no CSRF token, hence `csrf_exempt`: the signed token in the URL is the proof the request is genuine.
"""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from concierge.guests.models import Guest
from concierge.messaging import rendering, selectors, services
from concierge.messaging.choices import Channel
from concierge.messaging.tokens import InvalidToken, read_unsubscribe_token


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        guest_id, channel = read_unsubscribe_token(token)
    except InvalidToken:
        return render(request, "messaging/public/invalid.html", {"language": "zh-hans"}, status=404)
    guest = Guest.objects.filter(pk=guest_id).first()
    if guest is None:
        return render(request, "messaging/public/invalid.html", {"language": "zh-hans"}, status=404)
    language = rendering.guest_language(guest)
    done = False
    if request.method == "POST":
        services.guest_unsubscribe(guest_id=guest_id, channel=channel, reference=request.GET.get("ref", "")[:200])
        done = True
    else:
        done = selectors.consent_in_force(guest_id=guest.pk, channel=channel) is False
    property_id = selectors.home_property_id(guest)
    from concierge.properties.models import Property

    property_ = Property.objects.filter(pk=property_id).first() if property_id else None
    with translation.override(language):
        property_name = rendering.build_context(guest=guest, property_=property_, language=language)["property"]["name"]
        return render(request, "messaging/public/unsubscribe.html", {
            "language": language, "done": done, "channel_label": Channel(channel).label, "token": token,
            "property_name": property_name,
        })
