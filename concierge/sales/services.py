"""Account management writes: owner changes (the only way `Company.owner` changes), account plans and teams,
visit reminders from the agreed contact frequency, logging contacts, and the rep handover.

Ownership periods are inclusive on both ends and never overlap: an owner change on day D closes the open row on
D - 1 and opens the new one on D, so a stay departing on D is credited to the new owner. A second change on the
same day corrects the open row in place (the timeline keeps both changes).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.core.choices import CONTACT_KINDS, ActivityKind
from concierge.core.i18n import LocalizedText
from concierge.core.models import Activity
from concierge.core.querysets import version_bump
from concierge.core.services import activity_log
from concierge.guests.choices import CompanyStatus
from concierge.guests.models import Company, Contact, Guest
from concierge.sales.models import AccountOwnership, AccountPlan, AccountTeamMember, Handover
from concierge.worklist.models import Task, TaskKind, TaskStatus

REMINDER_SOURCE = "contact_policy"
# Companies whose contact frequency still counts (lost and unsuitable accounts get no visit reminders).
REMINDER_STATUSES = (CompanyStatus.ACTIVE, CompanyStatus.PROSPECT)


def _user_name(user: Any) -> str:
    return str(user) if user is not None else "—"


# --- ownership ------------------------------------------------------------------------------------------------


def account_ownership_start(*, company: Company, owner: Any, actor: Any, on: dt.date | None = None,
                            reason: str = "") -> AccountOwnership | None:
    """Open the first ownership period of a company created with an owner (called by `company_create`)."""
    if owner is None:
        return None
    return AccountOwnership.objects.create(
        company=company, owner=owner, valid_from=on or timezone.localdate(), reason=reason[:300],
        changed_by=actor if getattr(actor, "pk", None) else None,
    )


@transaction.atomic
def company_owner_change(*, company: Company, new_owner: Any, actor: Any, reason: str = "",
                         on: dt.date | None = None, log: bool = True) -> AccountOwnership | None:
    """Give a company account to `new_owner` (None: no account manager) from day `on` (default today).

    Closes the open ownership row, opens a new one, sets `Company.owner` (and bumps the company's version, so an
    open edit form notices) and writes one timeline entry. The company row is locked first, so two concurrent
    changes run one after the other. Returns the new open row (None when the account is left without owner or
    nothing changed). `company` is updated in place.
    """
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationError({"on": [_("An owner change cannot take effect in the future.")]})
    if new_owner is not None and not new_owner.is_active:
        raise ValidationError({"new_owner": [_("%(name)s is deactivated and cannot own accounts.")
                                             % {"name": _user_name(new_owner)}]})
    locked = Company.objects.select_for_update().get(pk=company.pk)
    current = AccountOwnership.objects.select_for_update().filter(company=locked, valid_to__isnull=True).first()
    new_id = getattr(new_owner, "pk", None)
    if locked.owner_id == new_id and (current.owner_id if current else None) == new_id:
        return None  # nothing to change (an owned company without an open row gets one below)
    changed_by = actor if getattr(actor, "pk", None) else None
    old_owner = locked.owner
    opened = None
    if current is not None and current.valid_from > on:
        raise ValidationError({"on": [_("The current owner took over on %(date)s; choose that day or later.")
                                      % {"date": current.valid_from.isoformat()}]})
    if current is not None and current.valid_from == on and new_id is not None:
        # Same-day correction: the open period never produced a day of its own, so it is reassigned in place.
        current.owner = new_owner
        current.reason = reason[:300]
        current.changed_by = changed_by
        current.save(update_fields=["owner", "reason", "changed_by"])
        opened = current
    else:
        if current is not None:
            current.valid_to = on - dt.timedelta(days=1) if current.valid_from < on else on
            current.save(update_fields=["valid_to"])
        if new_id is not None:
            opened = AccountOwnership.objects.create(company=locked, owner=new_owner, valid_from=on,
                                                     reason=reason[:300], changed_by=changed_by)
    locked.owner = new_owner
    locked.version += 1
    locked.save(update_fields=["owner", "version", "updated_at"])
    company.owner = new_owner
    company.version = locked.version
    if log and old_owner != new_owner:
        activity_log(
            actor=actor, kind=ActivityKind.PROFILE, company=locked,
            summary=LocalizedText(gettext_noop("Account manager changed from %(old)s to %(new)s"),
                                  {"old": _user_name(old_owner), "new": _user_name(new_owner)}),
            body=reason,
            data={"old_owner": getattr(old_owner, "pk", None), "new_owner": new_id, "on": on.isoformat(),
                  "reason": reason},
        )
    return opened


def ownership_backfill() -> int:
    """Open a period for every owned company without one (companies owned before this module, bulk imports)."""
    has_open = AccountOwnership.objects.filter(company_id=OuterRef("pk"), valid_to__isnull=True)
    missing = Company.objects.filter(owner__isnull=False).filter(~Exists(has_open)).values_list(
        "pk", "owner_id", "created_at")
    rows = [AccountOwnership(company_id=pk, owner_id=owner_id, valid_from=timezone.localdate(created_at),
                             reason="backfilled") for pk, owner_id, created_at in missing]
    AccountOwnership.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# --- account plan and team --------------------------------------------------------------------------------------


@transaction.atomic
def account_plan_save(*, company: Company, actor: Any, potential_room_nights: int | None = None,
                      competitor_hotels: str = "", goals: str = "", notes: str = "") -> AccountPlan:
    """Create or update the company's account plan and note it on the timeline."""
    if potential_room_nights is not None and potential_room_nights < 0:
        raise ValidationError({"potential_room_nights": [_("Room nights cannot be negative.")]})
    plan, _created = AccountPlan.objects.select_for_update().get_or_create(company=company)
    plan.potential_room_nights = potential_room_nights
    plan.competitor_hotels = (competitor_hotels or "").strip()
    plan.goals = (goals or "").strip()
    plan.notes = (notes or "").strip()
    plan.updated_at = timezone.now()
    plan.updated_by = actor if getattr(actor, "pk", None) else None
    plan.save()
    activity_log(actor=actor, kind=ActivityKind.PROFILE, company=company,
                 summary=LocalizedText(gettext_noop("Account plan updated")))
    return plan


