"""`manage.py seed_sales`: account-management demo data on top of seed_demo (idempotent, a second run adds nothing).

For the demo "sales" rep: account plans and teams on their biggest accounts, an ownership history with one past
handover (from a former rep, "sales_former", deactivated), logged visits and calls, tasks overdue / due today /
upcoming, a contact birthday this week, and tonight's visit reminders.
"""
from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from concierge.accounts.models import User
from concierge.core.models import Activity
from concierge.guests.models import Company, Contact
from concierge.sales.models import AccountOwnership, AccountPlan, AccountTeamMember, Handover
from concierge.sales.services import contact_reminders_create, ownership_backfill
from concierge.worklist.services import task_create

COMPETITORS = ["Hilton", "Marriott", "IHG", "Hyatt", "Accor", "Jin Jiang", "Shangri-La", "Atour"]
VISITS = [
    ("visit", "拜访差旅经理，介绍 2027 年协议价", "Visited the travel manager, presented the 2027 rates"),
    ("call", "电话确认下季度会议需求", "Called to confirm next quarter's meeting needs"),
    ("meeting", "与采购部开会讨论年度间夜承诺", "Meeting with procurement on the yearly room-night commitment"),
    ("email", "发送新开业酒店介绍", "Sent the new hotel's fact sheet"),
]
TASKS = [  # (key, title, kind, days from today)
    ("overdue-1", "回电：确认年会场地", "call", -3),
    ("overdue-2", "发送续约报价", "email", -1),
    ("today-1", "拜访客户：季度回顾", "visit", 0),
    ("today-2", "更新客户计划", "follow_up", 0),
    ("soon-1", "准备年度协议谈判", "meeting", 4),
]


