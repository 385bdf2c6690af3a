"""Seeded stay histories: three years of seasonal stays up to today plus upcoming reservations.

Status follows the dates (checked out in the past, in house across today, reserved in the future,
a few cancellations and no-shows). ADR depends on property, month, weekday, room type and segment;
F&B and packages add revenue.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from concierge.core.demo import data
from concierge.core.demo.generators import GuestSpec, Weighted, rng_for

HISTORY_DAYS = 3 * 365
BOOKING_HORIZON_DAYS = 60

_STAY_COUNTS = Weighted([1, 2, 3, 4, 5, 6, 8, 10, 14, 20, 30], [42, 20, 11, 7, 5, 4, 3, 3, 2, 2, 1])
_CORPORATE_COUNTS = Weighted([1, 2, 3, 5, 8, 12, 18, 26, 36], [20, 15, 12, 12, 12, 10, 8, 6, 5])
_NIGHTS = Weighted([1, 2, 3, 4, 5, 7, 10, 14], [30, 28, 18, 10, 6, 5, 2, 1])
_ROOMS = Weighted(data.ROOM_TYPES, [r[1] for r in data.ROOM_TYPES])
_LEISURE = Weighted(data.LEISURE_MIX, [m[3] for m in data.LEISURE_MIX])
_CORPORATE = Weighted(data.CORPORATE_MIX, [m[3] for m in data.CORPORATE_MIX])
_SEGMENT_PRICE = {"corporate": 0.86, "group": 0.75, "mice": 0.9, "government": 0.7, "long_stay": 0.7,
                  "complimentary": 0.0, "leisure": 1.0, "crew": 0.6, "other": 1.0}
_MAX_DEMAND = max(data.MONTH_DEMAND.values())


@dataclass
class StaySpec:
    """One planned stay; `property` indexes data.PROPERTIES, item tuples are (product code, quantity, amount)."""

    property: int
    arrival: dt.date
    departure: dt.date
    status: str
    room_type: str
    room_number: str
    rate_code: str
    adr: Decimal
    room_revenue: Decimal
    fnb_revenue: Decimal
    other_revenue: Decimal
    channel: str
    market_segment: str
    adults: int
    children: int
    billed_to_company: bool
    items: list[tuple[str, int, Decimal]] = field(default_factory=list)

    @property
    def nights(self) -> int:
        return max((self.departure - self.arrival).days, 1)


class StayPlanner:
    """Plans stays per guest from its own seeded stream, anchored on `today`."""

    def __init__(self, seed: int, *, today: dt.date) -> None:
        self.rng = rng_for(seed, "stays")
        self.today = today

    def plan(self, spec: GuestSpec, *, government: bool = False) -> list[StaySpec]:
        rng = self.rng
        if spec.status == "prospect":
            return []
        count = (_CORPORATE_COUNTS if spec.corporate else _STAY_COUNTS).pick(rng)
        latest = {
            "lost": self.today - dt.timedelta(days=400),
            "inactive": self.today - dt.timedelta(days=560),
            "unsuitable": self.today - dt.timedelta(days=120),
        }.get(spec.status, self.today + dt.timedelta(days=BOOKING_HORIZON_DAYS))
        earliest = self.today - dt.timedelta(days=HISTORY_DAYS)
        if latest <= earliest:
            latest = earliest + dt.timedelta(days=30)
        arrivals = sorted(self._arrival(earliest, latest) for _ in range(count))
        if spec.status == "active" and rng.random() < 0.012:
            arrivals.append(self.today)  # arriving today: the front desk's check-in list
        stays: list[StaySpec] = []
        busy_until = dt.date.min
        for arrival in arrivals:
            if arrival < busy_until:
                continue  # one person is in one hotel at a time
            stay = self._stay(spec, arrival, government=government)
            busy_until = stay.departure
            stays.append(stay)
        return stays

    def _arrival(self, earliest: dt.date, latest: dt.date) -> dt.date:
        span = (latest - earliest).days
        while True:
            day = earliest + dt.timedelta(days=self.rng.randrange(span + 1))
            if self.rng.random() * _MAX_DEMAND <= data.MONTH_DEMAND[day.month]:
                return day

    def _stay(self, spec: GuestSpec, arrival: dt.date, *, government: bool) -> StaySpec:
        rng = self.rng
        prop_index = spec.home if rng.random() < 0.8 else rng.randrange(len(data.PROPERTIES))
        prop = data.PROPERTIES[prop_index]
        channel, segment, rate_code, _w = (_CORPORATE if spec.corporate else _LEISURE).pick(rng)
        if government and segment == "corporate":
            segment, rate_code = "government", "GOV"
        nights = rng.randint(14, 30) if segment == "long_stay" else _NIGHTS.pick(rng)
        departure = arrival + dt.timedelta(days=nights)
        room_type, _share, room_factor = _ROOMS.pick(rng)
        adr = self._adr(prop, arrival, room_factor, segment)
        status = self._status(arrival, departure)
        adults = 1 if segment in ("corporate", "government") else rng.choice([1, 2, 2, 2])
        children = rng.choice([0, 0, 0, 1, 2]) if adults == 2 and segment == "leisure" else 0
        stay = StaySpec(
            property=prop_index, arrival=arrival, departure=departure, status=status, room_type=room_type,
            room_number=f"{rng.randint(2, prop['floors'])}{rng.randint(1, 30):02d}", rate_code=rate_code, adr=adr,
            room_revenue=Decimal("0"), fnb_revenue=Decimal("0"), other_revenue=Decimal("0"), channel=channel,
            market_segment=segment, adults=adults, children=children,
            billed_to_company=spec.corporate and segment in ("corporate", "government", "mice"),
        )
        self._revenue(stay, prop["code"])
        return stay

    def _adr(self, prop: dict, arrival: dt.date, room_factor: float, segment: str) -> Decimal:
        weekend = arrival.weekday() >= 4
        week_factor = (1.15 if weekend else 0.95) if prop["code"] == "HGH" else (0.9 if weekend else 1.05)
        price = (prop["base_adr"] * room_factor * data.MONTH_PRICE[arrival.month] * week_factor
                 * _SEGMENT_PRICE[segment] * self.rng.uniform(0.92, 1.08))
        return Decimal(round(price))

    def _status(self, arrival: dt.date, departure: dt.date) -> str:
        roll = self.rng.random()
        if arrival > self.today:
            return "cancelled" if roll < 0.08 else "reserved"
        if arrival == self.today:
            return "in_house" if roll < 0.5 else "reserved"
        if departure > self.today:
            return "in_house"
        return "cancelled" if roll < 0.03 else "no_show" if roll < 0.05 else "checked_out"

    def _revenue(self, stay: StaySpec, code: str) -> None:
        rng = self.rng
        if stay.status == "cancelled":
            return
        if stay.status == "no_show":
            stay.room_revenue = stay.adr if rng.random() < 0.5 else Decimal("0")  # guaranteed bookings pay night 1
            return
        stay.room_revenue = stay.adr * stay.nights
        fnb = Decimal(round(float(stay.room_revenue) * rng.uniform(0, 0.35)))
        other = Decimal(rng.choice([0, 0, 0, 60, 120, 180, 260]))  # laundry, minibar
        eligible = [p for p in data.PRODUCTS
                    if (not p[5] or code in p[5]) and (not p[6] or stay.arrival.month in p[6])]
        if stay.market_segment == "mice":
            eligible = [p for p in eligible if p[0] == "meeting-package"] or eligible
        if eligible and rng.random() < 0.3:
            for product in rng.sample(eligible, k=min(len(eligible), rng.choice([1, 1, 2]))):
                p_code, _zh, _en, category, price, _props, _months = product
                quantity = stay.nights if p_code == "breakfast-package" else stay.adults
                amount = Decimal(price * quantity)
                stay.items.append((p_code, quantity, amount))
                if category == "fnb" or p_code == "breakfast-package":
                    fnb += amount
                else:
                    other += amount
        stay.fnb_revenue, stay.other_revenue = fnb, other
