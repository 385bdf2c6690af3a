"""Reads of the pipeline: lists, the weighted forecast, stage conversion rates and the monthly rep scorecards.

Everything is summed in the database: one grouped query per figure, never a loop over rows. The same functions
feed the pages, the API and bench/sales.py.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from concierge.pipeline.choices import OpportunityStatus
from concierge.pipeline.models import Opportunity, SalesTarget, Stage

MONEY = DecimalField(max_digits=18, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    """First day, first day of next month, and the same as aware datetimes in the current time zone."""
    start = month_start(month)
    end = start + relativedelta(months=1)
    tz = timezone.get_current_timezone()
    return (start, end, dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end, dt.time.min, tzinfo=tz))


def opportunity_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet:
    """Visible opportunities with the related rows a list shows, filtered by stage, status, owner, property,
    company, text and expected close range."""
    qs = Opportunity.objects.visible_to(user).select_related("company", "owner", "stage", "property")
    f = filters or {}
    if f.get("stage"):
        qs = qs.filter(stage_id=f["stage"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("owner"):
        qs = qs.filter(owner_id=f["owner"])
    if f.get("property"):
        qs = qs.filter(property_id=f["property"])
    if f.get("company"):
        qs = qs.filter(company_id=f["company"])
    if f.get("q"):
        q = f["q"]
        qs = qs.filter(Q(title__icontains=q) | Q(company__name_zh__icontains=q) | Q(company__name_en__icontains=q))
    if f.get("close_from"):
        qs = qs.filter(expected_close__gte=f["close_from"])
    if f.get("close_to"):
        qs = qs.filter(expected_close__lte=f["close_to"])
    return qs.order_by("-created_at", "-id")


def kanban_columns(*, user: Any, filters: dict[str, Any] | None = None, per_column: int = 50) -> list[dict[str, Any]]:
    """Stages in order, each with its visible open (or, for won/lost stages, recently closed) cards, count and sum.

    Counts and sums come from one grouped query; cards from one query per column (a handful of stages)."""
    stages = list(Stage.objects.filter(is_active=True).order_by("order", "id"))
    base = opportunity_list(user=user, filters=filters)
    since = timezone.localdate() - dt.timedelta(days=90)
    # Closed columns only show the last 90 days, or they would grow forever.
    base = base.filter(Q(status=OpportunityStatus.OPEN) | Q(closed_on__gte=since))
    totals = {
        row["stage_id"]: row
        for row in base.order_by().values("stage_id").annotate(n=Count("id"), total=Coalesce(Sum("value"), ZERO))
    }
    columns = []
    for stage in stages:
        cards = list(base.filter(stage=stage).order_by("expected_close", "-id")[:per_column])
        row = totals.get(stage.pk, {"n": 0, "total": Decimal("0")})
        columns.append({"stage": stage, "cards": cards, "count": row["n"], "total": row["total"]})
    return columns


def _weighted() -> ExpressionWrapper:
    return ExpressionWrapper(F("value") * F("probability") / Value(Decimal("100")), output_field=MONEY)


@dataclass
class Forecast:
    """Open pipeline expected to close in [start, end): per month, per owner, per property, and the totals."""

    start: dt.date
    end: dt.date
    by_month: list[dict[str, Any]] = field(default_factory=list)
    by_owner: list[dict[str, Any]] = field(default_factory=list)
    by_property: list[dict[str, Any]] = field(default_factory=list)
    total_value: Decimal = Decimal("0")
    total_weighted: Decimal = Decimal("0")
    count: int = 0


def forecast(*, user: Any, start: dt.date, months: int = 6, owner_id: int | None = None,
             property_id: int | None = None, queryset: QuerySet | None = None) -> Forecast:
    """Weighted forecast (value × probability) of open opportunities by month of expected close, owner and
    property. `queryset` replaces the scoped base `Opportunity.objects.visible_to(user)`."""
    start = month_start(start)
    end = start + relativedelta(months=months)
    qs = queryset if queryset is not None else Opportunity.objects.visible_to(user)
    qs = qs.filter(status=OpportunityStatus.OPEN, expected_close__gte=start, expected_close__lt=end)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if property_id:
        qs = qs.filter(property_id=property_id)
    qs = qs.order_by()
    sums = {"n": Count("id"), "value_sum": Coalesce(Sum("value"), ZERO), "weighted": Coalesce(Sum(_weighted()), ZERO)}
    result = Forecast(start=start, end=end)
    monthly = qs.annotate(month=TruncMonth("expected_close")).values("month").annotate(**sums)
    found = {row["month"]: row for row in monthly}
    for i in range(months):
        month = start + relativedelta(months=i)
        row = found.get(month) or found.get(dt.datetime.combine(month, dt.time.min)) or {}
        result.by_month.append({"month": month, "n": row.get("n", 0), "value_sum": row.get("value_sum", Decimal("0")),
                                "weighted": row.get("weighted", Decimal("0"))})
    result.by_owner = list(
        qs.values("owner_id", "owner__username", "owner__first_name", "owner__last_name").annotate(**sums)
        .order_by("-weighted", "owner_id")
    )
    result.by_property = list(
        qs.values("property_id", "property__code", "property__name_zh", "property__name_en").annotate(**sums)
        .order_by("-weighted", "property_id")
    )
    totals = qs.aggregate(**sums)
    result.total_value, result.total_weighted, result.count = totals["value_sum"], totals["weighted"], totals["n"]
    return result


def conversion_rates(*, user: Any, queryset: QuerySet | None = None) -> list[dict[str, Any]]:
    """The funnel: for each open/won stage in order, how many visible opportunities reached it and the share of
    those that went on to reach the next stage.

    An opportunity "reached" a stage when its history (StageChange, creation included) shows it in that stage or
    any later non-lost stage; skipping a stage still counts as passing it. Lost stages are not part of the funnel.
    """
    from concierge.pipeline.models import StageChange

    stages = list(Stage.objects.filter(is_active=True, is_lost=False).order_by("order", "id"))
    if not stages:
        return []
    opps = queryset if queryset is not None else Opportunity.objects.visible_to(user)
    changes = StageChange.objects.filter(to_stage__is_lost=False)
    if opps.query.has_filters():  # a group-wide viewer needs no restriction (and no IN over every opportunity)
        changes = changes.filter(opportunity__in=opps.values("id"))
    tops = (
        changes
        .values("opportunity_id").annotate(top=Max("to_stage__order")).order_by()
    )
    counts = tops.aggregate(**{f"s{s.pk}": Count("opportunity_id", filter=Q(top__gte=s.order)) for s in stages})
    rows = []
    for i, stage in enumerate(stages):
        reached = counts[f"s{stage.pk}"] or 0
        nxt = counts[f"s{stages[i + 1].pk}"] or 0 if i + 1 < len(stages) else None
        rate = (Decimal(nxt) * 100 / reached).quantize(Decimal("0.1")) if nxt is not None and reached else None
        overall = (Decimal(reached) * 100 / (counts[f"s{stages[0].pk}"] or 1)).quantize(Decimal("0.1"))
        rows.append({"stage": stage, "reached": reached, "next_reached": nxt, "rate": rate, "of_first": overall})
    return rows


# --- scorecards -------------------------------------------------------------------------------------------------

MONEY_METRICS = ("revenue", "pipeline_added", "won_value")
METRICS = ("revenue", "room_nights", "new_accounts", "contracts_signed", "visits", "pipeline_added", "won_value")


def metric_labels() -> dict[str, str]:
    """Translated names of the scorecard figures (CSV header, chart)."""
    from django.utils.translation import gettext as _

    return {"revenue": _("Revenue"), "room_nights": _("Room nights"), "new_accounts": _("New accounts"),
            "contracts_signed": _("Contracts signed"), "visits": _("Visits"), "pipeline_added": _("Pipeline added"),
            "won_value": _("Won value")}


@dataclass
class Scorecard:
    """One rep's figures for one month, their targets and attainment (actual / target × 100)."""

    rep: Any
    month: dt.date
    actual: dict[str, Any]
    target: dict[str, Any] | None
    attainment: dict[str, Decimal | None]

    @property
    def cells(self) -> list[dict[str, Any]]:
        """The figures in METRICS order, for table rows."""
        return [{"metric": m, "actual": self.actual[m], "target": self.target[m] if self.target else None,
                 "attainment": self.attainment[m], "money": m in MONEY_METRICS} for m in METRICS]


