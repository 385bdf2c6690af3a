"""Attribution fixtures: a marketing user, a trade-show campaign with a cost, and a business-card file builder."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest


@pytest.fixture
def marketing(property_a):
    from concierge.accounts.models import User

    return User.objects.create_user(username="mia", password="test-password-123", role="marketing", first_name="Mia",
                                    language="en")


@pytest.fixture
def trade_show(marketing, property_a):
    from concierge.campaigns.models import Campaign

    return Campaign.objects.create(
        name="China International Travel Mart 2025 / 中国国际旅游交易会 2025", kind="trade_show", status="active",
        property=property_a, cost=Decimal("1000000"), currency="CNY", starts_on=dt.date(2025, 11, 14),
        ends_on=dt.date(2025, 11, 16), attribution_window_days=90, created_by=marketing, owner=marketing)


HEADERS = ["card id", "name", "company", "title", "mobile", "email", "province", "city", "notes"]


def cards_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([row.get(h, "") for h in HEADERS])
    return out.getvalue().encode("utf-8")


def card(n: int, **values: Any) -> dict[str, Any]:
    """A distinct, valid card: its own name, mobile and email."""
    surnames = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
    base = {"card id": f"CITM-{n:05d}", "name": surnames[n % len(surnames)] + given[(n // 7) % len(given)]
            + given[(n // 3) % len(given)],
            "company": f"华东商旅{n % 40:02d}有限公司", "title": "采购经理", "mobile": f"1390{n:07d}",
            "email": f"lead{n}@example.cn", "province": "上海", "city": "上海", "notes": ""}
    base.update(values)
    return base


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    """Stored uploads go to the test's own folder, not var/imports."""
    settings.IMPORT_WORK_DIR = tmp_path / "imports"
