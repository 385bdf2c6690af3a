"""Reads for surveys: who may be invited, link look-up, survey lists, responses and the results page.

The results page is built from a handful of grouped queries over `Answer` (which carries the survey,
property, month and time of its response and is covered by one index), so it stays fast with hundreds
of thousands of responses. The database counts answers per (property, month, question, score) — a
few thousand cells at most; the page's figures per question, department, month and property are
sums of those cells, and the statistics (NPS, CSAT and their intervals) come from `surveys.stats`.
"""
from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from concierge.guests.choices import ConsentChannel, GuestStatus
from concierge.guests.models import ConsentRecord, Guest
from concierge.properties.models import Property
from concierge.surveys.choices import (
    FIVE_POINT_KINDS,
    SCORED_KINDS,
    Department,
    InvitationStatus,
    QuestionKind,
    StatMetric,
    SurveyStatus,
)
from concierge.surveys.models import (
    Answer,
    Choice,
    Invitation,
    Question,
    Response,
    Survey,
    SurveyMarker,
    SurveyStat,
)
from concierge.surveys.stats import (
    Nps,
    Proportion,
    csat_from_histogram,
    mean_from_histogram,
    nps_from_histogram,
)
from concierge.surveys.tokens import InvalidLink, public_id_from_token

# --- who may be invited ---------------------------------------------------------------------------------------


def email_consent(guest_ref: str = "pk") -> Subquery:
    """The guest's email consent in force: the newest decision for the channel (None if never asked)."""
    return Subquery(
        ConsentRecord.objects.filter(guest_id=OuterRef(guest_ref), channel=ConsentChannel.EMAIL)
        .order_by("-recorded_at", "-id").values("granted")[:1]
    )


def recently_invited(since: dt.datetime, guest_ref: str = "pk") -> Exists:
    """Whether the guest was invited to any survey since `since` (survey fatigue)."""
    return Exists(
        Invitation.objects.filter(guest_id=OuterRef(guest_ref), created_at__gte=since)
        .exclude(status=InvitationStatus.SKIPPED)
    )


def reachable_guests(guests: QuerySet, *, since: dt.datetime | None = None) -> QuerySet:
    """Guests we may email a survey: an address, email consent in force, not merged or unsuitable,
    and (with `since`) not invited to any survey since then."""
    qs = (
        guests.filter(merged_into__isnull=True).exclude(email="").exclude(status=GuestStatus.UNSUITABLE)
        .alias(email_ok=email_consent()).filter(email_ok=True)
    )
    if since is not None:
        qs = qs.exclude(recently_invited(since))
    return qs


def email_consent_in_force(guest_ids: list[int]) -> set[int]:
    """Of these guests, those whose newest email consent is a grant (one query)."""
    return set(
        Guest.objects.filter(pk__in=guest_ids).alias(email_ok=email_consent()).filter(email_ok=True)
        .values_list("pk", flat=True)
    )


def audience_guests(*, user: Any, audience: dict[str, Any]) -> QuerySet:
    """The guests a periodic run is for, from its stored filter, among those `user` may see.

    Keys: `guest_ids`, `company_ids` (their staff and travellers), `property` (guests linked to it),
    `stayed_within_days`, `tag`, `language`. Segments from the analytics module will add a key here.
    """
    from concierge.stays.choices import PRODUCTIVE_STATUSES
    from concierge.stays.models import Stay

    qs = Guest.objects.visible_to(user).filter(merged_into__isnull=True)
    if audience.get("guest_ids"):
        qs = qs.filter(pk__in=audience["guest_ids"])
    if audience.get("company_ids"):
        ids = audience["company_ids"]
        qs = qs.filter(Q(company_id__in=ids) | Q(contact_roles__company_id__in=ids))
    if audience.get("property"):
        qs = qs.filter(property_links__property_id=audience["property"])
    if audience.get("stayed_within_days"):
        since = timezone.localdate() - dt.timedelta(days=int(audience["stayed_within_days"]))
        stays = Stay.objects.filter(guest_id=OuterRef("pk"), departure__gte=since, status__in=PRODUCTIVE_STATUSES)
        if audience.get("property"):
            stays = stays.filter(property_id=audience["property"])
        qs = qs.filter(Exists(stays))
    if audience.get("tag"):
        qs = qs.filter(tags__name=audience["tag"])
    if audience.get("language"):
        qs = qs.filter(language=audience["language"])
    return qs.distinct()


