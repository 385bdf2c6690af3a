"""`manage.py evaluate_journeys [--journey ID ...] [--json]`: what the every-10-minutes Celery job does, once."""
from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from concierge.journeys.models import Journey
from concierge.journeys.services import journeys_evaluate


class Command(BaseCommand):
    help = "Enrol guests into enabled journeys and advance due runs (idempotent; safe to run concurrently)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--journey", type=int, action="append", dest="journeys", help="Only this journey id.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = journeys_evaluate(journey_ids=options["journeys"], count_candidates=True)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        names = dict(Journey.objects.values_list("pk", "name"))
        for row in result.enrolments:
            line = f"{names.get(row.journey_id, row.journey_id)}: {row.candidates} candidates, {row.created} new runs"
            self.stdout.write(line + (f" — {row.error}" if row.error else ""))
        a = result.advance
        self.stdout.write(f"runs processed {a.processed}: completed {a.completed}, waiting {a.waiting}, "
                          f"exited {a.exited}, failed {a.failed}, actions {a.actions}")