@transaction.atomic
def account_team_add(*, company: Company, user: Any, role: str, actor: Any) -> AccountTeamMember:
    if user.pk == company.owner_id:
        raise ValidationError({"user": [_("The account manager already leads this account.")]})
    if not user.is_active:
        raise ValidationError({"user": [_("%(name)s is deactivated.") % {"name": _user_name(user)}]})
    member, created = AccountTeamMember.objects.update_or_create(
        company=company, user=user, defaults={"role": role, "added_by": actor if getattr(actor, "pk", None) else None})
    activity_log(actor=actor, kind=ActivityKind.PROFILE, company=company,
                 summary=LocalizedText(gettext_noop("%(name)s joined the account team as %(role)s"),
                                       {"name": _user_name(user), "role": member.get_role_display()}))
    return member


@transaction.atomic
def account_team_remove(*, member: AccountTeamMember, actor: Any) -> None:
    company, user = member.company, member.user
    member.delete()
    activity_log(actor=actor, kind=ActivityKind.PROFILE, company=company,
                 summary=LocalizedText(gettext_noop("%(name)s left the account team"), {"name": _user_name(user)}))


# --- contacts logged from the contact page ------------------------------------------------------------------------


def contact_interaction_log(*, actor: Any, contact: Contact, kind: str, summary: str, body: str = "",
                            property: Any = None) -> Activity:  # noqa: A002
    """Log a call/visit/meeting/email with a company contact on the company's (and the contact's guest's) timeline."""
    from concierge.guests.services import interaction_log

    text = (summary or "").strip()
    if not text:
        raise ValidationError({"summary": [_("Write a short summary.")]})
    entry = interaction_log(actor=actor, kind=kind, summary=f"{contact.name}: {text}", body=body,
                            company=contact.company, guest=contact.guest, property=property)
    entry.data = {**entry.data, "contact_id": contact.pk}
    entry.save(update_fields=["data"])
    return entry


# --- visit reminders -------------------------------------------------------------------------------------------


def reminder_due_on(*, last_contact: dt.datetime | None, created_at: dt.datetime, frequency_days: int) -> dt.date:
    """The day the next contact is due: the agreed number of days after the last contact (or account creation)."""
    start = timezone.localdate(last_contact) if last_contact else timezone.localdate(created_at)
    return start + dt.timedelta(days=frequency_days)