def revenue_by_rep(*, rep_ids: list[int], start: dt.date, end: dt.date) -> dict[int, dict[str, Any]]:
    """Revenue (room + F&B + other) and room nights of productive stays billed to a company, departing in
    [start, end), credited to the account owner at departure.

    One join ownership ⋈ company ⋈ stays on "the period contains the departure" (both ends inclusive). When two
    periods of a company both contain the day (old `valid_to` = new `valid_from`), the later-starting one wins: a
    period is skipped if a later period of the same company had started by the departure. (A correlated
    sub-query per stay was 4× slower at 1,000,000 stays: bench/sales.py.)"""
    from concierge.sales.models import AccountOwnership
    from concierge.stays.choices import PRODUCTIVE_STATUSES

    departure = "company__stays__departure"
    superseded = AccountOwnership.objects.filter(
        company_id=OuterRef("company_id"), valid_from__gt=OuterRef("valid_from"), valid_from__lte=OuterRef(departure)
    )
    revenue = ExpressionWrapper(
        F("company__stays__room_revenue") + F("company__stays__fnb_revenue") + F("company__stays__other_revenue"),
        output_field=MONEY,
    )
    rows = (
        # One filter() call: a second one over the multi-valued `company__stays` would join the stays again.
        AccountOwnership.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=F(departure)) & ~Exists(superseded),
            owner_id__in=rep_ids,
            company__stays__departure__gte=start, company__stays__departure__lt=end,
            company__stays__status__in=PRODUCTIVE_STATUSES, valid_from__lte=F(departure),
        )
        .values("owner_id")
        .annotate(revenue=Coalesce(Sum(revenue), ZERO), room_nights=Coalesce(Sum("company__stays__room_nights"), 0))
        .order_by()
    )
    return {r["owner_id"]: r for r in rows}


