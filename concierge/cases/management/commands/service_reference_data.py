"""Restore the service centre's reference data (FAQ categories, root causes, group SLA policies) after a flush.

    manage.py service_reference_data

Migration 0003 loads it on a new database; `manage.py flush` empties it. Existing rows are left as they are.
"""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from concierge.cases.models import ArticleCategory, RootCause, SlaPolicy
from concierge.cases.reference import reference_data_load


class Command(BaseCommand):
    help = "Create the missing service-centre reference data (categories, root causes, SLA policies)."

    def handle(self, *args: Any, **options: Any) -> None:
        reference_data_load()
        self.stdout.write(f"{ArticleCategory.objects.count()} article categories, {RootCause.objects.count()} root "
                          f"causes, {SlaPolicy.objects.count()} SLA policies")
