"""Reads for account management: a rep's accounts by value, the company hierarchy with rolled-up revenue, the
ownership history, accounts due for contact and the "Today" page. Sums and counts run in the database."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.apps import apps
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from concierge.core.choices import CONTACT_KINDS
from concierge.core.models import Activity
from concierge.guests.models import Company, Contact
from concierge.sales.models import AccountOwnership, AccountPlan, AccountTeamMember, Handover
from concierge.sales.services import REMINDER_STATUSES, reminder_due_on
from concierge.stays.choices import PRODUCTIVE_STATUSES
from concierge.stays.models import Stay
from concierge.worklist.models import Task, TaskStatus

MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)
TOTAL_REVENUE = F("room_revenue") + F("fnb_revenue") + F("other_revenue")
MAX_DEPTH = 8


def _optional_model(label: str) -> Any:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _count_subquery(qs: QuerySet, ref: str = "company_id") -> Subquery:
    return Coalesce(Subquery(qs.filter(**{ref: OuterRef("pk")}).order_by().values(ref)
                             .annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0)


def revenue_since(user: Any, since: dt.date) -> QuerySet:
    """Productive stays at the user's properties departing since `since`, per company (for subqueries)."""
    return (Stay.objects.visible_to(user)
            .filter(company=OuterRef("pk"), status__in=PRODUCTIVE_STATUSES, departure__gte=since)
            .order_by().values("company"))


def accounts_by_value(user: Any, companies: QuerySet, *, today: dt.date | None = None) -> QuerySet:
    """`companies` with revenue and room nights of the last 12 months, last contact and open items, best first."""
    today = today or timezone.localdate()
    stays = revenue_since(user, today - dt.timedelta(days=365))
    last = Activity.objects.filter(company=OuterRef("pk"), kind__in=CONTACT_KINDS).order_by("-occurred_at", "-id")
    qs = companies.annotate(
        revenue_12m=Coalesce(Subquery(stays.annotate(t=Sum(TOTAL_REVENUE, output_field=MONEY)).values("t")), ZERO,
                             output_field=MONEY),
        nights_12m=Coalesce(Subquery(stays.annotate(n=Sum("room_nights")).values("n")), 0),
        last_contact_at=Subquery(last.values("occurred_at")[:1]),
        last_contact_kind=Subquery(last.values("kind")[:1]),
        last_contact_by=Subquery(last.annotate(by=Coalesce(NullIf("actor__first_name", Value("")), "actor__username"))
                                 .values("by")[:1]),
        last_contact_summary=Subquery(last.values("summary")[:1]),
        open_tasks=_count_subquery(Task.objects.filter(status=TaskStatus.OPEN)),
    )
    case = _optional_model("cases.Case")
    if case is not None:
        from concierge.cases.choices import OPEN_STATUSES

        qs = qs.annotate(open_cases=_count_subquery(case.objects.filter(status__in=OPEN_STATUSES)))
    opportunity = _optional_model("pipeline.Opportunity")
    if opportunity is not None and any(f.name == "status" for f in opportunity._meta.get_fields()):
        qs = qs.annotate(open_opportunities=_count_subquery(opportunity.objects.filter(status="open")))
    return qs.select_related("owner").order_by("-revenue_12m", "name_zh", "pk")


# --- hierarchy ---------------------------------------------------------------------------------------------------


@dataclass
class TreeNode:
    company: Company
    revenue: Decimal
    nights: int
    rolled_revenue: Decimal = Decimal("0")
    rolled_nights: int = 0
    children: list["TreeNode"] = field(default_factory=list)
    depth: int = 0
    current: bool = False


def company_tree(*, company: Company, user: Any, today: dt.date | None = None) -> TreeNode:
    """The group the company belongs to, from its top parent down, each node with its own and rolled-up revenue
    (last 12 months, productive stays at the user's properties). One query per level, one GROUP BY for revenue."""
    today = today or timezone.localdate()
    visible = Company.objects.visible_to(user)
    root = company
    seen = {company.pk}
    while root.parent_id and root.parent_id not in seen and len(seen) < MAX_DEPTH:
        parent = visible.filter(pk=root.parent_id).first()
        if parent is None:
            break
        seen.add(parent.pk)
        root = parent
    companies = {root.pk: root}
    children: dict[int, list[int]] = {}
    level = [root.pk]
    for _depth in range(MAX_DEPTH):
        rows = list(visible.filter(parent_id__in=level).exclude(pk__in=list(companies)).order_by("name_zh", "pk"))
        if not rows:
            break
        for row in rows:
            companies[row.pk] = row
            children.setdefault(row.parent_id, []).append(row.pk)
        level = [row.pk for row in rows]
    totals = {
        r["company_id"]: r for r in Stay.objects.visible_to(user).filter(
            company_id__in=list(companies), status__in=PRODUCTIVE_STATUSES,
            departure__gte=today - dt.timedelta(days=365),
        ).order_by().values("company_id").annotate(
            revenue=Coalesce(Sum(TOTAL_REVENUE, output_field=MONEY), ZERO), nights=Coalesce(Sum("room_nights"), 0))
    }

    def build(pk: int, depth: int) -> TreeNode:
        row = totals.get(pk, {})
        node = TreeNode(companies[pk], row.get("revenue") or Decimal("0"), row.get("nights") or 0, depth=depth,
                        current=pk == company.pk)
        node.children = [build(child, depth + 1) for child in children.get(pk, [])]
        node.rolled_revenue = node.revenue + sum((c.rolled_revenue for c in node.children), Decimal("0"))
        node.rolled_nights = node.nights + sum(c.rolled_nights for c in node.children)
        return node

    return build(root.pk, 0)


