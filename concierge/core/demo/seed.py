"""The demo data set behind `manage.py seed_demo`.

Small, structural things (group, properties, users, companies, contacts, company interactions) go
through the services or plain ORM calls; the thousands of guests, stays and timeline rows are
generated first and then bulk-loaded (see `loader`). `guest_statistics_refresh` runs last so the
per-property ranks, last-stay dates and search recency match the stays.
"""
from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext_noop

from concierge.accounts.models import User
from concierge.core.choices import ActivityKind
from concierge.core.demo import data
from concierge.core.demo.generators import GuestGenerator, GuestSpec, rng_for
from concierge.core.demo.ledger import StayPlanner, StaySpec
from concierge.core.demo.loader import BulkWriter, guest_from_spec, guests_load, tags_ensure
from concierge.core.i18n import LocalizedText
from concierge.core.models import Activity
from concierge.guests.choices import AlertSeverity, ConsentChannel, PreferenceCategory
from concierge.guests.models import (
    Alert,
    Company,
    ConsentRecord,
    Contact,
    Guest,
    GuestProperty,
    Industry,
    Preference,
)
from concierge.guests.services import company_create, company_update, contact_create, interaction_log
from concierge.properties.models import HotelGroup, Property
from concierge.stays.choices import PRODUCTIVE_STATUSES, StayStatus
from concierge.stays.models import Product, Stay, StayItem
from concierge.stays.services import guest_statistics_refresh

TZ = ZoneInfo("Asia/Shanghai")
AREA_CODES = {
    "上海": "21", "北京": "10", "杭州": "571", "深圳": "755", "广州": "20", "南京": "25", "苏州": "512",
    "成都": "28", "武汉": "27", "西安": "29", "济南": "531", "厦门": "592", "长沙": "731", "合肥": "551",
    "宁波": "574", "无锡": "510", "东莞": "769", "佛山": "757",
}
FOREIGN_LANDLINES = {"München": "+49 89 2180 {n}", "Tokyo": "+81 3 5550 {n}", "Singapore": "+65 6220 {n}"}
PROVINCE_PROPERTY = {"上海": "SHA", "江苏": "SHA", "安徽": "SHA", "浙江": "HGH", "广东": "SZX", "福建": "SZX"}
# Who owns accounts at each property, and who records guests there.
PROPERTY_SALES = {"SHA": ["sales", "salesmgr"], "HGH": ["sales"], "SZX": ["sales_szx", "salesmgr"]}
PROPERTY_DESK = {"SHA": ["frontdesk", "service"], "HGH": ["frontdesk_hgh"], "SZX": ["frontdesk_szx"]}


@dataclass
class SeedSummary:
    """What demo_seed created, for the command's report."""

    counts: dict[str, int] = field(default_factory=dict)
    guest_kinds: Counter = field(default_factory=Counter)
    stay_statuses: Counter = field(default_factory=Counter)
    revenue: Decimal = Decimal("0")
    seconds: float = 0.0
    users: list[User] = field(default_factory=list)


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def _clamp_past(moment: dt.datetime, now: dt.datetime) -> dt.datetime:
    return min(moment, now)


