"""Fit BG/NBD + Gamma-Gamma on one scope and print the parameters.

    manage.py clv_fit                                   # group-wide, calibration end today, weekly units
    manage.py clv_fit --property CDNOW --calibration-end 1997-09-30 --time-unit week --json
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from concierge.clv.estimators import TIME_UNITS

FIELDS = ("r", "alpha", "a", "b", "log_likelihood", "p", "q", "gamma", "gg_log_likelihood")


class Command(BaseCommand):
    help = "Fit the lifetime-value models (BG/NBD, Gamma-Gamma) on a scope and print the parameters."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--calibration-end", type=dt.date.fromisoformat, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--time-unit", choices=sorted(TIME_UNITS), default="week")
        parser.add_argument("--property", help="property code (default: the whole group)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--no-scores", action="store_true", help="fit only; do not rewrite guest scores")

    def handle(self, *args: Any, **options: Any) -> None:
        from concierge.clv.services import fit_scope
        from concierge.properties.models import Property

        prop = None
        if options["property"]:
            prop = Property.objects.filter(code=options["property"]).first()
            if prop is None:
                raise CommandError(f"No property with code {options['property']!r}.")
        fit = fit_scope(property=prop, calibration_end=options["calibration_end"], time_unit=options["time_unit"],
                        save_scores=not options["no_scores"])
        payload = {
            "scope": prop.code if prop else "group",
            "calibration_end": fit.calibration_end.isoformat(),
            "time_unit": fit.time_unit,
            "customers": fit.customers,
            "repeat_customers": fit.repeat_customers,
            **{name: getattr(fit, name) for name in FIELDS},
            "seconds": round(fit.seconds, 3),
            "error": fit.error or None,
        }
        if options["json"]:
            self.stdout.write(json.dumps(payload))
        else:
            width = max(len(k) for k in payload)
            for key, value in payload.items():
                if isinstance(value, float):
                    value = f"{value:,.4f}" if key not in ("log_likelihood", "gg_log_likelihood") else f"{value:,.2f}"
                self.stdout.write(f"{key.ljust(width)}  {'' if value is None else value}")
        if fit.error:
            raise CommandError(f"Fit failed: {fit.error}")
