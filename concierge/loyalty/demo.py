"""The default programme (4 tiers, bonus rules, a catalogue), used by `manage.py seed_loyalty` and tests."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_noop

from concierge.loyalty.choices import BonusKind, RewardKind
from concierge.loyalty.models import BonusRule, Programme, Reward, Tier

# English names are marked for translation so timeline entries ("Silver → Gold") render in the reader's language.
TIERS = [
    ("member", "会员", gettext_noop("Member"), 0, 0, 0,
     "会员专享价\n免费 Wi-Fi", "Member rates\nFree Wi-Fi"),
    ("silver", "银卡", gettext_noop("Silver"), 1, 5000, 10,
     "延迟退房至 14:00\n积分奖励 10%\n免费 Wi-Fi", "Late check-out until 14:00\n10% bonus points\nFree Wi-Fi"),
    ("gold", "金卡", gettext_noop("Gold"), 2, 20000, 25,
     "视房态免费升级\n双人早餐\n延迟退房至 16:00", "Room upgrade when available\nBreakfast for two\n"
     "Late check-out until 16:00"),
    ("platinum", "白金卡", gettext_noop("Platinum"), 3, 50000, 50,
     "保证升级至套房\n行政酒廊\n72 小时客房保证", "Guaranteed suite upgrade\nExecutive lounge\n"
     "72-hour room guarantee"),
]

REWARDS = [
    ("night-deluxe", RewardKind.ROOM_NIGHT, "豪华客房免费一晚", gettext_noop("Free night, deluxe room"), 25000, None),
    ("fnb-200", RewardKind.FNB_VOUCHER, "200 元餐饮券", gettext_noop("CNY 200 dining voucher"), 4000, None),
    ("afternoon-tea", RewardKind.FNB_VOUCHER, "双人下午茶", gettext_noop("Afternoon tea for two"), 3000, 50),
    ("suite-upgrade", RewardKind.UPGRADE, "套房升级", gettext_noop("Suite upgrade"), 12000, 20),
    ("spa-90", RewardKind.EXPERIENCE, "90 分钟水疗", gettext_noop("90-minute spa treatment"), 9000, 10),
    ("cooking-class", RewardKind.EXPERIENCE, "主厨烹饪课", gettext_noop("Cooking class with the chef"), 6000, 8),
]


@transaction.atomic
def programme_seed(*, group: Any) -> Programme:
    """Create (or complete) the default programme of `group`. Idempotent."""
    programme, _ = Programme.objects.get_or_create(group=group, defaults={
        "name_zh": "礼宾会", "name_en": "Concierge Rewards", "room_points_per_unit": Decimal("1"),
        "fnb_points_per_unit": Decimal("1"), "other_points_per_unit": Decimal("0.5"), "points_per_night": 100,
        "expiry_months": 24, "grace_months": 3,
    })
    for code, zh, en, order, points, nights, benefits_zh, benefits_en in TIERS:
        Tier.objects.get_or_create(programme=programme, code=code, defaults={
            "name_zh": zh, "name_en": en, "order": order, "min_points": points, "min_nights": nights,
            "benefits_zh": benefits_zh, "benefits_en": benefits_en})
    if not programme.bonus_rules.exists():
        BonusRule.objects.bulk_create([
            BonusRule(programme=programme, kind=BonusKind.FIRST_STAY, name_zh="首住奖励",
                      name_en=gettext_noop("First-stay bonus"), fixed_points=1000),
            BonusRule(programme=programme, kind=BonusKind.BIRTHDAY_MONTH, name_zh="生日月双倍积分",
                      name_en=gettext_noop("Double points in your birthday month"), multiplier=Decimal("2")),
        ])
    for code, kind, zh, en, cost, stock in REWARDS:
        Reward.objects.get_or_create(programme=programme, code=code, defaults={
            "kind": kind, "name_zh": zh, "name_en": en, "points_cost": cost, "stock": stock})
    return programme