@transaction.atomic
@translation.override("en")  # stored timeline summaries are English renderings, as activity_log writes them
def demo_seed(*, guests: int, seed: int, today: dt.date | None = None, batch_size: int = 5000) -> SeedSummary:
    """Seed the demo data set into an empty database; returns what was created."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    now = timezone.now()
    summary = SeedSummary()
    writer = BulkWriter(batch_size=batch_size)
    rng = rng_for(seed, "records")

    properties = _properties()
    users = _users(properties)
    summary.users = list(users.values())
    industries = {
        code: Industry.objects.create(code=code, name_zh=zh, name_en=en, sort_order=i * 10)
        for i, (code, zh, en) in enumerate(data.INDUSTRIES)
    }
    products = {
        code: Product.objects.create(code=code, name_zh=zh, name_en=en, category=category)
        for code, zh, en, category, _price, _props, _months in data.PRODUCTS
    }
    companies = _companies(rng, count=min(len(data.COMPANIES), max(8, guests // 50)), properties=properties,
                           users=users, industries=industries)

    # Guests: generate people and their stays first (created_at precedes the first stay), then bulk-load.
    specs = list(GuestGenerator(seed).guests(guests))
    planner = StayPlanner(seed, today=today)
    government_ids = {c.pk for c in companies if c.industry_id == industries["government"].pk}
    guest_rows: list[Guest] = []
    plans: list[list[StaySpec]] = []
    corporate_companies = [c for c in companies if c.status == "active"]
    codes = [p["code"] for p in data.PROPERTIES]
    for spec in specs:
        company = rng.choice(corporate_companies) if spec.corporate and corporate_companies else None
        plan = planner.plan(spec, government=bool(company and company.pk in government_ids))
        plans.append(plan)
        first = min((s.arrival for s in plan), default=None)
        if first is None or first > today:
            created = today - dt.timedelta(days=rng.randint(1, 3 * 365 if first is None else 45))
        else:
            created = first - dt.timedelta(days=rng.randint(0, 60))
        owner = company.owner if company else None
        if owner is None and spec.tier in ("钻石卡", "集团VIP"):
            owner = users[rng.choice(PROPERTY_SALES[codes[spec.home]])]
        desk = PROPERTY_DESK[codes[spec.home]]
        guest_rows.append(guest_from_spec(
            spec, company=company, owner=owner, created_by=users[rng.choice(desk)],
            created_at=_clamp_past(_aware(created, rng.randint(8, 22), rng.randint(0, 59)), now),
            source="pms" if spec.source_channel in ("ota", "travel_agency") else "",
        ))
        summary.guest_kinds[spec.kind] += 1
    property_ids = [properties[code].pk for code in codes]
    tag_ids = tags_ensure(sorted({t for s in specs for t in s.tags}))
    load = guests_load(guests=guest_rows, specs=specs, writer=writer, property_ids=property_ids, today=today,
                       tag_ids=tag_ids)
    for guest in guest_rows:
        guest._history_date = guest.created_at
    Guest.history.bulk_history_create(guest_rows, batch_size=batch_size, default_change_reason="seed_demo")

    _package_affinities(plans, seed=seed)
    stays = _stays(writer, guest_rows, plans, properties=properties, products=products, now=now)
    for stay in stays:
        summary.stay_statuses[stay.status] += 1
    _contacts(rng, companies, guest_rows, seed=seed)
    _guest_records(rng, writer, guest_rows, specs, stays, users=users, properties=properties, today=today,
                   now=now)
    _company_interactions(rng, companies, now=now)
    if connection.vendor == "postgresql":
        # The tables were empty when this transaction began: without fresh statistics PostgreSQL plans each guest's
        # look-up as a scan of every stay (> 10 minutes at 50,000 guests). ANALYZE sees this transaction's rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    guest_statistics_refresh(batch_size=batch_size)

    summary.counts = {
        "properties": len(properties), "staff users": len(users), "industries": len(industries),
        "products": len(products), "companies": len(companies),
        "contacts": Contact.objects.count(), "guests": load.guests,
        "ID documents": load.documents, "search keys": load.search_keys, "stays": len(stays),
        "stay items": writer.counts.get("stays.StayItem", 0),
        "preferences": writer.counts.get("guests.Preference", 0), "alerts": writer.counts.get("guests.Alert", 0),
        "consents": writer.counts.get("guests.ConsentRecord", 0),
        "timeline entries": Activity.objects.count(),
    }
    summary.revenue = Stay.objects.filter(status__in=PRODUCTIVE_STATUSES).aggregate(
        total=Sum(F("room_revenue") + F("fnb_revenue") + F("other_revenue"))
    )["total"] or Decimal("0")
    summary.seconds = time.perf_counter() - started
    return summary


# --- structure ------------------------------------------------------------------------------------------------


def _properties() -> dict[str, Property]:
    group = HotelGroup.objects.create(**data.HOTEL_GROUP)
    return {
        p["code"]: Property.objects.create(
            group=group, code=p["code"], name_zh=p["name_zh"], name_en=p["name_en"], city=p["city"],
            phone=p["phone"], email=p["email"], address=p["address"], currency="CNY", timezone="Asia/Shanghai",
        )
        for p in data.PROPERTIES
    }


def _users(properties: dict[str, Property]) -> dict[str, User]:
    # One hash for the shared published password: hashing it per user would dominate the seed time.
    password = make_password(data.DEMO_PASSWORD)
    users: dict[str, User] = {}
    for username, role, codes, name, superuser in data.STAFF:
        user = User.objects.create(
            username=username, password=password, role=role, first_name=name, is_demo=True,
            is_staff=superuser, is_superuser=superuser, all_properties=superuser,
            email=f"{username}@concierge-hotels.example", language="zh-hans",
        )
        user.properties.set([properties[c] for c in codes])
        users[username] = user
    return users


def _companies(rng: random.Random, *, count: int, properties: dict[str, Property], users: dict[str, User],
               industries: dict[str, Industry]) -> list[Company]:
    admin = users["admin"]
    companies: list[Company] = []
    for index, row in enumerate(data.COMPANIES[:count]):
        name_zh, name_en, industry, province, city, payment, frequency, channel = row
        code = PROVINCE_PROPERTY.get(province) or rng.choice(list(properties))
        held = {code} | ({rng.choice(list(properties))} if rng.random() < 0.4 else set())
        owner = users[rng.choice(PROPERTY_SALES[code])]
        if city in FOREIGN_LANDLINES:
            phone = FOREIGN_LANDLINES[city].format(n=f"{rng.randint(0, 9999):04d}")
            country = data.FOREIGN_COMPANY_COUNTRY[city]
        else:
            area = AREA_CODES.get(city, "21")
            phone = f"0{area}-{rng.randint(5000, 8999)}{rng.randint(0, 9999):04d}"
            country = "CN"
        status, reason = "active", ""
        if index == 5:
            status, reason = "lost", "集团改签竞争对手酒店年度协议"
        elif index == 9:
            status = "prospect"
        slug = "".join(ch for ch in name_en.lower() if ch.isalnum())[:20]
        companies.append(company_create(
            actor=admin, properties=[properties[c] for c in sorted(held)],
            tags=["协议客户"] + (["重点客户"] if payment == "city_ledger" else []),
            name_zh=name_zh, name_en=name_en, account_number=f"AR-{code}-{index + 1:04d}",
            industry=industries[industry], country=country, province=province, city=city, channel=channel,
            phone=phone, email=f"travel@{slug}.example.com", payment_method=payment,
            contact_frequency_days=frequency, status=status, status_reason=reason, owner=owner,
            homepage=f"https://www.{slug}.example.com/",
        ))
    by_name = {c.name_zh: c for c in companies}
    parent, child = by_name.get("恒固建材集团"), by_name.get("蓝石新型材料有限公司")
    if parent and child:
        companies[companies.index(child)] = company_update(actor=admin, company=child, parent=parent)
    return companies


def _contacts(rng: random.Random, companies: list[Company], guests: list[Guest], *, seed: int) -> None:
    """1-3 contacts per company; some are also guests (the company's travellers)."""
    people = GuestGenerator(seed, stream="contacts", showcase=False)
    employees: dict[int, list[Guest]] = {}
    for guest in guests:
        if guest.company_id:
            employees.setdefault(guest.company_id, []).append(guest)
    for company in companies:
        staff = employees.get(company.pk, [])
        for n in range(rng.randint(1, 3)):
            position_zh, position_en = rng.choice(data.POSITIONS)
            foreign = company.country != "CN"
            if staff and rng.random() < 0.4:
                guest = staff.pop(rng.randrange(len(staff)))
                name = guest.display_name
                name_latin = guest.latin_name
                phone, email, birthday = guest.phone, guest.email, guest.birthday
            else:
                guest = None
                person = people.guest()
                name = person.display
                name_latin = f"{person.given_name_latin} {person.family_name_latin}".strip()
                phone, email, birthday = person.phone, person.email, person.birthday
            contact_create(
                actor=company.owner, company=company, name=name, name_latin=name_latin, guest=guest,
                position=position_en if foreign else position_zh,
                department="" if foreign else rng.choice(data.DEPARTMENTS), phone=phone, email=email,
                birthday=birthday, is_decision_maker=n == 0 and rng.random() < 0.6,
            )


# --- stays ------------------------------------------------------------------------------------------------------


# Guests with a taste for food festivals come back for the next one, and some packages go together, so the
# product-affinity screens and the guest card's next-best offers have real patterns to find. A separate random
# stream keeps every other seeded value unchanged.
FOODIE_SHARE = 0.15
FESTIVAL_UPTAKE = 0.7
SAME_STAY_PAIRS = [  # (taken, often added on the same stay, probability)
    ("spa-ritual", "afternoon-tea", 0.45),
    ("family-package", "breakfast-package", 0.55),
    ("airport-transfer", "late-checkout", 0.4),
    ("golf-package", "spa-ritual", 0.35),
]


def _package_affinities(plans: list[list[StaySpec]], *, seed: int) -> None:
    """Add correlated packages to planned stays (with their revenue): festival fans, and pairs on one stay."""
    rng = rng_for(seed, "packages")
    catalogue = {p[0]: p for p in data.PRODUCTS}
    codes = [p["code"] for p in data.PROPERTIES]
    festivals = [p for p in data.PRODUCTS if p[3] == "fnb" and p[6]]  # seasonal food weeks

    def add(stay: StaySpec, code: str) -> None:
        if any(item[0] == code for item in stay.items):
            return
        _code, _zh, _en, category, price, _props, _months = catalogue[code]
        quantity = stay.nights if code == "breakfast-package" else stay.adults
        amount = Decimal(price * quantity)
        stay.items.append((code, quantity, amount))
        if category == "fnb" or code == "breakfast-package":
            stay.fnb_revenue += amount
        else:
            stay.other_revenue += amount

    for plan in plans:
        foodie = rng.random() < FOODIE_SHARE
        for stay in plan:
            if stay.status in ("cancelled", "no_show"):
                continue
            if foodie:
                for festival in festivals:
                    in_season = stay.arrival.month in festival[6]
                    if in_season and (not festival[5] or codes[stay.property] in festival[5]) \
                            and rng.random() < FESTIVAL_UPTAKE:
                        add(stay, festival[0])
            for taken, added, probability in SAME_STAY_PAIRS:
                if any(item[0] == taken for item in stay.items) and rng.random() < probability:
                    add(stay, added)



def _stays(writer: BulkWriter, guests: list[Guest], plans: list[list[StaySpec]], *,
           properties: dict[str, Property], products: dict[str, Product], now: dt.datetime) -> list[Stay]:
    codes = [p["code"] for p in data.PROPERTIES]
    prop_ids = [properties[c].pk for c in codes]
    stays: list[Stay] = []
    specs_by_stay: list[StaySpec] = []
    links: dict[tuple[int, int], dt.datetime] = {}
    company_links: set[tuple[int, int]] = set()
    serial = 0
    for guest, plan in zip(guests, plans):
        for spec in plan:
            serial += 1
            stays.append(Stay(
                guest=guest, company_id=guest.company_id if spec.billed_to_company else None,
                property_id=prop_ids[spec.property], arrival=spec.arrival, departure=spec.departure,
                room_nights=spec.nights, room_type=spec.room_type, room_number=spec.room_number,
                rate_code=spec.rate_code, adr=spec.adr, room_revenue=spec.room_revenue,
                fnb_revenue=spec.fnb_revenue, other_revenue=spec.other_revenue, currency="CNY",
                channel=spec.channel, market_segment=spec.market_segment, status=spec.status,
                adults=spec.adults, children=spec.children, external_ref=f"PMS-{codes[spec.property]}-{serial:07d}",
                source="pms", created_at=_clamp_past(_aware(spec.arrival - dt.timedelta(days=14), 10), now),
            ))
            specs_by_stay.append(spec)
            key = (guest.pk, prop_ids[spec.property])
            links.setdefault(key, _aware(spec.arrival, 14))
            if spec.billed_to_company and guest.company_id:
                company_links.add((guest.company_id, prop_ids[spec.property]))
    writer.insert(stays)
    writer.insert([
        StayItem(stay=stay, product=products[code], quantity=quantity, amount=amount)
        for stay, spec in zip(stays, specs_by_stay) for code, quantity, amount in spec.items
    ])
    existing = set(GuestProperty.objects.values_list("guest_id", "property_id"))
    GuestProperty.objects.bulk_create(
        [GuestProperty(guest_id=g, property_id=p, first_seen=first) for (g, p), first in links.items()
         if (g, p) not in existing],
        batch_size=writer.batch_size,
    )
    through = Company.properties.through
    through.objects.bulk_create([through(company_id=c, property_id=p) for c, p in sorted(company_links)],
                                ignore_conflicts=True)
    writer.insert([
        _entry(
            LocalizedText(gettext_noop("Stay %(arrival)s–%(departure)s, room %(room)s (%(status)s)"), {
                "arrival": stay.arrival.isoformat(), "departure": stay.departure.isoformat(),
                "room": stay.room_number or "—", "status": StayStatus(stay.status).label}),
            kind=ActivityKind.STAY, guest=stay.guest, company_id=stay.company_id, property_id=stay.property_id,
            data={"stay_id": stay.pk}, occurred_at=_aware(stay.arrival, 14),
        )
        for stay in stays
    ])
    return stays


# --- preferences, alerts, consent, timeline ----------------------------------------------------------------------


def _guest_records(rng: random.Random, writer: BulkWriter, guests: list[Guest], specs: list[GuestSpec],
                   stays: list[Stay], *, users: dict[str, User], properties: dict[str, Property], today: dt.date,
                   now: dt.datetime) -> None:
    codes = [p["code"] for p in data.PROPERTIES]
    first_stay: dict[int, Stay] = {}
    for stay in stays:
        if stay.status in ("checked_out", "in_house"):
            current = first_stay.get(stay.guest_id)
            if current is None or stay.arrival < current.arrival:
                first_stay[stay.guest_id] = stay
    channels = [c.value for c in ConsentChannel]
    preferences: list[Preference] = []
    alerts: list[Alert] = []
    consents: list[ConsentRecord] = []
    activities: list[Activity] = []
    pending_ids: list[tuple[Activity, str, Any]] = []  # timeline data points at rows not inserted yet
    for guest, spec in zip(guests, specs):
        home = codes[spec.home]
        prop = properties[home]
        desk = [users[u] for u in PROPERTY_DESK[home]]
        zh = spec.language == "zh-hans"
        since = guest.created_at
        activities.append(_entry(
            LocalizedText(gettext_noop("Profile created")), kind=ActivityKind.PROFILE, actor=guest.created_by,
            guest=guest, property=prop, data={"event": "created"}, occurred_at=since,
        ))
        stay = first_stay.get(guest.pk)
        if stay is not None and rng.random() < 0.4:
            for category in rng.sample(list(data.PREFERENCES), k=rng.randint(1, 4)):
                zh_text, en_text = rng.choice(data.PREFERENCES[category])
                value = (zh_text if zh else en_text).format(view=rng.choice(data.PROPERTIES[spec.home]["views"]))
                at = _clamp_past(_aware(stay.arrival, rng.randint(15, 22)), now)
                source = rng.choice(["stay", "staff", "guest"])
                actor = rng.choice(desk)
                preference = Preference(
                    guest=guest, category=category, value=value, source=source,
                    stay=stay if source == "stay" else None, recorded_at=at, recorded_by=actor,
                )
                activity = _entry(
                    LocalizedText(gettext_noop("Preference: %(category)s — %(value)s"), {
                        "category": PreferenceCategory(category).label, "value": value}),
                    kind=ActivityKind.PREFERENCE, actor=actor, guest=guest, property_id=stay.property_id,
                    data={"category": category, "value": value}, occurred_at=at,
                )
                preferences.append(preference)
                activities.append(activity)
                pending_ids.append((activity, "preference_id", preference))
        if rng.random() < 0.08 or (spec.tier == "集团VIP" and rng.random() < 0.7):
            severity, category, zh_text, en_text = rng.choice(data.ALERTS)
            if spec.tier == "集团VIP":
                severity, category, zh_text, en_text = data.ALERTS[5]
            text = zh_text if zh else en_text
            actor = rng.choice(desk)
            alert = Alert(guest=guest, severity=severity, category=category, text=text, created_at=since,
                          created_by=actor)
            activity = _entry(
                LocalizedText(gettext_noop("Alert (%(severity)s): %(text)s"), {
                    "severity": AlertSeverity(severity).label, "text": text}),
                kind=ActivityKind.ALERT, actor=actor, guest=guest, occurred_at=since,
            )
            alerts.append(alert)
            activities.append(activity)
            pending_ids.append((activity, "alert_id", alert))
        if rng.random() < 0.6:
            source = rng.choice(data.CONSENT_SOURCES)
            for channel in rng.sample(list(channels), k=rng.randint(1, 3)):
                granted = rng.random() < 0.85
                consents.append(ConsentRecord(guest=guest, channel=channel, granted=granted, source=source,
                                              recorded_at=since, recorded_by=guest.created_by))
                activities.append(_consent_entry(guest, channel, granted, source, since))
                if granted and rng.random() < 0.06:
                    later = _clamp_past(since + dt.timedelta(days=rng.randint(30, 400)), now)
                    consents.append(ConsentRecord(guest=guest, channel=channel, granted=False,
                                                  source="退订链接 unsubscribe link", recorded_at=later))
                    activities.append(_consent_entry(guest, channel, False, "unsubscribe", later))
        contacts = rng.randint(1, 4) if guest.owner_id else (1 if rng.random() < 0.1 else 0)
        for _n in range(contacts):
            kind, zh_text, en_text = rng.choice(data.INTERACTIONS if guest.owner_id else data.INTERACTIONS[-2:])
            actor = guest.owner if guest.owner_id and kind != "note" else rng.choice(desk)
            start = max(since.date(), today - dt.timedelta(days=700))
            day = start + dt.timedelta(days=rng.randint(0, max((today - start).days, 0)))
            activities.append(_entry(  # typed by staff: free text, shown as written
                zh_text if zh else en_text, kind=kind, actor=actor, guest=guest, property=prop,
                occurred_at=_clamp_past(_aware(day, rng.randint(9, 18), rng.randint(0, 59)), now),
            ))
    writer.insert(preferences)
    writer.insert(alerts)
    writer.insert(consents)
    for activity, key, obj in pending_ids:
        activity.data[key] = obj.pk
    writer.insert(activities)


def _entry(summary: LocalizedText | str, *, data: dict[str, Any] | None = None, **fields: Any) -> Activity:
    """An unsaved timeline entry stored the way `activity_log` stores one: a LocalizedText summary is kept
    as message id + parameters (shown in each reader's language) with an English rendering in `summary`.
    """
    data = dict(data or {})
    if isinstance(summary, LocalizedText):
        data["summary_i18n"] = summary.as_data()
        summary = summary.render()  # demo_seed runs in English: render_in("en") without 17k activations
    return Activity(summary=summary[:300], data=data, **fields)


def _consent_entry(guest: Guest, channel: str, granted: bool, source: str, at: dt.datetime) -> Activity:
    msgid = (gettext_noop("Consent given for %(channel)s") if granted
             else gettext_noop("Consent withdrawn for %(channel)s"))
    return _entry(
        LocalizedText(msgid, {"channel": ConsentChannel(channel).label}), kind=ActivityKind.CONSENT, guest=guest,
        data={"channel": channel, "granted": granted, "source": source}, occurred_at=at,
    )


def _company_interactions(rng: random.Random, companies: list[Company], *, now: dt.datetime) -> None:
    """Calls, emails and visits by each account's owner, through the timeline service."""
    for company in companies:
        for _n in range(rng.randint(2, 6)):
            kind, zh_text, _en = rng.choice(data.INTERACTIONS[:7])
            interaction_log(
                actor=company.owner, kind=kind, summary=zh_text, company=company,
                occurred_at=now - dt.timedelta(days=rng.randint(1, 700), hours=rng.randint(0, 9)),
            )

