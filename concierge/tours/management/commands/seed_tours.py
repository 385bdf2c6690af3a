"""`manage.py seed_tours`: demo tour products, departures over the next months and agency orders (idempotent)."""
from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from concierge.tours.demo import tours_seed


class Command(BaseCommand):
    help = "Seed ~8 tour products with departures over the next months and orders from the demo travel agencies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=4, help="Months of departures to create (default 4).")

    def handle(self, *args: Any, months: int, **options: Any) -> None:
        started = time.perf_counter()
        result = tours_seed(months=months)
        self.stdout.write(self.style.SUCCESS(
            f"seed_tours: {result.products} products, {result.departures} departures, {result.orders} orders added "
            f"in {time.perf_counter() - started:.1f} s"))
