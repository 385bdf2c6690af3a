"""Reads of the service centre: case lists, screen pop, knowledge-base search, SLA and closed-loop numbers."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Avg,
    Count,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from concierge.cases.choices import (
    LOOP_OK,
    OPEN_STATUSES,
    ArticleStatus,
    CaseStatus,
    CaseType,
    Department,
    LoopStep,
)
from concierge.cases.models import Article, ArticleTranslation, Case
from concierge.cases.search import query_phrases, query_tokens
from concierge.core.phones import normalize_phone
from concierge.guests.choices import AlertCategory, AlertSeverity, GuestStatus, SearchKeyKind
from concierge.guests.models import Alert, Company, Contact, Guest, SearchKey
from concierge.guests.selectors import GuestCard, guest_card, guests_by_phone

# --- cases ---------------------------------------------------------------------------------------------------


def case_list(*, user: Any) -> QuerySet:
    """Cases the user may see, with what the list shows."""
    return Case.objects.visible_to(user).select_related("property", "guest", "company", "owner")


def case_detail_queryset(*, user: Any) -> QuerySet:
    return Case.objects.visible_to(user).select_related(
        "property", "guest", "guest__owner", "company", "company__owner", "stay", "owner", "created_by",
        "root_cause", "escalated_to", "kb_article", "next_stay_alert", "sla_policy",
    )


def breach_list(*, user: Any, open_only: bool = True) -> QuerySet:
    """Breached cases (first response or resolution), still open by default, oldest due first."""
    qs = case_list(user=user).breached().select_related("escalated_to")
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return qs.order_by(F("resolution_due_at").asc(nulls_last=True), "pk")


def guest_is_sensitive(guest: Guest | None) -> bool:
    """VIP (tier, tag or VIP alert) or flagged (unsuitable/lost, or a critical alert): views of their cases are
    audited."""
    if guest is None:
        return False
    if "vip" in (guest.tier or "").lower() or guest.status in (GuestStatus.UNSUITABLE, GuestStatus.LOST):
        return True
    if guest.tags.filter(name__iexact="vip").exists():
        return True
    return Alert.objects.filter(guest=guest, is_active=True).filter(
        Q(severity=AlertSeverity.CRITICAL) | Q(category=AlertCategory.VIP)).exists()


def open_cases_for(*, user: Any, guest: Guest | None = None, company: Company | None = None) -> list[Case]:
    condition = Q()
    if guest is not None:
        condition |= Q(guest=guest)
    if company is not None:
        condition |= Q(company=company)
    if not condition:
        return []
    return list(case_list(user=user).open().filter(condition).order_by("resolution_due_at", "-created_at")[:20])


def open_case_items(guest: Guest, user: Any) -> list[dict[str, Any]]:
    """Open cases for the guest card's "open items" (registered in CasesConfig.ready): one narrow query."""
    rows = (Case.objects.visible_to(user).open().filter(guest=guest).order_by("resolution_due_at", "-created_at")
            .values_list("pk", "case_type", "subject", "property__code")[:5])
    return [
        {"label": _("Open %(type)s %(case)s: %(subject)s") % {
            "type": str(CaseType(case_type).label).lower(), "case": f"{code}-{pk:06d}", "subject": subject},
         "url": reverse("cases:case_detail", args=[pk])}
        for pk, case_type, subject, code in rows
    ]


# --- knowledge base ------------------------------------------------------------------------------------------


@dataclass
class ArticleHit:
    article: Article
    translation: ArticleTranslation
    score: int = 0


def _article_scope(qs: QuerySet, *, user: Any = None, public_property: Any = None) -> QuerySet:
    """Translations of articles the reader may see: staff by property scoping, the public FAQ by property."""
    if public_property is not None:
        return qs.filter(article__is_public=True).filter(
            Q(article__property__isnull=True) | Q(article__property=public_property))
    property_ids = user.property_ids() if user is not None and user.is_authenticated else []
    if property_ids is None:
        return qs
    return qs.filter(Q(article__property__isnull=True) | Q(article__property_id__in=property_ids))