def flatten_tree(node: TreeNode) -> list[TreeNode]:
    result = [node]
    for child in node.children:
        result.extend(flatten_tree(child))
    return result


# --- account page ------------------------------------------------------------------------------------------------


def ownership_history(company: Company) -> QuerySet:
    return AccountOwnership.objects.filter(company=company).select_related("owner", "changed_by").order_by(
        "-valid_from", "-id")


def account_plan(company: Company) -> AccountPlan | None:
    return AccountPlan.objects.filter(company=company).select_related("updated_by").first()


def account_team(company: Company) -> QuerySet:
    return AccountTeamMember.objects.filter(company=company).select_related("user").order_by("role", "id")


def decision_makers(company: Company) -> QuerySet:
    return Contact.objects.filter(company=company, is_decision_maker=True, is_active=True).order_by("name")


def owner_on(company: Company, day: dt.date) -> Any:
    """Who owned the account on `day` (the rule performance uses: the period containing the departure date)."""
    row = (AccountOwnership.objects.filter(company=company, valid_from__lte=day)
           .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day)).select_related("owner")
           .order_by("-valid_from", "-id").first())
    return row.owner if row else None


# --- today -------------------------------------------------------------------------------------------------------


@dataclass
class DueAccount:
    company: Company
    due_on: dt.date
    last_contact_at: dt.datetime | None
    frequency_days: int


def accounts_due_for_contact(*, user: Any, today: dt.date | None = None, within_days: int = 0) -> list[DueAccount]:
    """The user's accounts whose agreed contact is due (by `today + within_days`), most overdue first."""
    today = today or timezone.localdate()
    last = (Activity.objects.filter(company_id=OuterRef("pk"), kind__in=CONTACT_KINDS).order_by()
            .values("company_id").annotate(m=Max("occurred_at")).values("m"))
    rows = (Company.objects.filter(owner_id=user.pk, contact_frequency_days__gt=0, status__in=REMINDER_STATUSES)
            .annotate(last_contact_at=Subquery(last)))
    result = []
    for company in rows:
        due_on = reminder_due_on(last_contact=company.last_contact_at, created_at=company.created_at,
                                 frequency_days=company.contact_frequency_days)
        if due_on <= today + dt.timedelta(days=within_days):
            result.append(DueAccount(company, due_on, company.last_contact_at, company.contact_frequency_days))
    return sorted(result, key=lambda d: (d.due_on, d.company.pk))


def birthdays_this_week(*, user: Any, today: dt.date | None = None) -> list[Contact]:
    """Active contacts of the accounts the user owns, with a birthday in the next 7 days (today included)."""
    today = today or timezone.localdate()
    days = [today + dt.timedelta(days=n) for n in range(7)]
    when = reduce(or_, (Q(birthday__month=d.month, birthday__day=d.day) for d in days))
    contacts = list(Contact.objects.filter(when, is_active=True, company__owner_id=user.pk).select_related("company"))
    order = {(d.month, d.day): i for i, d in enumerate(days)}
    for contact in contacts:
        contact.birthday_in_days = order[(contact.birthday.month, contact.birthday.day)]
    return sorted(contacts, key=lambda c: (c.birthday_in_days, c.name))


def contracts_expiring(*, user: Any, today: dt.date | None = None, days: int = 30) -> list[Any]:
    """The user's live contracts ending within `days` (empty when the contracts module is absent)."""
    contract = _optional_model("contracts.Contract")
    if contract is None or not all(any(f.name == n for f in contract._meta.get_fields())
                                   for n in ("owner", "status", "end_date", "company")):
        return []
    today = today or timezone.localdate()
    return list(contract.objects.filter(owner_id=user.pk, end_date__gte=today,
                                        end_date__lte=today + dt.timedelta(days=days))
                .exclude(status__in=["expired", "terminated", "cancelled"])
                .select_related("company").order_by("end_date")[:50])


@dataclass
class TodayPage:
    overdue: list[Task]
    due_today: list[Task]
    due_accounts: list[DueAccount]
    birthdays: list[Contact]
    contracts: list[Any]
    upcoming: list[Task]


def today_for(user: Any, *, today: dt.date | None = None) -> TodayPage:
    """Everything a rep should act on today."""
    from concierge.worklist.selectors import tasks_due, tasks_mine

    today = today or timezone.localdate()
    due = tasks_due(user, today=today)
    upcoming = list(tasks_mine(user).filter(due_on__gt=today, due_on__lte=today + dt.timedelta(days=7))[:20])
    return TodayPage(overdue=due["overdue"], due_today=due["today"],
                     due_accounts=accounts_due_for_contact(user=user, today=today),
                     birthdays=birthdays_this_week(user=user, today=today),
                     contracts=contracts_expiring(user=user, today=today), upcoming=upcoming)


def handovers_visible(user: Any) -> QuerySet:
    """Handovers `user` may open: all for group-wide users; otherwise those they made or whose departing colleague
    works at one of their properties (a sales manager of another hotel must not read this one's handovers)."""
    qs = Handover.objects.select_related("from_user", "default_to", "actor")
    property_ids = user.property_ids()
    if property_ids is None:
        return qs
    through = Handover.from_user.field.related_model.properties.through
    shares_property = through.objects.filter(user_id=OuterRef("from_user_id"), property_id__in=property_ids)
    return qs.filter(Q(actor_id=user.pk) | Q(Exists(shares_property)))
