"""Run every scheduled analytics job once, in order: customer value (RFM, Pareto), lifetime-value models,
product rules, dashboards. The nightly Celery beat runs the same jobs; `make run` calls this after seeding so
the demo's insight screens are filled from the start. `--if-empty` skips the run when figures already exist."""
from __future__ import annotations

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Refresh customer value, lifetime value, product rules and dashboards now."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when customer values already exist.")

    def handle(self, *args, **options):
        from concierge.analytics.models import CustomerValue

        if options["if_empty"] and CustomerValue.objects.exists():
            self.stdout.write("refresh_insights: figures already exist, nothing to do")
            return
        from concierge.analytics.tasks import refresh_customer_value
        from concierge.clv.tasks import fit_clv_models
        from concierge.dashboards.tasks import refresh_dashboards
        from concierge.recommendations.tasks import refresh_product_rules

        for label, job in (
            ("customer value", refresh_customer_value),
            ("lifetime value", fit_clv_models),
            ("product rules", refresh_product_rules),
            ("dashboards", refresh_dashboards),
        ):
            started = time.perf_counter()
            job()  # the task bodies, run in this process
            self.stdout.write(f"refresh_insights: {label} in {time.perf_counter() - started:.1f} s")