class Command(BaseCommand):
    help = "Seed account-management demo data (plans, teams, ownership history, visits, tasks) after seed_demo."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        users = {u.username: u for u in User.objects.filter(username__in=["sales", "salesmgr", "sales_szx"])}
        if "sales" not in users or "salesmgr" not in users:
            raise CommandError("Run seed_demo first: the demo users “sales” and “salesmgr” are missing.")
        rep, manager = users["sales"], users["salesmgr"]
        today = timezone.localdate()
        counts: dict[str, int] = {"ownership_backfilled": ownership_backfill()}
        accounts = list(Company.objects.filter(owner=rep).order_by("pk")[:12])
        if not accounts:
            raise CommandError("The demo rep “sales” owns no companies; run seed_demo first.")
        with transaction.atomic():
            counts["plans"] = self._plans(accounts, rep)
            counts["team"] = self._team(accounts, manager, users.get("sales_szx"))
            counts["handover"] = self._past_handover(accounts[:4], rep, manager, today)
            counts["activities"] = self._activities(accounts, rep, today)
            counts["tasks"] = self._tasks(accounts, rep, manager, today)
            counts["birthdays"] = self._birthday(accounts, today)
        counts["reminders"] = contact_reminders_create(today=today)["created"]
        for key, value in counts.items():
            self.stdout.write(f"  {key:<22} {value:>6}")
        self.stdout.write(self.style.SUCCESS(f"seed_sales done in {time.monotonic() - started:.1f} s"))

    def _plans(self, accounts: list[Company], rep: User) -> int:
        have = set(AccountPlan.objects.filter(company__in=accounts).values_list("company_id", flat=True))
        plans = [AccountPlan(company=c, potential_room_nights=600 + 150 * (c.pk % 10),
                             competitor_hotels="\n".join(COMPETITORS[c.pk % 5:c.pk % 5 + 3]),
                             goals="提高协议价使用率，争取年会", notes="", updated_by=rep)
                 for c in accounts if c.pk not in have]
        AccountPlan.objects.bulk_create(plans)
        return len(plans)

    def _team(self, accounts: list[Company], manager: User, other: User | None) -> int:
        rows = [AccountTeamMember(company=c, user=manager, role="executive") for c in accounts[:5]]
        if other is not None:
            rows += [AccountTeamMember(company=c, user=other, role="backup") for c in accounts[:2]]
        before = AccountTeamMember.objects.count()
        AccountTeamMember.objects.bulk_create(rows, ignore_conflicts=True)
        return AccountTeamMember.objects.count() - before

    def _past_handover(self, accounts: list[Company], rep: User, manager: User, today: dt.date) -> int:
        """A former rep owned four accounts until six months ago and handed them to "sales" when leaving."""
        former, created = User.objects.get_or_create(
            username="sales_former", defaults={"role": "sales_rep", "first_name": "刘洋", "is_active": False,
                                               "is_demo": True, "email": "sales_former@concierge-hotels.example"})
        if created:
            former.set_unusable_password()
            former.save()
            former.properties.set(rep.properties.all())
        if Handover.objects.filter(from_user=former).exists():
            return 0
        handed_on = today - dt.timedelta(days=180)
        started_on = today - dt.timedelta(days=900)
        reason = "刘洋离职，客户交接给陈强"
        items = []
        for company in accounts:
            AccountOwnership.objects.filter(company=company, valid_to__isnull=True).update(
                valid_from=handed_on, reason=reason, changed_by=manager)
            AccountOwnership.objects.create(company=company, owner=former, valid_from=started_on,
                                            valid_to=handed_on - dt.timedelta(days=1), reason="backfilled")
            Activity.objects.create(
                kind="profile", actor=manager, company=company,
                summary=f"Account manager changed from {former} to {rep}",
                data={"old_owner": former.pk, "new_owner": rep.pk, "on": handed_on.isoformat(), "seed": "seed_sales",
                      "summary_i18n": {"msgid": "Account manager changed from %(old)s to %(new)s",
                                       "params": {"old": str(former), "new": str(rep)}}},
                occurred_at=timezone.make_aware(dt.datetime.combine(handed_on, dt.time(10))))
            items.append({"kind": "company", "id": company.pk, "to": rep.pk})
        contacts = Contact.objects.filter(company__in=accounts).values_list("pk", flat=True)
        items += [{"kind": "contact", "id": pk, "to": rep.pk} for pk in contacts]
        Handover.objects.create(
            from_user=former, default_to=rep, effective_on=handed_on, reason=reason, deactivated_user=True,
            summary={"company": len(accounts), "contact": len(contacts)}, items=items, actor=manager,
            created_at=timezone.make_aware(dt.datetime.combine(handed_on, dt.time(10))))
        return 1

    def _activities(self, accounts: list[Company], rep: User, today: dt.date) -> int:
        if Activity.objects.filter(data__seed="seed_sales", kind__in=[k for k, *_ in VISITS]).exists():
            return 0
        rows = []
        for i, company in enumerate(accounts):
            kind, zh, en = VISITS[i % len(VISITS)]
            day = today - dt.timedelta(days=3 + 11 * i)
            rows.append(Activity(kind=kind, actor=rep, company=company, summary=zh, body=en,
                                 data={"seed": "seed_sales"},
                                 occurred_at=timezone.make_aware(dt.datetime.combine(day, dt.time(15)))))
        Activity.objects.bulk_create(rows)
        return len(rows)

    def _tasks(self, accounts: list[Company], rep: User, manager: User, today: dt.date) -> int:
        created = 0
        for i, (key, title, kind, days) in enumerate(TASKS):
            company = accounts[i % len(accounts)]
            _task, new = task_create(title=f"{title} · {company}", kind=kind, assignee=rep, company=company,
                                     due_on=today + dt.timedelta(days=days), source="manual", created_by=manager,
                                     dedupe_key=f"seed_sales:{key}")
            created += int(new)
        return created

    def _birthday(self, accounts: list[Company], today: dt.date) -> int:
        days = [today + dt.timedelta(days=n) for n in range(7)]
        contacts = Contact.objects.filter(company__in=accounts, is_active=True)
        if any(c.birthday and (c.birthday.month, c.birthday.day) in {(d.month, d.day) for d in days}
               for c in contacts):
            return 0
        contact = contacts.order_by("pk").first()
        if contact is None:
            return 0
        target = today + dt.timedelta(days=2)
        contact.birthday = dt.date(1985, target.month, min(target.day, 28) if target.month == 2 else target.day)
        contact.save(update_fields=["birthday"])
        return 1
