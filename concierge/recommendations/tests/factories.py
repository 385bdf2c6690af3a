"""Hand-made baskets as stays with products, for rule tests."""
from __future__ import annotations

import datetime as dt
from typing import Any

from concierge.stays.models import Product, Stay, StayItem

NAMES = {
    "sfw": ("新加坡美食节", "Singapore food week"), "tfw": ("泰国美食节", "Thai food week"),
    "spa": ("水疗", "Spa"), "bfst": ("早餐", "Breakfast"), "apt": ("机场接送", "Airport transfer"),
}


def product(code: str) -> Product:
    zh, en = NAMES.get(code, (code, code))
    return Product.objects.get_or_create(code=code, defaults={"name_zh": zh, "name_en": en})[0]


def stays_with(baskets: list[list[str]], *, property: Any, guest: Any = None, status: str = "checked_out",
               arrival: dt.date = dt.date(2025, 3, 1)) -> list[Stay]:
    """One stay per basket (product codes) at `property`."""
    stays = []
    for n, codes in enumerate(baskets):
        day = arrival + dt.timedelta(days=n)
        stay = Stay.objects.create(guest=guest, property=property, arrival=day, departure=day, status=status)
        StayItem.objects.bulk_create([StayItem(stay=stay, product=product(code)) for code in codes])
        stays.append(stay)
    return stays
