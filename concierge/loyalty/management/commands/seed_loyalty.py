"""`manage.py seed_loyalty [--enrol]`: the default programme for every hotel group; with --enrol, members for
guests with checked-out stays and their points (the nightly reconciliation, run now), then a tier evaluation."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from concierge.loyalty.demo import programme_seed
from concierge.loyalty.services import evaluate_tiers, points_expire, stays_reconcile
from concierge.properties.models import HotelGroup


class Command(BaseCommand):
    help = "Seed the default loyalty programme (4 tiers, bonus rules, reward catalogue)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enrol", action="store_true", help="Enrol guests with checked-out stays and earn.")

    def handle(self, *args: Any, **options: Any) -> None:
        for group in HotelGroup.objects.all():
            programme = programme_seed(group=group)
            self.stdout.write(f"programme {programme.name_en}: {programme.tiers.count()} tiers, "
                              f"{programme.rewards.count()} rewards")
        if options["enrol"]:
            counts = stays_reconcile()
            expired = points_expire()
            result = evaluate_tiers()
            self.stdout.write(f"stays: {counts}; expired {expired} points; tiers: {result}")