# --- links ------------------------------------------------------------------------------------------------------


class LinkState(enum.Enum):
    OPEN = "open"
    INVALID = "invalid"
    EXPIRED = "expired"
    ANSWERED = "answered"
    CLOSED = "closed"


def invitation_for_link(token: str, *, now: dt.datetime | None = None) -> tuple[LinkState, Invitation | None]:
    """The invitation behind a survey link and whether it can be answered now."""
    try:
        public_id = public_id_from_token(token)
    except InvalidLink:
        return LinkState.INVALID, None
    invitation = (
        Invitation.objects.select_related("survey", "guest", "property", "stay").filter(public_id=public_id).first()
    )
    if invitation is None:
        return LinkState.INVALID, None
    if invitation.answered_at is not None:
        return LinkState.ANSWERED, invitation
    if invitation.expires_at <= (now or timezone.now()):
        return LinkState.EXPIRED, invitation
    if invitation.survey.status != SurveyStatus.ACTIVE:
        return LinkState.CLOSED, invitation
    return LinkState.OPEN, invitation


def survey_questions(survey: Survey) -> list[Question]:
    """The questions a guest is asked, in order, with their options."""
    return list(survey.questions.filter(is_active=True).prefetch_related("choices").order_by("position", "id"))


# --- lists ------------------------------------------------------------------------------------------------------


def property_scope(user: Any, field_name: str = "property_id") -> Q:
    """Rows of the properties `user` works at (everything for group-wide users, nothing for anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    ids = user.property_ids()
    return Q() if ids is None else Q(**{f"{field_name}__in": ids})


def surveys_for(user: Any) -> QuerySet:
    """Surveys `user` may see, with question, invitation and response counts within their properties."""
    scope = property_scope(user, "property_key")

    def total(metric: str) -> Subquery:
        return Subquery(
            SurveyStat.objects.filter(scope, survey_id=OuterRef("pk"), metric=metric)
            .order_by().values("survey_id").annotate(c=Sum("n")).values("c"), output_field=IntegerField())

    questions = (
        Question.objects.filter(survey_id=OuterRef("pk"), is_active=True)
        .order_by().values("survey_id").annotate(c=Count("id")).values("c")
    )
    return (
        Survey.objects.visible_to(user).select_related("property")
        .annotate(
            sent_count=Coalesce(total(StatMetric.SENT), 0),
            response_count=Coalesce(total(StatMetric.RESPONSE), 0),
            question_count=Coalesce(Subquery(questions, output_field=IntegerField()), 0),
        )
    )


def responses_for(*, user: Any, survey: Survey | None = None) -> QuerySet:
    """Responses whose guest `user` may see (property scoping), newest first."""
    qs = Response.objects.visible_to(user).select_related("guest", "property", "stay", "survey")
    if survey is not None:
        qs = qs.filter(survey=survey)
    return qs


def text_answers(*, user: Any, survey: Survey) -> QuerySet:
    """Open-text answers of visible guests, newest first, with what staff need to act on them."""
    visible = responses_for(user=user, survey=survey).values("pk")
    return (
        Answer.objects.filter(survey=survey, response_id__in=visible).exclude(text="")
        .select_related("question", "response__guest", "response__property", "response__stay", "preference")
        .order_by("-submitted_at", "-id")
    )


def invitations_for(*, user: Any, survey: Survey) -> QuerySet:
    return (
        Invitation.objects.visible_to(user).filter(survey=survey)
        .select_related("guest", "property", "stay").order_by("-created_at", "-id")
    )


def invitation_counts(*, user: Any, survey: Survey) -> dict[str, int]:  # status value -> count
    """Invitations of the survey by status, within the user's properties."""
    rows = (
        Invitation.objects.filter(property_scope(user), survey=survey)
        .order_by().values("status").annotate(c=Count("id"))
    )
    counts = {status.value: 0 for status in InvitationStatus}
    counts.update({row["status"]: row["c"] for row in rows})
    return counts


