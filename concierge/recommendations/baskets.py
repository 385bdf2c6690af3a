"""Load a basket file (one basket per line, comma-separated items, e.g. arules' Groceries) as stays.

Each line becomes one checked-out stay at a property with one StayItem per distinct item; items become
products (code: prefix + slug of the item). Used for the reference check against mlxtend and for trying
thresholds on known data; everything is inserted in one transaction with bulk inserts.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from concierge.stays.choices import StayStatus
from concierge.stays.models import Product, Stay, StayItem

_BATCH = 2000


@dataclass
class BasketImport:
    """What `baskets_import` created."""

    baskets: int
    items: int
    products_created: int
    products: int
    replaced_stays: int = 0


def parse_baskets(lines: Iterable[str]) -> list[list[str]]:
    """Baskets from lines; items are kept verbatim (Groceries has "cream cheese " with its trailing space)."""
    baskets = []
    for line in lines:
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        seen: dict[str, None] = {}
        for item in line.split(","):
            if item.strip():
                seen.setdefault(item, None)
        baskets.append(list(seen))
    return baskets


def product_code(prefix: str, item: str) -> str:
    return slugify(f"{prefix}-{item}")[:60] if prefix else slugify(item)[:60]


@transaction.atomic
def baskets_import(
    *, baskets: list[list[str]], property: Any, day: dt.date, source: str, product_prefix: str = "",
    category: str = "", replace: bool = False,
) -> BasketImport:
    """Create products for unseen items and one stay per basket (source `source`) with its items."""
    replaced = 0
    if replace:
        old = Stay.objects.filter(property=property, source=source)
        StayItem.objects.filter(stay__in=old).delete()
        replaced = old.delete()[1].get("stays.Stay", 0)
    names = sorted({item for basket in baskets for item in basket})
    codes = {name: product_code(product_prefix, name) for name in names}
    if len(set(codes.values())) != len(codes):
        raise ValueError("Two items map to the same product code; use another --product-prefix.")
    existing = dict(Product.objects.filter(code__in=codes.values()).values_list("code", "pk"))
    new = [Product(code=code, name_zh=name.strip()[:120], name_en=name.strip()[:120], category=category)
           for name, code in codes.items() if code not in existing]
    Product.objects.bulk_create(new, batch_size=_BATCH)
    product_ids = dict(Product.objects.filter(code__in=codes.values()).values_list("code", "pk"))
    stays = Stay.objects.bulk_create([
        Stay(property=property, arrival=day, departure=day, room_nights=0, status=StayStatus.CHECKED_OUT,
             source=source, external_ref=str(n)) for n in range(1, len(baskets) + 1)
    ], batch_size=_BATCH)
    items = [StayItem(stay_id=stay.pk, product_id=product_ids[codes[item]])
             for stay, basket in zip(stays, baskets, strict=True) for item in basket]
    StayItem.objects.bulk_create(items, batch_size=_BATCH)
    return BasketImport(baskets=len(stays), items=len(items), products_created=len(new), products=len(codes),
                        replaced_stays=replaced)
