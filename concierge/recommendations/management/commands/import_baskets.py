"""`manage.py import_baskets PATH --property-code GROC`: load a basket file (e.g. Groceries) as stays."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from concierge.properties.models import HotelGroup, Property
from concierge.recommendations.baskets import baskets_import, parse_baskets


class Command(BaseCommand):
    help = ("Load a basket file (one basket per line, comma-separated items) as one checked-out stay per basket "
            "with its products, for checking product rules against a reference.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--property-code", required=True,
                            help="Property to hold the stays; created (in the first hotel group) when missing.")
        parser.add_argument("--product-prefix", default=None, help="Prefix of product codes (default: the code).")
        parser.add_argument("--category", default="basket", help="Category of created products.")
        parser.add_argument("--replace", action="store_true", help="First delete stays loaded from this file.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        code = options["property_code"]
        prop = Property.objects.filter(code=code).first()
        if prop is None:
            group = HotelGroup.objects.order_by("pk").first()
            if group is None:
                raise CommandError("No hotel group yet: create one (or run seed_demo) first.")
            prop = Property.objects.create(group=group, code=code, name_zh=code, name_en=code)
        with path.open(encoding="utf-8", newline="") as handle:
            baskets = parse_baskets(handle)
        prefix = options["product_prefix"] if options["product_prefix"] is not None else code.lower()
        result = baskets_import(
            baskets=baskets, property=prop, day=timezone.localdate(), source=f"baskets:{path.name}"[:60],
            product_prefix=prefix, category=options["category"], replace=options["replace"])
        self.stdout.write(
            f"{result.baskets} baskets, {result.items} items, {result.products} products "
            f"({result.products_created} new) loaded at {prop.code}"
            + (f"; {result.replaced_stays} earlier stays replaced" if options["replace"] else ""))
