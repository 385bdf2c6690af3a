"""`manage.py seed_campaigns`: demo campaigns on top of `seed_demo` (idempotent; sends to an in-memory mailbox)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from concierge.campaigns.demo import campaigns_seed


class Command(BaseCommand):
    help = "Seed two sent demo email campaigns (one A/B test with opens and clicks) and one scheduled campaign."

    def handle(self, *args: Any, **options: Any) -> None:
        created = campaigns_seed()
        self.stdout.write(f"campaigns created: {len(created)}" + (f" ({', '.join(created)})" if created else ""))
