"""Knowledge base: articles with a Chinese and an English version, publishing, FAQ feedback, promotion of
a case's resolution to an article."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from concierge.cases.choices import ArticleStatus, EventKind
from concierge.cases.models import Article, ArticleCategory, ArticleTag, ArticleTranslation, Case
from concierge.cases.search import document_tokens
from concierge.cases.services.common import case_event, field_error
from concierge.core.i18n import LocalizedText
from concierge.guests.choices import Language

ARTICLE_FIELDS = ("category", "property", "status", "is_public", "department", "root_cause")
# Category of articles promoted from cases (created by migration 0003).
PROMOTED_CATEGORY = "service-recovery"


def _language(code: str) -> str:
    return Language.ZH_HANS.value if (code or "").startswith("zh") else Language.EN.value


def article_translation_save(*, article: Article, language: str, title: str, body: str) -> ArticleTranslation:
    """Create or replace one language version and its search tokens."""
    language = _language(language)
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise field_error(f"title_{language}", _("Give the title and the text of this version."), "required")
    translation, _created = ArticleTranslation.objects.update_or_create(
        article=article, language=language, defaults={
            "title": title, "body": body, "search_tokens": document_tokens(title, body),
            "title_tokens": document_tokens(title)})
    return translation


def _set_tags(article: Article, names: Iterable[str]) -> None:
    clean = sorted({n.strip()[:60] for n in names if n and n.strip()})
    existing = {t.name for t in ArticleTag.objects.filter(name__in=clean)}
    ArticleTag.objects.bulk_create([ArticleTag(name=n) for n in clean if n not in existing], ignore_conflicts=True)
    article.tags.set(ArticleTag.objects.filter(name__in=clean))


def _apply_translations(article: Article, translations: dict[str, tuple[str, str]]) -> None:
    filled = {lang: (t, b) for lang, (t, b) in translations.items() if (t or "").strip() or (b or "").strip()}
    for language, (title, body) in filled.items():
        article_translation_save(article=article, language=language, title=title, body=body)
    if not article.translations.exists():
        raise field_error("title_zh-hans", _("Write the article in at least one language."), "required")


def _check_publishable(article: Article) -> None:
    if article.status == ArticleStatus.PUBLISHED and article.is_public and article.translations.count() < 2:
        raise field_error(
            "status", _("A public FAQ answer needs both the Chinese and the English version before publishing."),
            "needs_both_languages")


@transaction.atomic
def article_create(
    *, actor: Any, category: ArticleCategory, translations: dict[str, tuple[str, str]], tags: Iterable[str] = (),
    cases: Iterable[Case] = (), **values: Any,
) -> Article:
    """A new article; `translations` maps "zh-hans"/"en" to (title, body)."""
    unknown = set(values) - set(ARTICLE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    article = Article(category=category, created_by=actor if getattr(actor, "pk", None) else None, **values)
    article.full_clean(exclude=["category", "property", "root_cause", "created_by"])
    if article.status == ArticleStatus.PUBLISHED:
        article.published_at = timezone.now()
    article.save()
    _apply_translations(article, translations)
    _set_tags(article, tags)
    if cases:
        article.cases.add(*cases)
    _check_publishable(article)
    return article


@transaction.atomic
def article_update(
    *, actor: Any, article: Article, translations: dict[str, tuple[str, str]] | None = None,
    tags: Iterable[str] | None = None, **values: Any,
) -> Article:
    unknown = set(values) - set(ARTICLE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    article = Article.objects.select_for_update(of=("self",)).get(pk=article.pk)
    was = article.status
    for name, value in values.items():
        setattr(article, name, value)
    article.full_clean(exclude=["category", "property", "root_cause", "created_by"])
    if article.status == ArticleStatus.PUBLISHED and was != ArticleStatus.PUBLISHED:
        article.published_at = timezone.now()
    article.save()
    if translations is not None:
        _apply_translations(article, translations)
    if tags is not None:
        _set_tags(article, tags)
    _check_publishable(article)
    return article


@transaction.atomic
def article_status_set(*, actor: Any, article: Article, status: str) -> Article:
    """Publish, archive or return an article to draft."""
    if status not in ArticleStatus.values:
        raise field_error("status", _("Unknown status."), "invalid_choice")
    return article_update(actor=actor, article=article, status=status)


def faq_feedback_record(*, article: Article, helpful: bool) -> None:
    """Count one "was this helpful?" answer (an atomic increment: concurrent votes are never lost)."""
    field = "helpful_yes" if helpful else "helpful_no"
    Article.objects.filter(pk=article.pk).update(**{field: F(field) + 1})


@transaction.atomic
def case_promote_to_article(*, actor: Any, case: Case, category: ArticleCategory | None = None) -> Article:
    """One click: a draft article from the case's subject, situation and resolution, linked to the case.

    Written in the agent's current language; the other version is added when the article is edited.
    """
    case = Case.objects.select_for_update(of=("self",)).select_related("property", "root_cause").get(pk=case.pk)
    if not case.resolution:
        raise ValidationError(_("Only a resolved case with a written resolution can be promoted."),
                              code="not_resolved")
    if case.kb_article_id:
        return case.kb_article
    category = category or ArticleCategory.objects.filter(code=PROMOTED_CATEGORY).first() or \
        ArticleCategory.objects.order_by("sort_order").first()
    if category is None:
        raise ValidationError(_("Create an article category first."), code="no_category")
    language = _language(get_language() or "en")
    situation_label, resolution_label = _("Situation"), _("What resolved it")
    body = f"{situation_label}\n{case.description or case.subject}\n\n{resolution_label}\n{case.resolution}"
    article = article_create(
        actor=actor, category=category, translations={language: (case.subject, body)}, cases=[case],
        property=case.property, status=ArticleStatus.DRAFT, is_public=False, department=case.department,
        root_cause=case.root_cause,
    )
    case.kb_article = article
    case.save(update_fields=["kb_article", "updated_at"])
    case_event(case, kind=EventKind.PROMOTED, actor=actor, data={"article_id": article.pk}, text=LocalizedText(
        gettext_noop("Resolution promoted to knowledge-base article #%(id)s"), {"id": article.pk}))
    return article
