"""`manage.py seed_journeys`: the message templates and the built-in demo journeys (idempotent)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from concierge.journeys.demo import journeys_seed


class Command(BaseCommand):
    help = "Create the journey message templates (zh + en) and the built-in journeys (four enabled)."

    def handle(self, *args: Any, **options: Any) -> None:
        from concierge.accounts.models import User

        owner = User.objects.filter(role="manager", is_active=True).order_by("pk").first()
        templates, journeys = journeys_seed(fallback_owner=owner)
        self.stdout.write(f"journeys: {templates} templates and {journeys} journeys created")