def new_accounts_by_rep(*, rep_ids: list[int], start: dt.date, end: dt.date) -> dict[int, int]:
    """New accounts: companies whose first-ever ownership period starts in the month, counted for that period's
    owner. Accounts received in a handover are not new (they already had an earlier owner)."""
    from concierge.sales.models import AccountOwnership

    earlier = AccountOwnership.objects.filter(company_id=OuterRef("company_id"), valid_from__lt=OuterRef("valid_from"))
    rows = (
        AccountOwnership.objects.filter(owner_id__in=rep_ids, valid_from__gte=start, valid_from__lt=end)
        .filter(~Exists(earlier)).values("owner_id").annotate(n=Count("company_id", distinct=True)).order_by()
    )
    return {r["owner_id"]: r["n"] for r in rows}


def _contract_model() -> Any:
    """The contracts app's Contract, if it is installed and has the fields the scorecard needs."""
    try:
        model = apps.get_model("contracts", "Contract")
        model._meta.get_field("signed_on")
        model._meta.get_field("owner")
    except (LookupError, FieldDoesNotExist):
        return None
    return model


def contracts_by_rep(*, rep_ids: list[int], start: dt.date, end: dt.date) -> dict[int, int]:
    """Contracts whose signing date falls in the month, counted for the contract's owner (0 without contracts)."""
    model = _contract_model()
    if model is None:
        return {}
    rows = (
        model.objects.filter(owner_id__in=rep_ids, signed_on__gte=start, signed_on__lt=end)
        .values("owner_id").annotate(n=Count("id")).order_by()
    )
    return {r["owner_id"]: r["n"] for r in rows}