def markers_for(*, user: Any, survey: Survey | None = None) -> QuerySet:
    """Change markers `user` may see that concern the survey's property (or every property), newest first."""
    qs = SurveyMarker.objects.visible_to(user).select_related("property")
    if survey is not None and survey.property_id:
        qs = qs.filter(Q(property__isnull=True) | Q(property_id=survey.property_id))
    return qs.order_by("-date", "-id")


# --- results ----------------------------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: Question
    n: int = 0
    mean: float | None = None
    csat: Proportion | None = None
    nps: Nps | None = None
    histogram: list[tuple[int, int]] = field(default_factory=list)
    choices: list[tuple[Choice, int]] = field(default_factory=list)


@dataclass
class DepartmentResult:
    department: str
    label: str
    n: int
    mean: float | None
    csat: Proportion


@dataclass
class MonthResult:
    month: dt.date
    nps: Nps
    csat: Proportion


@dataclass
class PropertyResult:
    property: Property
    invited: int
    responses: int
    response_rate: Proportion
    nps: Nps
    csat: Proportion
    months: list[MonthResult] = field(default_factory=list)


@dataclass
class BeforeAfterRow:
    department: str
    label: str
    before: Proportion
    after: Proportion
    mean_before: float | None
    mean_after: float | None

    @property
    def change(self) -> float | None:
        if self.before.rate is None or self.after.rate is None:
            return None
        return self.after.rate - self.before.rate


@dataclass
class BeforeAfter:
    pivot: dt.date
    window_days: int
    label: str
    rows: list[BeforeAfterRow]
    # CSAT per month and department around the pivot, for the line chart.
    months: list[dt.date]
    series: dict[str, list[float | None]]


@dataclass
class SurveyResults:
    survey: Survey
    date_from: dt.date
    date_to: dt.date
    invited: int
    responses: int
    response_rate: Proportion
    nps: Nps
    csat: Proportion
    questions: list[QuestionResult]
    departments: list[DepartmentResult]
    months: list[MonthResult]
    properties: list[PropertyResult]
    before_after: BeforeAfter | None
    markers: list[SurveyMarker]


