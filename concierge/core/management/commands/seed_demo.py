"""`manage.py seed_demo`: the demo hotel group, staff logins, companies, guests and three years of stays."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from concierge.core.demo import data
from concierge.core.demo.seed import SeedSummary, demo_seed
from concierge.properties.models import Property


class Command(BaseCommand):
    help = "Seed demo data: 3 properties, demo staff logins, companies, guests with IDs, stays, timeline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--guests", type=int, default=2000, help="Number of guests (default 2000).")
        parser.add_argument("--seed", type=int, default=2024, help="Random seed; a seed always gives the same people.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when a property already exists.")

    def handle(self, *args: Any, guests: int, seed: int, if_empty: bool, **options: Any) -> None:
        if guests < 0:
            raise CommandError("--guests must be 0 or more.")
        if Property.objects.exists():
            if if_empty:
                self.stdout.write("seed_demo: the database already has properties; nothing to do (--if-empty).")
                return
            raise CommandError(
                "The database already has data. Seed an empty database (manage.py flush) or pass --if-empty."
            )
        summary = demo_seed(guests=guests, seed=seed)
        self._report(summary, seed=seed)

    def _report(self, summary: SeedSummary, *, seed: int) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS(f"Seeded demo data (seed {seed}) in {summary.seconds:.1f} s"))
        width = max(len(k) for k in summary.counts)
        write("")
        write(f"  {'what':<{width}}  {'count':>8}")
        write(f"  {'-' * width}  {'-' * 8}")
        for name, count in summary.counts.items():
            write(f"  {name:<{width}}  {count:>8,}")
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(summary.guest_kinds.items()))
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(summary.stay_statuses.items()))
        write(f"\n  guests by kind: {kinds}")
        write(f"  stays by status: {statuses}")
        write(f"  revenue (in house + checked out): CNY {summary.revenue:,.2f}")
        write("\nDemo logins (password: %s)%s" % (
            data.DEMO_PASSWORD, "" if settings.DEMO_LOGINS_ALLOWED else
            " -- refused until CONCIERGE_ALLOW_DEMO_LOGINS=1 (or DJANGO_DEBUG=1)"))
        write(f"  {'username':<14} {'role':<14} properties")
        for user in summary.users:
            codes = "all" if user.sees_all_properties else ", ".join(
                sorted(p.code for p in user.properties.all())) or "-"
            write(f"  {user.username:<14} {user.role:<14} {codes}")
