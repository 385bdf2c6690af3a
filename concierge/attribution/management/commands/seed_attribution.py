"""`manage.py seed_attribution`: the trade-show case on top of seed_demo (idempotent)."""
from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from concierge.attribution.demo import trade_show_seed


class Command(BaseCommand):
    help = ("Seed the trade-show campaign (1,000,000 CNY, 5,000 business cards as leads), later stays of a share "
            "of those people, and refresh attribution. Safe to run again.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        try:
            result = trade_show_seed(seed=seed)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
