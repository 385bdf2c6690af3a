"""Demo data for attribution: the trade-show case (a 1,000,000 CNY show, 5,000 business cards, later stays)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
import time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from concierge.attribution.choices import LeadImportStatus
from concierge.attribution.models import CampaignLead, LeadImport
from concierge.attribution.services import attribution_refresh, lead_import_execute, lead_import_upload
from concierge.campaigns.models import Campaign, CampaignKind, CampaignStatus
from concierge.guests.models import Guest
from concierge.properties.models import Property

SHOW_NAME = "China International Travel Mart 2025 / 中国国际旅游交易会 2025"
SHOW_DAY = dt.date(2025, 11, 14)
STAY_SOURCE = "seed_attribution"
HEADERS = ["card id", "name", "company", "title", "mobile", "email", "province", "city", "notes"]

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕鹏辉斌宇浩凯健俊帆"
_PLACES = [("上海", "上海"), ("北京", "北京"), ("广东", "广州"), ("广东", "深圳"), ("浙江", "杭州"), ("江苏", "南京"),
           ("四川", "成都"), ("湖北", "武汉"), ("陕西", "西安"), ("福建", "厦门"), ("山东", "青岛"), ("云南", "昆明")]
_TRADES = ["国际旅行社", "商务会展", "差旅管理", "文化传媒", "科技", "贸易", "医药", "汽车", "教育咨询", "物流"]
_TITLES = ["总经理", "销售总监", "采购经理", "行政主管", "差旅经理", "市场经理", "会展策划", "董事长助理"]


def cards_file(*, count: int = 5000, seed: int = 2025, matching: int = 200) -> bytes:
    """A deterministic CSV of business cards; `matching` of them are existing demo guests (same name and mobile)."""
    rng = random.Random(seed)
    existing = list(Guest.objects.live().exclude(phone="").exclude(family_name="").order_by("pk")
                    .values_list("family_name", "given_name", "phone")[:matching * 3])
    rng.shuffle(existing)
    existing = existing[:matching]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    companies = [f"{rng.choice(_PLACES)[1]}{rng.choice('华新联瑞泰恒达远通盛')}{rng.choice('华新联瑞泰恒达远通盛')}"
                 f"{rng.choice(_TRADES)}有限公司" for _ in range(1200)]
    for n in range(1, count + 1):
        province, city = rng.choice(_PLACES)
        if n <= len(existing):
            family, given, phone = existing[n - 1]
            name, mobile, email = f"{family}{given}", phone, ""
        else:
            name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
            mobile = f"1{rng.choice('35789')}{n:09d}"[:11]
            email = f"citm{n:05d}@example.cn" if rng.random() < 0.7 else ""
        writer.writerow([f"CITM25-{n:05d}", name, rng.choice(companies), rng.choice(_TITLES), mobile, email, province,
                         city, "展位 A-%s" % rng.randint(1, 300) if rng.random() < 0.2 else ""])
    return out.getvalue().encode("utf-8")


def trade_show_seed(*, share: float = 0.07, seed: int = 2025) -> dict[str, Any]:
    """Create (once) the campaign, import its 5,000 cards, add later stays for a share of those people, refresh."""
    result: dict[str, Any] = {}
    prop = Property.objects.order_by("pk").first()
    if prop is None:
        raise RuntimeError("Run seed_demo first: there is no property.")
    campaign, created = Campaign.objects.get_or_create(name=SHOW_NAME, defaults={
        "kind": CampaignKind.TRADE_SHOW, "status": CampaignStatus.COMPLETED, "property": prop,
        "cost": Decimal("1000000.00"), "currency": "CNY", "starts_on": SHOW_DAY, "ends_on": SHOW_DAY + dt.timedelta(2),
        "attribution_window_days": 180, "description": "上海 · 国家会展中心. 5,000 business cards collected at our booth.",
    })
    result["campaign"] = campaign.pk
    if not LeadImport.objects.filter(campaign=campaign, status=LeadImportStatus.SUCCEEDED).exists():
        started = time.perf_counter()
        lead_import = lead_import_upload(actor=None, campaign=campaign, upload=cards_file(seed=seed),
                                         file_name="citm-2025-business-cards.csv", enqueue=False)
        lead_import_execute(lead_import_id=lead_import.pk, refresh=False)
        lead_import.refresh_from_db()
        result["import_seconds"] = round(time.perf_counter() - started, 2)
        result["import"] = {"status": lead_import.status, "created": lead_import.created_count,
                            "matched": lead_import.matched_count, "errors": lead_import.error_count}
    result["stays_created"] = _stays(campaign, prop, share=share, seed=seed)
    result["refresh"] = attribution_refresh()
    return result


def _stays(campaign: Campaign, prop: Property, *, share: float, seed: int) -> int:
    from concierge.stays.services import stay_create

    from concierge.stays.models import Stay

    done = set(Stay.objects.filter(source=STAY_SOURCE).values_list("external_ref", flat=True))
    rng = random.Random(seed + 1)
    leads = list(CampaignLead.objects.filter(campaign=campaign, guest__isnull=False).order_by("row")
                 .values_list("card_id", "guest_id", "outcome"))
    today = timezone.localdate()
    chosen = [lead for lead in leads if rng.random() < (share if lead[2] == "created" else 0.25)]
    guests = Guest.objects.in_bulk([g for _c, g, _o in chosen])
    created = 0
    with transaction.atomic():
        for card_id, guest_id, _outcome in chosen:
            for k in range(rng.choice((1, 1, 1, 2, 3))):
                ref = f"{card_id}-{k}"
                arrival = SHOW_DAY + dt.timedelta(days=rng.randint(10, 650))
                nights = rng.choice((1, 2, 2, 3, 4))
                # Every random draw happens whether or not the stay is created, so a second run walks the same
                # sequence and finds every stay it made before (idempotent).
                adr = Decimal(rng.randrange(700, 1900, 50))
                fnb = Decimal(rng.randrange(0, 1200, 20))
                if ref in done or arrival + dt.timedelta(days=nights) >= today:
                    continue
                stay_create(actor=None, guest=guests[guest_id], property=prop, arrival=arrival,
                            departure=arrival + dt.timedelta(days=nights), adr=adr, room_revenue=adr * nights,
                            fnb_revenue=fnb, status="checked_out",
                            market_segment="corporate", source=STAY_SOURCE, external_ref=ref, log=False)
                created += 1
    return created
