"""`manage.py seed_pipeline`: default stages, ~80 demo opportunities for the demo sales users (spread over stages,
some won and lost, with stage history) and targets for last and this month. Idempotent; run after seed_demo."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from concierge.accounts.choices import Role
from concierge.accounts.models import User
from concierge.guests.models import Company
from concierge.pipeline.choices import LostReason
from concierge.pipeline.models import Opportunity, StageChange
from concierge.pipeline.services import (
    opportunity_create,
    opportunity_lose,
    opportunity_move,
    opportunity_win,
    sales_target_set,
    stages_ensure_default,
)

MARKER = "seed_pipeline"
TOPICS = ["年度协议价", "会议团队", "年会场地", "长住公寓", "展会用房", "培训住宿", "奖励旅游", "婚宴", "新品发布会"]


class Command(BaseCommand):
    help = "Seed pipeline stages, demo opportunities and sales targets (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=80)

    def handle(self, *args: Any, **options: Any) -> None:
        stages = [s for s in stages_ensure_default() if s.is_active]
        reps = list(User.objects.filter(role__in=[Role.SALES_REP, Role.SALES_MANAGER], is_active=True).order_by("pk"))
        if not reps:
            self.stdout.write("no sales users: run seed_demo first")
            return
        today = timezone.localdate()
        this_month = today.replace(day=1)
        last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
        for i, rep in enumerate(reps):
            for month, factor in ((last_month, 1), (this_month, 1.1)):
                sales_target_set(actor=None, user=rep, month=month, revenue=Decimal(int(200000 * factor) + i * 10000),
                                 room_nights=int(300 * factor), new_accounts=2, contracts_signed=2, visits=12,
                                 pipeline_added=Decimal(int(300000 * factor)), won_value=Decimal(int(100000 * factor)))
        existing = Opportunity.objects.filter(notes=MARKER).count()
        if existing:
            self.stdout.write(f"stages: {len(stages)}; demo opportunities already seeded ({existing}); targets updated")
            return
        rng = random.Random(8)
        rep_ids = {r.pk for r in reps}
        companies = list(Company.objects.prefetch_related("properties").order_by("pk")[:200])
        if not companies:
            self.stdout.write("no companies: run seed_demo first")
            return
        open_stages = [s for s in stages if not s.is_won and not s.is_lost]
        created = 0
        with transaction.atomic():
            for n in range(options["count"]):
                company = companies[n % len(companies)]
                owner = next((r for r in reps if r.pk == company.owner_id), None) if company.owner_id in rep_ids \
                    else rng.choice(reps)
                props = list(company.properties.all())
                opp = opportunity_create(
                    actor=owner, title=f"{company.name_zh or company.name_en} · {rng.choice(TOPICS)}", company=company,
                    owner=owner, value=Decimal(rng.randrange(20, 800) * 1000), property=props[0] if props else None,
                    expected_close=today + dt.timedelta(days=rng.randint(-20, 170)), notes=MARKER,
                )
                target = rng.choice(range(len(open_stages) + 2))
                for stage in open_stages[1:min(target, len(open_stages) - 1) + 1]:
                    opp = opportunity_move(actor=owner, opportunity=opp, stage=stage, version=None)
                closed_on = today - dt.timedelta(days=rng.randint(0, 50))
                if target == len(open_stages):
                    opportunity_win(actor=owner, opportunity=opp, version=None, on=closed_on)
                elif target == len(open_stages) + 1:
                    opportunity_lose(actor=owner, opportunity=opp, version=None, on=closed_on,
                                     lost_reason=rng.choice(LostReason.values[:-1]))
                created_at = timezone.now() - dt.timedelta(days=rng.randint(0, 75))
                Opportunity.objects.filter(pk=opp.pk).update(created_at=created_at)
                StageChange.objects.filter(opportunity=opp).update(changed_at=created_at)
                created += 1
        self.stdout.write(f"stages: {len(stages)}; demo opportunities: {created}; targets for {len(reps)} reps")
