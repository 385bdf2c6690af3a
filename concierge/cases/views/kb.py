"""Knowledge-base pages for staff: search, read, write (both languages side by side), publish."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.cases import services
from concierge.cases.choices import ArticleStatus
from concierge.cases.forms import ArticleForm, KbSearchForm
from concierge.cases.models import Article
from concierge.cases.permissions import can_edit_kb
from concierge.cases.selectors import ArticleHit, kb_search
from concierge.cases.views.common import article_for, htmx_target
from concierge.web.helpers import apply_service_errors, paginate


@login_required
@require_GET
def kb_list(request: HttpRequest) -> HttpResponse:
    """Search the knowledge base (Chinese or English); without a query, browse by category."""
    form = KbSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    query = (data.get("q") or "").strip()
    status = data.get("status") or ArticleStatus.PUBLISHED
    context = {"form": form, "query": query, "can_edit": can_edit_kb(request.user)}
    if query:
        context["hits"] = kb_search(query=query, user=request.user, status=status, category=data.get("category"),
                                    limit=50)
    else:
        articles = (Article.objects.visible_to(request.user).filter(status=status)
                    .select_related("category", "property").prefetch_related("translations")
                    .order_by("category__sort_order", "-helpful_yes", "-id"))
        if data.get("category"):
            articles = articles.filter(category=data["category"])
        page = paginate(request, articles, per_page=30)
        language = get_language() or "en"
        context["page"] = page
        context["hits"] = [ArticleHit(a, t) for a in page.object_list if (t := a.translation_for(language))]
    if htmx_target(request) == "kb-results":
        return render(request, "cases/partials/kb_results.html", context)
    return render(request, "cases/kb_list.html", context)


@login_required
@require_GET
def kb_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = article_for(request, pk)
    translations = {t.language: t for t in article.translations.all()}
    cases = list(article.cases.visible_to(request.user).select_related("property")[:20])
    return render(request, "cases/kb_detail.html", {
        "article": article, "translations": translations, "cases": cases, "can_edit": can_edit_kb(request.user),
        "tags": [t.name for t in article.tags.all()], "languages": (("zh-hans", "中文"), ("en", "English")),
    })


def _require_editor(request: HttpRequest) -> None:
    if not can_edit_kb(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def kb_create(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    form = ArticleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_create(actor=request.user, category=form.cleaned_data["category"],
                                              translations=form.translations(), tags=form.tag_names(),
                                              **form.article_values())
        except ValidationError as exc:
            apply_service_errors(form, exc, field_map={"title_zh-hans": "title_zh", "title_en": "title_en"})
        else:
            messages.success(request, _("Article saved."))
            return redirect("cases:kb_detail", pk=article.pk)
    return render(request, "cases/kb_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def kb_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    article = article_for(request, pk)
    versions = {t.language: t for t in article.translations.all()}
    zh, en = versions.get("zh-hans"), versions.get("en")
    initial = {
        "category": article.category_id, "property": article.property_id, "status": article.status,
        "is_public": article.is_public, "department": article.department, "root_cause": article.root_cause_id,
        "tags": ", ".join(t.name for t in article.tags.all()),
        "title_zh": zh.title if zh else "", "body_zh": zh.body if zh else "",
        "title_en": en.title if en else "", "body_en": en.body if en else "",
    }
    form = ArticleForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.article_update(actor=request.user, article=article, category=form.cleaned_data["category"],
                                    translations=form.translations(), tags=form.tag_names(),
                                    **form.article_values())
        except ValidationError as exc:
            apply_service_errors(form, exc, field_map={"title_zh-hans": "title_zh", "title_en": "title_en"})
        else:
            messages.success(request, _("Article saved."))
            return redirect("cases:kb_detail", pk=article.pk)
    return render(request, "cases/kb_form.html", {"form": form, "article": article},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def kb_status(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    article = article_for(request, pk)
    try:
        services.article_status_set(actor=request.user, article=article, status=request.POST.get("status", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Article status changed."))
    return redirect("cases:kb_detail", pk=article.pk)
