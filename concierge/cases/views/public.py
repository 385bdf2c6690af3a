"""The public FAQ of each hotel, without login: routine questions answered before anyone picks up a phone."""
from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from concierge.cases import services
from concierge.cases.models import Article
from concierge.cases.selectors import faq_sections, kb_search
from concierge.properties.models import Property

SESSION_KEY = "faq_voted"


def _property(code: str) -> Property:
    return get_object_or_404(Property, code__iexact=code, is_active=True)


@require_GET
def faq(request: HttpRequest, code: str) -> HttpResponse:
    """Published public answers of this hotel and of the group, by category; ?q= searches them."""
    property_ = _property(code)
    language = get_language() or "zh-hans"
    query = (request.GET.get("q") or "").strip()[:100]
    hits = kb_search(query=query, public_property=property_, language=language, limit=20) if query else None
    return render(request, "cases/faq.html", {
        "property": property_, "sections": faq_sections(property_=property_, language=language), "query": query,
        "hits": hits, "voted": set(request.session.get(SESSION_KEY, [])),
    })


@require_POST
def faq_feedback(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """"Was this helpful?" One vote per article and browser session; htmx swaps in the thank-you."""
    property_ = _property(code)
    article = Article.objects.published().filter(is_public=True, pk=pk).filter(
        property__isnull=True).first() or Article.objects.published().filter(
        is_public=True, pk=pk, property=property_).first()
    if article is None:
        raise Http404
    voted = list(request.session.get(SESSION_KEY, []))
    if article.pk not in voted:
        services.faq_feedback_record(article=article, helpful=request.POST.get("helpful") == "yes")
        voted.append(article.pk)
        request.session[SESSION_KEY] = voted[-500:]
    if getattr(request, "htmx", None):
        return render(request, "cases/partials/faq_thanks.html", {"article": article})
    return redirect(f"{reverse('faq:faq', args=[property_.code])}#a{article.pk}")