def _one_per_article(rows: list[ArticleTranslation], language: str, limit: int) -> list[ArticleHit]:
    """Keep each article once, in the reader's language when that version matched too."""
    wanted = "zh-hans" if (language or "").startswith("zh") else "en"
    best: dict[int, ArticleHit] = {}
    order: list[int] = []
    for row in rows:
        hit = best.get(row.article_id)
        score = getattr(row, "rank", 0)
        if hit is None:
            best[row.article_id] = ArticleHit(row.article, row, score)
            order.append(row.article_id)
        elif row.language == wanted and hit.translation.language != wanted:
            hit.translation = row
            hit.score = max(hit.score, score)
    return [best[pk] for pk in order][:limit]


def kb_search(
    *, query: str, user: Any = None, public_property: Any = None, language: str | None = None,
    status: str | None = ArticleStatus.PUBLISHED, category: Any = None, limit: int = 20,
) -> list[ArticleHit]:
    """Articles whose text contains every token of `query` (Chinese bigrams, Latin words and their prefixes):
    those with the query in the title first, then the others, each most helpful first.

    Two queries, each ordered by helpfulness with a LIMIT: for a common word PostgreSQL walks the article_helpful
    index and stops after a page of matches; for a rare one it takes the few rows the GIN index finds and sorts
    them. One query ranking every match would sort thousands of rows for a word like 早餐.
    """
    tokens = query_tokens(query)
    if not tokens:
        return []
    qs = _article_scope(ArticleTranslation.objects.all(), user=user, public_property=public_property)
    if status:
        qs = qs.filter(article__status=status)
    if category is not None:
        qs = qs.filter(article__category=category)
    qs = (qs.select_related("article", "article__category", "article__property")
          .defer("search_tokens", "title_tokens")  # hundreds of tokens per row: searched, never read back
          .order_by("-article__helpful_yes", "-article_id", "language"))
    wanted = limit * 2  # two language versions of one article may both match
    in_title = list(qs.filter(title_tokens__has_all=tokens).annotate(rank=Value(2))[:wanted])
    rows = in_title
    if len(rows) < wanted:
        seen = [row.pk for row in rows]
        rows += list(qs.filter(search_tokens__has_all=tokens).exclude(pk__in=seen).annotate(rank=Value(1))
                     [: wanted - len(rows)])
    return _one_per_article(rows, language or get_language() or "en", limit)


def _suggest_phrases(text: str, limit: int = 6) -> list[list[str]]:
    """Short phrases of a case subject to look for: 4-character windows of Chinese runs, word pairs of Latin."""
    phrases: list[list[str]] = []
    words: list[str] = []
    for piece in query_phrases(text):
        if piece.isascii():
            if not piece.isdigit():
                words.append(piece)
            continue
        if len(piece) < 2:
            continue  # one character (房, 楼) is in nearly every article: no signal
        if len(piece) <= 4:
            phrases.append(query_tokens(piece))
        else:
            phrases += [query_tokens(piece[i:i + 4]) for i in range(0, len(piece) - 3, 2)]
    phrases += [query_tokens(f"{a} {b}") for a, b in zip(words, words[1:], strict=False)] or (
        [query_tokens(words[0])] if words else [])
    unique: list[list[str]] = []
    for phrase in phrases:
        if phrase and phrase not in unique:
            unique.append(phrase)
    return unique[:limit]


