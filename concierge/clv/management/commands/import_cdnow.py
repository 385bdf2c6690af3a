"""Load the CDNOW sample (shipped with the `lifetimes` package) as guests and stays of one property.

CDNOW_sample.txt has one line per purchase: customer id, cohort id, date (YYYYMMDD), CDs, amount (USD).
Each customer becomes a guest linked to the property; each purchase a checked-out one-night stay arriving on
the purchase date with room_revenue = amount. Used to reproduce the published BG/NBD and Gamma-Gamma figures
through the product (`clv_fit --property CDNOW --calibration-end 1997-09-30 --time-unit week`).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

SOURCE = "cdnow"


def default_path() -> Path:
    """CDNOW_sample.txt inside the installed `lifetimes` package (located without importing it)."""
    spec = find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        raise CommandError("The lifetimes package is not installed (it is a test-only dependency: "
                           "pip install -r requirements-test.txt), so CDNOW_sample.txt cannot be found. "
                           "Pass --path to a copy of the file.")
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "CDNOW_sample.txt"


def read_transactions(path: Path) -> list[tuple[str, dt.date, Decimal]]:
    rows = []
    with path.open(encoding="ascii") as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 5:
                raise CommandError(f"{path}:{number}: expected 5 columns, got {len(parts)}")
            customer, _cohort, day, _cds, amount = parts
            rows.append((customer, dt.datetime.strptime(day, "%Y%m%d").date(), Decimal(amount)))
    return rows


class Command(BaseCommand):
    help = "Import the CDNOW sample (lifetimes package) as one property's guests and stays."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--path", help="CDNOW_sample.txt (default: the copy inside the lifetimes package)")
        parser.add_argument("--property-code", default="CDNOW")

    def handle(self, *args: Any, **options: Any) -> None:
        from concierge.guests.models import Guest, GuestProperty
        from concierge.properties.models import HotelGroup, Property
        from concierge.stays.choices import MarketSegment, StayStatus
        from concierge.stays.models import Stay

        path = Path(options["path"]) if options["path"] else default_path()
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        transactions = read_transactions(path)
        code = options["property_code"]
        with transaction.atomic():
            group = HotelGroup.objects.order_by("id").first() or HotelGroup.objects.create(
                name_zh="CDNOW 演示", name_en="CDNOW demo")
            prop, _created = Property.objects.get_or_create(
                code=code, defaults={"group": group, "name_zh": "CDNOW 样本", "name_en": "CDNOW sample",
                                     "currency": "USD", "timezone": "UTC"})
            if Stay.objects.filter(property=prop, source=SOURCE).exists():
                raise CommandError(f"CDNOW is already imported into property {code}.")
            last_stay: dict[str, dt.date] = {}
            for customer, day, _amount in transactions:
                last_stay[customer] = max(day, last_stay.get(customer, day))
            customers = sorted(last_stay)
            guests = Guest.objects.bulk_create(
                [Guest(family_name_latin="CDNOW", given_name_latin=customer, language="en", source=SOURCE,
                       external_ref=customer, last_stay_on=last_stay[customer]) for customer in customers],
                batch_size=2000,
            )
            by_customer = {g.external_ref: g for g in guests}  # PostgreSQL and SQLite return the new ids
            GuestProperty.objects.bulk_create(
                [GuestProperty(guest=g, property=prop) for g in by_customer.values()], batch_size=2000)
            stays = []
            for number, (customer, day, amount) in enumerate(transactions, start=1):
                stays.append(Stay(
                    guest=by_customer[customer], property=prop, arrival=day, departure=day + dt.timedelta(days=1),
                    room_nights=1, room_revenue=amount, adr=amount, currency="USD", status=StayStatus.CHECKED_OUT,
                    market_segment=MarketSegment.LEISURE, source=SOURCE, external_ref=f"{customer}-{number}",
                ))
            Stay.objects.bulk_create(stays, batch_size=2000)
        self.stdout.write(f"Imported {len(customers)} guests and {len(stays)} stays into {code}.")
