"""Contract fixtures: two companies (a group with a subsidiary), a sales rep who owns the group, a rep who owns
nothing, a sales manager, and a factory for contracts moved to any status through the services."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest


def _user(username: str, role: str, properties=(), **extra):
    from concierge.accounts.models import User

    user = User.objects.create_user(username=username, password="test-password-123", role=role, **extra)
    user.properties.set(properties)
    return user


@pytest.fixture
def rep(property_a):
    return _user("rita", "sales_rep", [property_a], first_name="Rita")


@pytest.fixture
def other_rep(property_a):
    return _user("oscar", "sales_rep", [property_a], first_name="Oscar")


@pytest.fixture
def sales_manager(property_a):
    return _user("sally", "sales_manager", [property_a], first_name="Sally")


@pytest.fixture
def company(rep, property_a):
    from concierge.guests.models import Company

    c = Company.objects.create(name_zh="华为技术有限公司", name_en="Huawei Technologies", owner=rep,
                               address="深圳市龙岗区坂田")
    c.properties.add(property_a)
    return c


@pytest.fixture
def subsidiary(company, property_a):
    from concierge.guests.models import Company

    c = Company.objects.create(name_zh="华为上海研究所", name_en="Huawei Shanghai Research", parent=company)
    c.properties.add(property_a)
    return c


@pytest.fixture
def make_contract(rep, company, property_a):
    from concierge.contracts import services

    def make(*, status: str = "draft", start: dt.date = dt.date(2026, 1, 1), end: dt.date = dt.date(2026, 12, 31),
             commitment: int | None = 500, owner: Any = None, company_: Any = None, kind: str = "corporate",
             actor: Any = None) -> Any:
        actor = actor or rep
        contract = services.contract_create(
            actor=actor, company=company_ or company, title="2026 年度协议价", start_date=start, end_date=end,
            properties=[property_a], owner=owner or rep, kind=kind, room_night_commitment=commitment,
            commission_percent=Decimal("8"), allotment_per_night=5,
            rates=[
                services.RateInput(property_id=property_a.pk, room_type="高级大床房", season_name="淡季",
                                   season_start=start, season_end=start + dt.timedelta(days=89),
                                   rate=Decimal("688.00"), breakfast_included=True),
                services.RateInput(property_id=property_a.pk, room_type="高级大床房", season_name="旺季",
                                   season_start=start + dt.timedelta(days=90), season_end=end,
                                   rate=Decimal("888.00")),
            ],
        )
        path = {"draft": [], "sent": ["send"], "signed": ["send", "sign"], "active": ["send", "sign", "activate"]}
        for action in path[status]:
            contract = services.contract_action(actor=actor, contract=contract, action=action)
        return contract

    return make