def _month_starts(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    months, day = [], date_from.replace(day=1)
    while day <= date_to:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def results_scope(*, user: Any, property: Property | None = None) -> Q:  # noqa: A002
    """The statistics the results may count: the user's properties, or one of them."""
    scope = property_scope(user, "property_key")
    if property is not None:
        scope &= Q(property_key=property.pk)
    return scope


def _histogram() -> dict[int, int]:
    return defaultdict(int)


def survey_results(
    *,
    survey: Survey,
    user: Any,
    date_from: dt.date,
    date_to: dt.date,
    property: Property | None = None,  # noqa: A002
    pivot: dt.date | None = None,
    pivot_label: str = "",
    window_days: int = 120,
    department: str = "",
) -> SurveyResults:
    """Everything the results page shows, for responses submitted between the two dates (local days, inclusive).

    Reads the daily counts in `SurveyStat`: the database sums them per (property, month, question, score) —
    a few thousand cells at most — and per option, text question, property and metric; the figures per
    question, department, month and property are sums of those cells, and NPS, CSAT and their intervals come
    from `surveys.stats`.
    """
    scope = results_scope(user=user, property=property)
    stats = SurveyStat.objects.filter(scope, survey=survey, day__gte=date_from, day__lte=date_to).order_by()
    questions = list(survey.questions.prefetch_related("choices").order_by("position", "id"))
    nps_ids = [q.pk for q in questions if q.kind == QuestionKind.NPS]
    five_ids = {q.pk for q in questions if q.kind in FIVE_POINT_KINDS}
    headline_nps = set(nps_ids[:1])  # the survey's NPS is its first 0–10 question

    # 1. The cube: answers per (property, month, question, score).
    cube = (stats.filter(metric=StatMetric.ANSWER).annotate(month=TruncMonth("day"))
            .values("property_key", "month", "question_key", "value").annotate(c=Sum("n")))
    per_question: dict[int, dict[int, int]] = defaultdict(_histogram)
    per_month: dict[Any, dict[str, dict[int, int]]] = defaultdict(lambda: {"nps": _histogram(), "five": _histogram()})
    per_property: dict[int, dict[str, dict[int, int]]] = defaultdict(
        lambda: {"nps": _histogram(), "five": _histogram()})
    per_property_month: dict[tuple[int, Any], dict[str, dict[int, int]]] = defaultdict(
        lambda: {"nps": _histogram(), "five": _histogram()})
    for row in cube:
        qid, score, count, month = row["question_key"], row["value"], row["c"], _as_date(row["month"])
        per_question[qid][score] += count
        group = "nps" if qid in headline_nps else "five" if qid in five_ids else None
        if group:
            per_month[month][group][score] += count
            per_property[row["property_key"]][group][score] += count
            per_property_month[(row["property_key"], month)][group][score] += count

    # 2. Options chosen and texts written per question.
    choice_counts = dict(stats.filter(metric=StatMetric.CHOICE).values("value").annotate(c=Sum("n"))
                         .values_list("value", "c"))
    text_counts = dict(stats.filter(metric=StatMetric.TEXT).values("question_key").annotate(c=Sum("n"))
                       .values_list("question_key", "c"))

    # 3. Responses, invitations sent in the period and how many of those were answered: totals and per property.
    events = (StatMetric.RESPONSE, StatMetric.SENT, StatMetric.ANSWERED)
    totals = defaultdict(int, stats.filter(metric__in=events).values("metric").annotate(c=Sum("n"))
                         .values_list("metric", "c"))
    by_property: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in stats.filter(metric__in=events).values("property_key", "metric").annotate(c=Sum("n")):
        by_property[row["property_key"]][row["metric"]] = row["c"]

    question_results = []
    for question in questions:
        histogram = per_question.get(question.pk, {})
        result = QuestionResult(question=question, n=sum(histogram.values()), mean=mean_from_histogram(histogram))
        if question.kind in SCORED_KINDS:
            low, high = question.score_range or (0, 10)
            result.histogram = [(s, histogram.get(s, 0)) for s in range(low, high + 1)]
            if question.kind == QuestionKind.NPS:
                result.nps = nps_from_histogram(histogram)
            else:
                result.csat = csat_from_histogram(histogram)
        elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            result.choices = [(c, choice_counts.get(c.pk, 0)) for c in question.choices.all()]
            result.n = sum(count for _c, count in result.choices)
        else:
            result.n = text_counts.get(question.pk, 0)
        if question.is_active or result.n:
            question_results.append(result)

    departments: dict[str, dict[int, int]] = defaultdict(_histogram)
    for question in questions:
        if question.kind == QuestionKind.DEPARTMENT:
            for score, count in per_question.get(question.pk, {}).items():
                departments[question.department][score] += count
    order = list(Department.values)
    department_results = [
        DepartmentResult(code, _department_label(code), sum(h.values()), mean_from_histogram(h),
                         csat_from_histogram(h))
        for code, h in sorted(departments.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99)
    ]

    months = _month_starts(date_from, date_to)
    month_results = [
        MonthResult(m, nps_from_histogram(per_month[m]["nps"]), csat_from_histogram(per_month[m]["five"]))
        for m in months
    ]
    all_five: dict[int, int] = _histogram()
    all_nps: dict[int, int] = _histogram()
    for qid, histogram in per_question.items():
        target = all_nps if qid in headline_nps else all_five if qid in five_ids else None
        if target is not None:
            for score, count in histogram.items():
                target[score] += count

    property_objs = {p.pk: p for p in Property.objects.filter(pk__in=[i for i in set(by_property) | set(per_property)
                                                                      if i])}
    property_results = []
    for pid in sorted(property_objs, key=lambda i: property_objs[i].code):
        counts = by_property.get(pid, {})
        property_results.append(PropertyResult(
            property=property_objs[pid], invited=counts.get(StatMetric.SENT, 0),
            responses=counts.get(StatMetric.RESPONSE, 0),
            response_rate=Proportion(k=counts.get(StatMetric.ANSWERED, 0), n=counts.get(StatMetric.SENT, 0)),
            nps=nps_from_histogram(per_property[pid]["nps"]), csat=csat_from_histogram(per_property[pid]["five"]),
            months=[MonthResult(m, nps_from_histogram(per_property_month[(pid, m)]["nps"]),
                                csat_from_histogram(per_property_month[(pid, m)]["five"])) for m in months],
        ))

    markers = list(markers_for(user=user, survey=survey).filter(
        Q(property__isnull=True) | Q(property=property) if property is not None else Q())[:20])
    before_after = None
    if pivot is not None:
        before_after = _before_after(survey=survey, questions=questions, scope=scope, pivot=pivot,
                                     window_days=window_days, label=pivot_label, department=department)

    return SurveyResults(
        survey=survey, date_from=date_from, date_to=date_to,
        invited=totals[StatMetric.SENT], responses=totals[StatMetric.RESPONSE],
        response_rate=Proportion(k=totals[StatMetric.ANSWERED], n=totals[StatMetric.SENT]),
        nps=nps_from_histogram(all_nps), csat=csat_from_histogram(all_five),
        questions=question_results, departments=department_results, months=month_results,
        properties=property_results, before_after=before_after, markers=markers,
    )


def _as_date(value: Any) -> dt.date:
    """TruncMonth of a DateField gives a date on PostgreSQL and may give a datetime elsewhere."""
    return value.date() if isinstance(value, dt.datetime) else value


def _department_label(code: str) -> str:
    return str(Department(code).label) if code in Department.values else code


def _before_after(
    *, survey: Survey, questions: list[Question], scope: Q, pivot: dt.date, window_days: int, label: str,
    department: str,
) -> BeforeAfter:
    """Department CSAT in the `window_days` before the pivot date against the same span after it, and by month."""
    start, end = pivot - dt.timedelta(days=window_days), pivot + dt.timedelta(days=window_days)
    department_of = {q.pk: q.department for q in questions if q.kind == QuestionKind.DEPARTMENT
                     and (not department or q.department == department)}
    rows = (
        SurveyStat.objects.filter(scope, survey=survey, metric=StatMetric.ANSWER, question_key__in=list(department_of),
                                  day__gte=start, day__lt=end)
        .annotate(month=TruncMonth("day"),
                  after=Case(When(day__gte=pivot, then=Value(1)), default=Value(0), output_field=IntegerField()))
        .order_by().values("question_key", "month", "after", "value").annotate(c=Sum("n"))
    )
    halves: dict[str, dict[int, dict[int, int]]] = defaultdict(lambda: {0: _histogram(), 1: _histogram()})
    monthly: dict[tuple[str, dt.date], dict[int, int]] = defaultdict(_histogram)
    for row in rows:
        code = department_of[row["question_key"]]
        halves[code][row["after"]][row["value"]] += row["c"]
        monthly[(code, _as_date(row["month"]))][row["value"]] += row["c"]
    result_rows = []
    for code in [c for c in Department.values if c in halves]:
        before, after = halves[code][0], halves[code][1]
        result_rows.append(BeforeAfterRow(
            department=code, label=_department_label(code), before=csat_from_histogram(before),
            after=csat_from_histogram(after), mean_before=mean_from_histogram(before),
            mean_after=mean_from_histogram(after),
        ))
    months = _month_starts(start, end - dt.timedelta(days=1))
    series = {code: [csat_from_histogram(monthly[(code, m)]).rate for m in months] for code in halves}
    return BeforeAfter(pivot=pivot, window_days=window_days, label=label, rows=result_rows, months=months,
                       series=series)
