"""Check-in recognition search: one box, live ranked results, straight to the card on an exact ID number."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from concierge.guests.identity import looks_like_id_number
from concierge.guests.selectors import guest_ids_by_id_number, recognition_search
from concierge.web.helpers import render_page_or_partial

RESULT_LIMIT = 20


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """GET ?q=: ranked guests and companies. A submitted exact ID number held by one guest opens that card."""
    query = (request.GET.get("q") or "").strip()[:100]
    if query and looks_like_id_number(query):
        ids = guest_ids_by_id_number(user=request.user, number=query)
        if len(ids) == 1:
            # An ID number identifies one person: skip the result list (a card reader types it plus Enter).
            if getattr(request, "htmx", None):
                return HttpResponseClientRedirect(reverse("web:guest_detail", args=[ids[0]]))
            return redirect("web:guest_detail", pk=ids[0])
    hits = recognition_search(user=request.user, query=query, limit=RESULT_LIMIT) if query else []
    context = {"query": query, "hits": hits}
    return render_page_or_partial(request, "web/search.html", "web/partials/search_results.html", context)