def visits_by_rep(*, rep_ids: list[int], start_at: dt.datetime, end_at: dt.datetime) -> dict[int, int]:
    """Timeline entries of kind "visit" made by the rep in the month."""
    from concierge.core.choices import ActivityKind
    from concierge.core.models import Activity

    rows = (
        Activity.objects.filter(kind=ActivityKind.VISIT, actor_id__in=rep_ids, occurred_at__gte=start_at,
                                occurred_at__lt=end_at)
        .values("actor_id").annotate(n=Count("id")).order_by()
    )
    return {r["actor_id"]: r["n"] for r in rows}


def opportunities_by_rep(*, rep_ids: list[int], start: dt.date, end: dt.date, start_at: dt.datetime,
                         end_at: dt.datetime) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Pipeline added (value of opportunities created in the month, credited to the owner when created) and won
    value (opportunities won with a close date in the month, credited to their owner)."""
    added = (
        Opportunity.objects.filter(created_at__gte=start_at, created_at__lt=end_at)
        .annotate(credit=Coalesce("origin_owner_id", "owner_id")).filter(credit__in=rep_ids)
        .values("credit").annotate(total=Coalesce(Sum("value"), ZERO)).order_by()
    )
    won = (
        Opportunity.objects.filter(status=OpportunityStatus.WON, closed_on__gte=start, closed_on__lt=end,
                                   owner_id__in=rep_ids)
        .values("owner_id").annotate(total=Coalesce(Sum("value"), ZERO)).order_by()
    )
    return {r["credit"]: r["total"] for r in added}, {r["owner_id"]: r["total"] for r in won}


def _attainment(actual: Any, target: Any) -> Decimal | None:
    if target in (None, 0) or Decimal(target) == 0:
        return None
    return (Decimal(actual) * 100 / Decimal(target)).quantize(Decimal("0.1"))


def scorecards(*, reps: Iterable[Any], month: dt.date) -> list[Scorecard]:
    """The monthly scorecard of each rep in `reps`: seven grouped queries whatever the number of reps."""
    reps = list(reps)
    rep_ids = [r.pk for r in reps]
    start, end, start_at, end_at = month_bounds(month)
    revenue = revenue_by_rep(rep_ids=rep_ids, start=start, end=end)
    new = new_accounts_by_rep(rep_ids=rep_ids, start=start, end=end)
    contracts = contracts_by_rep(rep_ids=rep_ids, start=start, end=end)
    visits = visits_by_rep(rep_ids=rep_ids, start_at=start_at, end_at=end_at)
    added, won = opportunities_by_rep(rep_ids=rep_ids, start=start, end=end, start_at=start_at, end_at=end_at)
    targets = {t.user_id: t for t in SalesTarget.objects.filter(user_id__in=rep_ids, month=start)}
    cards = []
    for rep in reps:
        rev = revenue.get(rep.pk, {})
        actual = {
            "revenue": rev.get("revenue", Decimal("0")),
            "room_nights": rev.get("room_nights", 0),
            "new_accounts": new.get(rep.pk, 0),
            "contracts_signed": contracts.get(rep.pk, 0),
            "visits": visits.get(rep.pk, 0),
            "pipeline_added": added.get(rep.pk, Decimal("0")),
            "won_value": won.get(rep.pk, Decimal("0")),
        }
        t = targets.get(rep.pk)
        target = {m: getattr(t, m) for m in METRICS} if t else None
        attainment = {m: _attainment(actual[m], target[m]) if target else None for m in METRICS}
        cards.append(Scorecard(rep=rep, month=start, actual=actual, target=target, attainment=attainment))
    return cards
