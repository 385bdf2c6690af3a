"""Login-free tracking endpoints under /t/: the open pixel and the click redirect.

Both answer fast and never reveal anything: a bad token gives a 404 (pixel: still a 1x1 GIF, so mail clients
show no broken image). A click redirects only to the link stored in the signed token, and only if that link is in
the message we sent: a tampered token can never turn this into an open redirect.
"""
from __future__ import annotations

import base64

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from concierge.campaigns import services
from concierge.campaigns.tracking import BadToken, body_contains, read_click_token, read_open_token
from concierge.messaging.models import Message

GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@never_cache
@require_GET
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    try:
        message_id = read_open_token(token)
    except BadToken:
        return HttpResponse(GIF, content_type="image/gif", status=404)
    services.touch_open(message_id=message_id)
    return HttpResponse(GIF, content_type="image/gif")


@never_cache
@require_GET
def click(request: HttpRequest, token: str) -> HttpResponse:
    try:
        message_id, url = read_click_token(token)
    except BadToken as exc:
        raise Http404("link") from exc
    body = Message.objects.filter(pk=message_id).values_list("body", flat=True).first()
    if body is None or not url.startswith(("https://", "http://")) or not body_contains(body, url):
        raise Http404("link")
    services.touch_click(message_id=message_id, url=url)
    return HttpResponseRedirect(url)
