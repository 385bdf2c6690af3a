"""`manage.py seed_contracts`: demo contracts on top of `seed_demo` (idempotent)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from concierge.contracts.demo import contracts_seed


class Command(BaseCommand):
    help = "Seed ~30 demo corporate and travel-agency contracts in every status (run seed_demo first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2024, help="Random seed (default 2024).")

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        from concierge.guests.models import Company

        if not Company.objects.filter(status="active").exists():
            raise CommandError("No active companies: run `manage.py seed_demo` first.")
        created = contracts_seed(seed=seed)
        total = sum(created.values())
        detail = ", ".join(f"{k} {v}" for k, v in sorted(created.items())) or "nothing new"
        self.stdout.write(self.style.SUCCESS(f"seed_contracts: {total} contracts created ({detail})."))
