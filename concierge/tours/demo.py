"""Demo tour products, departures and orders for `make run` (`manage.py seed_tours`, on top of `seed_demo`).

Idempotent: products are keyed by code, departures by (product, date), and orders are only placed on a departure
that has none yet, so a second run adds nothing. Orders go through `order_place`, so seat counters, timeline
entries and numbers are exactly what the UI would have produced.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from concierge.guests.models import Company
from concierge.properties.models import Property
from concierge.tours.models import Departure, TourProduct
from concierge.tours.services import order_place

# code, zh, en, property code (None = group-wide), days, price, child price, capacity, inclusions zh / en
PRODUCTS: list[tuple[Any, ...]] = [
    ("sha-watertown-3d", "上海+水乡三日游", "Shanghai & water towns, 3 days", "SHA", 3, "1880", "1280", 30,
     "外滩酒店两晚\n每日早餐\n周庄一日游\n中文导游", "Two nights at the Bund hotel\nDaily breakfast\nZhouzhuang day trip\nGuide"),
    ("sha-bund-night", "外滩夜游", "Bund by night", "SHA", 1, "368", "188", 40,
     "黄浦江游船\n晚餐", "Huangpu river cruise\nDinner"),
    ("hgh-westlake-2d", "西湖茶园两日游", "West Lake & tea villages, 2 days", "HGH", 2, "1280", "880", 24,
     "西湖酒店一晚\n龙井茶园参观\n早餐", "One night at the West Lake hotel\nLongjing tea garden visit\nBreakfast"),
    ("hgh-lingyin-1d", "灵隐寺文化一日游", "Lingyin temple culture day", "HGH", 1, "458", None, 20,
     "门票\n午餐\n导游", "Tickets\nLunch\nGuide"),
    ("szx-hk-4d", "深港四日游", "Shenzhen & Hong Kong, 4 days", "SZX", 4, "3680", "2580", 30,
     "酒店三晚\n港澳通行证办理协助\n导游", "Three hotel nights\nTravel permit assistance\nGuide"),
    ("szx-golf-2d", "深圳高尔夫两日游", "Shenzhen golf weekend", "SZX", 2, "2980", None, 12,
     "球场果岭费\n酒店一晚", "Green fees\nOne hotel night"),
    ("yangtze-delta-5d", "长三角五日游", "Yangtze delta, 5 days", None, 5, "4280", "2980", 36,
     "上海、杭州、苏州\n酒店四晚\n全程巴士", "Shanghai, Hangzhou, Suzhou\nFour hotel nights\nCoach throughout"),
    ("gba-food-3d", "大湾区美食三日游", "Greater Bay food tour, 3 days", None, 3, "2680", "1680", 20,
     "美食团餐\n酒店两晚", "Food tastings\nTwo hotel nights"),
]


@dataclass
class TourSeedResult:
    products: int = 0
    departures: int = 0
    orders: int = 0


def tours_seed(*, months: int = 4, today: dt.date | None = None) -> TourSeedResult:
    """Products, departures every two weeks for `months` months, and agency orders (one departure full)."""
    today = today or timezone.localdate()
    result = TourSeedResult()
    properties = {p.code: p for p in Property.objects.all()}
    # The demo travel agencies (seed_demo creates them with 2,000 guests); smaller demos fall back to companies.
    agencies = (list(Company.objects.filter(channel="travel_agency", status="active").order_by("id")[:5])
                or list(Company.objects.filter(status="active").order_by("id")[:5]))
    actor = (get_user_model().objects.filter(role="sales_manager").order_by("id").first()
             or get_user_model().objects.filter(is_superuser=True).order_by("id").first())
    first = today + dt.timedelta(days=(4 - today.weekday()) % 7 + 7)  # a Friday, one to two weeks ahead
    for index, (code, zh, en, prop_code, days, price, child, capacity, inc_zh, inc_en) in enumerate(PRODUCTS):
        if prop_code and prop_code not in properties:
            continue
        product, created = TourProduct.objects.get_or_create(code=code, defaults={
            "name_zh": zh, "name_en": en, "property": properties.get(prop_code) if prop_code else None,
            "duration_days": days, "inclusions_zh": inc_zh, "inclusions_en": inc_en,
            "description_zh": f"{zh}，适合散客与旅行社团队。",
            "description_en": f"{en}, for individual guests and travel-agency groups.",
        })
        result.products += int(created)
        weeks = months * 4
        for n in range(index % 2, weeks, 2):
            departs_on = first + dt.timedelta(weeks=n)
            departure, created = Departure.objects.get_or_create(product=product, departs_on=departs_on, defaults={
                "capacity": capacity, "price": Decimal(price),
                "child_price": Decimal(child) if child else None,
            })
            result.departures += int(created)
            if not agencies or departure.orders.exists():
                continue
            result.orders += _orders_for(departure, agencies, actor, full=(index == 0 and n == 0), seed=index + n)
    return result


def _orders_for(departure: Departure, agencies: list[Company], actor: Any, *, full: bool, seed: int) -> int:
    """A few agency orders; the first departure of the first product is sold out."""
    plan = [departure.capacity // 2, departure.capacity - departure.capacity // 2] if full else \
        [2 + seed % 5, 1 + seed % 3][: 1 + seed % 2]
    placed = 0
    with transaction.atomic():
        for i, seats in enumerate(plan):
            agency = agencies[(seed + i) % len(agencies)]
            order_place(actor=actor, departure=departure, seats=seats, company=agency,
                        children=1 if seats > 3 else 0,
                        contact_name=("王经理" if i % 2 == 0 else "Ms. Lin"), contact_phone="021-6000 0000",
                        note="demo")
            placed += 1
    return placed