def contact_reminders_create(*, today: dt.date | None = None) -> dict[str, int]:
    """Nightly: a visit reminder Task for the owner of every account not contacted within its agreed frequency.

    Idempotent: the dedupe key is company + due date, and the due date only moves when someone contacts the
    account, so running twice (or on two workers) creates one task. Open reminders of accounts that were
    contacted meanwhile are closed as done.
    """
    today = today or timezone.localdate()
    last = (Activity.objects.filter(company_id=OuterRef("pk"), kind__in=CONTACT_KINDS).order_by()
            .values("company_id").annotate(m=Max("occurred_at")).values("m"))
    rows = list(
        Company.objects.filter(contact_frequency_days__gt=0, owner__isnull=False, owner__is_active=True,
                               status__in=REMINDER_STATUSES)
        .annotate(last_contact=Subquery(last))
        .values_list("pk", "name_zh", "name_en", "contact_frequency_days", "owner_id", "owner__language",
                     "last_contact", "created_at")
    )
    due: list[Task] = []
    not_due: list[int] = []
    for pk, name_zh, name_en, freq, owner_id, language, last_at, created_at in rows:
        due_on = reminder_due_on(last_contact=last_at, created_at=created_at, frequency_days=freq)
        if due_on > today:
            not_due.append(pk)
            continue
        zh = (language or "").startswith("zh")
        name = (name_zh if zh else name_en) or name_zh or name_en or f"#{pk}"
        with translation.override(language or "en"):
            title = _("Visit %(company)s: agreed contact every %(days)s days") % {"company": name, "days": freq}
            notes = (_("Last contact: %(date)s.") % {"date": timezone.localdate(last_at).isoformat()}
                     if last_at else _("Not contacted yet."))
        due.append(Task(title=title[:300], kind=TaskKind.VISIT, assignee_id=owner_id, due_on=due_on, company_id=pk,
                        notes=notes, source=REMINDER_SOURCE, source_id=pk,
                        dedupe_key=f"{REMINDER_SOURCE}:{pk}:{due_on.isoformat()}"))
    keys = [t.dedupe_key for t in due]
    before = Task.objects.filter(dedupe_key__in=keys).count() if keys else 0
    # ON CONFLICT DO NOTHING on the unique dedupe key: a concurrent run cannot create a second reminder.
    Task.objects.bulk_create(due, ignore_conflicts=True, batch_size=500)
    after = Task.objects.filter(dedupe_key__in=keys).count() if keys else 0
    closed = Task.objects.filter(source=REMINDER_SOURCE, status=TaskStatus.OPEN, company_id__in=not_due).update(
        status=TaskStatus.DONE, done_at=timezone.now())
    return {"checked": len(rows), "due": len(due), "created": after - before, "closed": closed}


# --- handover --------------------------------------------------------------------------------------------------


def _model(label: str) -> Any:
    """A model of a module that may not be installed (pipeline, contracts): None when absent."""
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _has_fields(model: Any, *names: str) -> bool:
    return model is not None and all(any(f.name == n for f in model._meta.get_fields()) for n in names)


OPEN_CONTRACT_STATUSES = ("draft", "sent", "signed", "active")