def kb_suggest(*, user: Any, cases: list[Case], language: str | None = None, limit: int = 5) -> list[ArticleHit]:
    """Published articles for these cases: linked to them (score 10), about their root cause (5), or sharing
    short phrases of their subjects (1 per phrase). Two small look-ups, then one query whose OR of indexed
    tests (article ids, token containment) PostgreSQL answers with a BitmapOr."""
    if not cases:
        return []
    phrases: list[list[str]] = []
    for case in cases[:3]:
        phrases += [p for p in _suggest_phrases(case.subject) if p not in phrases]
    phrases = phrases[:8]
    # The linked and same-root-cause articles are looked up first and passed as id lists: a subquery (or a test
    # on the joined article) inside the OR stops PostgreSQL from combining index scans and it reads every row.
    linked = set(Article.cases.through.objects.filter(case_id__in=[c.pk for c in cases])
                 .values_list("article_id", flat=True)[:50])
    root_causes = {c.root_cause_id for c in cases if c.root_cause_id}
    by_cause = set(Article.objects.published().filter(root_cause_id__in=root_causes)
                   .values_list("pk", flat=True)[:50]) if root_causes else set()
    if not (linked or by_cause or phrases):
        return []
    match = Q(article_id__in=linked | by_cause)
    score: Any = SqlCase(When(article_id__in=linked, then=Value(10)), default=Value(0), output_field=IntegerField())
    score = score + SqlCase(When(article_id__in=by_cause, then=Value(5)), default=Value(0),
                            output_field=IntegerField())
    for phrase in phrases:
        match |= Q(search_tokens__has_all=phrase)
        score = score + SqlCase(When(search_tokens__has_all=phrase, then=Value(1)), default=Value(0),
                                output_field=IntegerField())
    qs = _article_scope(ArticleTranslation.objects.filter(article__status=ArticleStatus.PUBLISHED), user=user)
    rows = list(
        qs.filter(match).annotate(rank=score).select_related("article", "article__category")
        .defer("search_tokens")
        .order_by("-rank", "-article__helpful_yes", "-article_id", "language")[: limit * 2]
    )
    return _one_per_article(rows, language or get_language() or "en", limit)


def faq_sections(*, property_: Any, language: str) -> list[dict[str, Any]]:
    """The public FAQ of a property: published public articles (its own and group-wide), by category."""
    articles = (
        Article.objects.published().filter(is_public=True).filter(Q(property__isnull=True) | Q(property=property_))
        .select_related("category").prefetch_related(Prefetch("translations"))
        .order_by("category__sort_order", "category__code", "-helpful_yes", "id")
    )
    sections: list[dict[str, Any]] = []
    for article in articles:
        translation = article.translation_for(language)
        if translation is None:
            continue
        if not sections or sections[-1]["category"].pk != article.category_id:
            sections.append({"category": article.category, "items": []})
        sections[-1]["items"].append({"article": article, "translation": translation})
    return sections


# --- screen pop ----------------------------------------------------------------------------------------------


@dataclass
class ScreenPop:
    """Everything a call-centre agent needs when the phone rings, from one phone number."""

    phone: str
    guests: list[Guest] = field(default_factory=list)
    guest: Guest | None = None
    card: GuestCard | None = None
    company: Company | None = None
    contact: Contact | None = None
    open_cases: list[Case] = field(default_factory=list)
    last_stay: Any = None
    upcoming_stay: Any = None
    articles: list[ArticleHit] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.guest is not None or self.company is not None


def screen_pop(*, user: Any, phone: str, guest_id: int | None = None) -> ScreenPop:
    """The caller by phone (any format): guest or company card, open cases, last stay, next reservation and
    suggested knowledge-base articles. Raises ValidationError for something that is not a phone number."""
    e164 = normalize_phone(phone)
    result = ScreenPop(phone=e164)
    if not e164:
        return result
    result.guests = list(
        guests_by_phone(user=user, phone=e164).select_related("company", "owner")
        .order_by(F("last_stay_on").desc(nulls_last=True), "-id")[:10]
    )
    if result.guests:
        result.guest = next((g for g in result.guests if g.pk == guest_id), result.guests[0])
        result.card = guest_card(guest=result.guest, user=user)
        result.last_stay, result.upcoming_stay = result.card.last_stay, result.card.upcoming_stay
    else:
        company_ids = SearchKey.objects.filter(kind=SearchKeyKind.PHONE, key=e164.lstrip("+"),
                                               company__isnull=False).values("company_id")
        result.company = Company.objects.visible_to(user).filter(pk__in=company_ids).select_related("owner").first()
        if result.company is None:
            result.contact = (Contact.objects.visible_to(user).filter(phone=e164, is_active=True)
                              .select_related("company", "company__owner").first())
            result.company = result.contact.company if result.contact else None
    if result.guest is None and result.company is None:
        return result
    company = result.company or (result.guest.company if result.guest and result.guest.company_id else None)
    result.open_cases = open_cases_for(user=user, guest=result.guest, company=company)
    result.articles = kb_suggest(user=user, cases=result.open_cases)
    return result


# --- numbers -------------------------------------------------------------------------------------------------

