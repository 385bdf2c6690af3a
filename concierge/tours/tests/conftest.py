"""Tour fixtures: a sales rep at property A, a travel agency served by A, a product at A with one departure."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from concierge.tours.services import departure_create, product_save

DEPARTS_ON = dt.date(2026, 12, 1)


@pytest.fixture
def sales_a(property_a):
    from concierge.accounts.models import User

    user = User.objects.create_user(username="rita", password="test-password-123", role="sales_rep",
                                    first_name="Rita")
    user.properties.set([property_a])
    return user


@pytest.fixture
def agency(property_a):
    from concierge.guests.models import Company

    company = Company.objects.create(name_zh="春秋假日国际旅行社", name_en="Spring Holiday Travel",
                                     channel="travel_agency")
    company.properties.add(property_a)
    return company


@pytest.fixture
def product(property_a, sales_a):
    return product_save(actor=sales_a, code="sha-3d", name_zh="上海水乡三日游", name_en="Shanghai water towns, 3 days",
                        property=property_a, duration_days=3, inclusions_zh="两晚住宿\n早餐",
                        inclusions_en="Two nights\nBreakfast")


@pytest.fixture
def departure(product, sales_a):
    return departure_create(actor=sales_a, product=product, departs_on=DEPARTS_ON, capacity=10,
                            price=Decimal("1880.00"), child_price=Decimal("1280.00"))


@pytest.fixture
def place(sales_a, agency):
    """Place an order for the agency through the service (keyword overrides)."""
    from concierge.tours.services import order_place

    def _place(departure, seats=1, **kwargs):
        values = {"actor": sales_a, "departure": departure, "seats": seats, "company": agency,
                  "contact_name": "王经理", "contact_phone": "021-6000 0000", **kwargs}
        return order_place(**values)

    return _place