@transaction.atomic
def handover_run(*, from_user: Any, actor: Any, companies: list[Company] | None = None, default_to: Any = None,
                 assignments: dict[int, Any] | None = None, reason: str = "", on: dt.date | None = None,
                 deactivate: bool = False) -> Handover:
    """Move a rep's accounts and everything hanging on them to named colleagues, in one transaction.

    `companies` (default: every account `from_user` owns) go to `assignments[company.pk]` or `default_to`. With
    each account move its open tasks, open opportunities, live contracts and the guests `from_user` owns among its
    contacts and bookers. Whatever `from_user` still owns or is assigned elsewhere (guests, tasks, opportunities)
    goes to `default_to`. Ownership periods are closed and opened (past revenue stays credited to `from_user`'s
    periods), every company gets a timeline entry, and a `Handover` row lists each moved record. With
    `deactivate`, the user can no longer sign in (records kept; calendar feeds, sessions and API tokens revoked).
    """
    on = on or timezone.localdate()
    assignments = dict(assignments or {})
    if companies is None:
        companies = list(Company.objects.filter(owner=from_user))
    targets = {c.pk: assignments.get(c.pk) or default_to for c in companies}
    missing = [c for c in companies if targets[c.pk] is None]
    if missing:
        raise ValidationError({"default_to": [_("Choose a colleague for %(company)s.") % {"company": missing[0]}]})
    users = {u.pk: u for u in targets.values()}
    if default_to is not None:
        users[default_to.pk] = default_to
    for user in users.values():
        if user.pk == from_user.pk:
            raise ValidationError({"default_to": [_("Accounts must move to someone else.")]})
        if not user.is_active:
            raise ValidationError({"default_to": [_("%(name)s is deactivated.") % {"name": _user_name(user)}]})
    # Lock the accounts in id order (the same order every writer uses) before touching anything hanging on them.
    company_ids = sorted(targets)
    locked = list(Company.objects.select_for_update().filter(pk__in=company_ids).order_by("pk"))
    foreign = [c for c in locked if c.owner_id != from_user.pk]
    if foreign:
        raise ValidationError({"companies": [_("%(company)s is not owned by %(name)s.")
                                             % {"company": foreign[0], "name": _user_name(from_user)}]})
    items: list[dict[str, Any]] = []
    summary: dict[str, int] = defaultdict(int)
    text = reason or _("Handover from %(name)s") % {"name": _user_name(from_user)}

    def record(kind: str, pk: int, to_id: int) -> None:
        items.append({"kind": kind, "id": pk, "to": to_id})
        summary[kind] += 1

    for company in locked:
        to = users[targets[company.pk].pk]
        company_owner_change(company=company, new_owner=to, actor=actor, reason=text, on=on)
        record("company", company.pk, to.pk)
    by_company = {pk: users[u.pk].pk for pk, u in targets.items()}

    for pk, company_id in Contact.objects.filter(company_id__in=company_ids).values_list("pk", "company_id"):
        record("contact", pk, by_company[company_id])

    # Guests the leaving rep owns: with the account they book on or are a contact of, else to the default colleague.
    contact_company = dict(Contact.objects.filter(company_id__in=company_ids, guest__isnull=False)
                           .values_list("guest_id", "company_id"))
    guest_moves: dict[int, int] = {}
    for pk, company_id in Guest.objects.filter(owner=from_user).values_list("pk", "company_id"):
        company_id = company_id if company_id in by_company else contact_company.get(pk)
        to_id = by_company.get(company_id) if company_id else getattr(default_to, "pk", None)
        if to_id is None:
            raise ValidationError({"default_to": [_("Choose a default colleague for the guests %(name)s owns.")
                                                  % {"name": _user_name(from_user)}]})
        guest_moves[pk] = to_id
    for to_id, pks in _group(guest_moves).items():
        # Bump the version: an edit form opened before the handover must not put the old owner back.
        Guest.objects.filter(pk__in=pks).update(owner_id=to_id, version=F("version") + 1)
        for pk in pks:
            record("guest", pk, to_id)
    if guest_moves:
        Activity.objects.bulk_create([
            _activity(actor, guest_id=pk, summary=LocalizedText(
                gettext_noop("Account manager changed from %(old)s to %(new)s"),
                {"old": _user_name(from_user), "new": _user_name(users[to_id])}), handover=True)
            for pk, to_id in guest_moves.items()], batch_size=500)

    # Open tasks and reminders: the account's colleague, else the guest's, else the default colleague.
    task_moves: dict[int, int] = {}
    for pk, company_id, guest_id in Task.objects.filter(assignee=from_user, status=TaskStatus.OPEN).values_list(
            "pk", "company_id", "guest_id"):
        to_id = by_company.get(company_id) or guest_moves.get(guest_id) or getattr(default_to, "pk", None)
        if to_id is None:
            raise ValidationError({"default_to": [_("Choose a default colleague for the open tasks of %(name)s.")
                                                  % {"name": _user_name(from_user)}]})
        task_moves[pk] = to_id
    for to_id, pks in _group(task_moves).items():
        Task.objects.filter(pk__in=pks).update(assignee_id=to_id)
        for pk in pks:
            record("task", pk, to_id)

    for label, kind, status_filter in (("pipeline.Opportunity", "opportunity", {"status": "open"}),
                                       ("contracts.Contract", "contract", {"status__in": OPEN_CONTRACT_STATUSES})):
        model = _model(label)
        if not _has_fields(model, "owner", "company", "status"):
            continue
        moves: dict[int, int] = {}
        for pk, company_id in model.objects.filter(owner=from_user, **status_filter).values_list("pk", "company_id"):
            to_id = by_company.get(company_id) or getattr(default_to, "pk", None)
            if to_id is None:
                raise ValidationError({"default_to": [_("Choose a default colleague for the other records of "
                                                        "%(name)s.") % {"name": _user_name(from_user)}]})
            moves[pk] = to_id
        for to_id, pks in _group(moves).items():
            model.objects.filter(pk__in=pks).update(owner_id=to_id, **version_bump(model))  # open forms notice
            for pk in pks:
                record(kind, pk, to_id)

    if deactivate:
        from concierge.worklist.models import CalendarFeed

        get_user_model().objects.filter(pk=from_user.pk).update(is_active=False)
        from_user.is_active = False
        CalendarFeed.objects.filter(user=from_user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        from concierge.accounts.staff import sessions_end  # their sessions and API tokens end too

        sessions_end(from_user)
    return Handover.objects.create(
        from_user=from_user, default_to=default_to, effective_on=on, reason=reason[:300], deactivated_user=deactivate,
        summary=dict(summary), items=items, actor=actor if getattr(actor, "pk", None) else None)


def _group(moves: dict[int, int]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = defaultdict(list)
    for pk, to_id in moves.items():
        grouped[to_id].append(pk)
    return grouped


def _activity(actor: Any, *, summary: LocalizedText, guest_id: int | None = None, company_id: int | None = None,
              handover: bool = False) -> Activity:
    return Activity(kind=ActivityKind.PROFILE, actor=actor if getattr(actor, "pk", None) else None,
                    guest_id=guest_id, company_id=company_id, summary=summary.render_in("en")[:300],
                    data={"summary_i18n": summary.as_data(), "handover": handover}, occurred_at=timezone.now())