GROUPINGS = ("property", "department", "case_type", "month")


@dataclass
class MetricRow:
    key: Any
    label: str
    cases: int
    resolved: int
    avg_first_response_minutes: float | None
    avg_resolution_minutes: float | None
    breached: int
    reopened: int

    @property
    def breach_rate(self) -> float:
        return self.breached / self.cases if self.cases else 0.0

    @property
    def reopen_rate(self) -> float:
        return self.reopened / self.resolved if self.resolved else 0.0


def _period(qs: QuerySet, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(created_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(created_at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs


def case_metrics(
    *, user: Any, group_by: str = "month", date_from: dt.date | None = None, date_to: dt.date | None = None,
    case_type: str | None = None, property_id: int | None = None,
) -> list[MetricRow]:
    """Time to first response and to resolve (business minutes), breach and reopen rates, per group: one
    aggregate query."""
    if group_by not in GROUPINGS:
        raise ValueError(group_by)
    qs = _period(Case.objects.visible_to(user), date_from, date_to)
    if case_type:
        qs = qs.filter(case_type=case_type)
    if property_id:
        qs = qs.filter(property_id=property_id)
    key_expr = {"property": F("property__code"), "department": F("department"), "case_type": F("case_type"),
                "month": TruncMonth("created_at")}[group_by]
    rows = (
        qs.order_by().annotate(key=key_expr).values("key")
        .annotate(
            cases=Count("id"),
            resolved=Count("id", filter=Q(resolved_at__isnull=False)),
            avg_first_response=Avg("first_response_minutes"),
            avg_resolution=Avg("resolution_minutes"),
            breached=Count("id", filter=Q(response_breached=True) | Q(resolution_breached=True)),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
        )
        .order_by("key")
    )
    labels: dict[Any, str] = {}
    if group_by == "department":
        labels = {k: str(v) for k, v in Department.choices}
    elif group_by == "case_type":
        labels = {k: str(v) for k, v in CaseType.choices}
    result = []
    for row in rows:
        key = row["key"]
        if group_by == "month":
            label = key.strftime("%Y-%m") if key else "—"
        else:
            label = labels.get(key, str(key or "—"))
        result.append(MetricRow(
            key=key, label=label, cases=row["cases"], resolved=row["resolved"],
            avg_first_response_minutes=row["avg_first_response"], avg_resolution_minutes=row["avg_resolution"],
            breached=row["breached"], reopened=row["reopened"],
        ))
    return result


@dataclass
class LoopReport:
    """How many resolved complaints went through every step of the closed loop."""

    complaints: int
    guest_told: int
    manager_ok: int
    alert_ok: int
    followup_ok: int
    loop_closed: int
    promoted: int

    @property
    def closed_rate(self) -> float:
        return self.loop_closed / self.complaints if self.complaints else 0.0


def loop_closed_q() -> Q:
    return (Q(loop_guest=LoopStep.DONE) & Q(loop_manager__in=LOOP_OK) & Q(loop_alert__in=LOOP_OK)
            & Q(loop_followup__in=LOOP_OK))


def loop_report(*, user: Any, date_from: dt.date | None = None, date_to: dt.date | None = None,
                property_id: int | None = None) -> LoopReport:
    """One aggregate over complaints resolved or closed (by opening date in the period)."""
    qs = _period(Case.objects.visible_to(user), date_from, date_to).filter(
        case_type=CaseType.COMPLAINT, status__in=(CaseStatus.RESOLVED, CaseStatus.CLOSED))
    if property_id:
        qs = qs.filter(property_id=property_id)
    agg = qs.aggregate(
        complaints=Count("id"),
        guest_told=Count("id", filter=Q(loop_guest=LoopStep.DONE)),
        manager_ok=Count("id", filter=Q(loop_manager__in=LOOP_OK)),
        alert_ok=Count("id", filter=Q(loop_alert__in=LOOP_OK)),
        followup_ok=Count("id", filter=Q(loop_followup__in=LOOP_OK)),
        loop_closed=Count("id", filter=loop_closed_q()),
        promoted=Count("id", filter=Q(kb_article__isnull=False)),
    )
    return LoopReport(**agg)
