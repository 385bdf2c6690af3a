"""`manage.py seed_surveys`: the demo post-stay survey and a year of responses over the seed_demo guests and stays."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from concierge.properties.models import Property
from concierge.surveys.demo import surveys_seed


class Command(BaseCommand):
    help = "Seed a bilingual post-stay survey with ~1 year of responses (run after seed_demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2024, help="Random seed (default 2024).")
        parser.add_argument("--response-rate", type=float, default=0.55, help="Share of invitations answered.")

    def handle(self, *args: Any, seed: int, response_rate: float, **options: Any) -> None:
        if not Property.objects.exists():
            raise CommandError("No properties yet: run `manage.py seed_demo` first.")
        if not 0 < response_rate <= 1:
            raise CommandError("--response-rate must be between 0 and 1.")
        result = surveys_seed(seed=seed, response_rate=response_rate)
        if result.skipped_existing:
            self.stdout.write("seed_surveys: the demo survey exists already; nothing to do.")
            return
        self.stdout.write(self.style.SUCCESS(f"Seeded survey “{result.survey}”"))
        for name, count in result.counts.items():
            self.stdout.write(f"  {name:<26} {count:>7,}")
