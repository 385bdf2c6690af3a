"""The segment cast: three guests at property A that differ in every field, one guest only at property B."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from concierge.segments.tests.factories import make_answer, make_clv, make_guest, make_stay, make_value


@pytest.fixture
def marketing(property_a):
    from concierge.accounts.models import User

    return User.objects.create_user(username="mia", password="test-password-123", role="marketing", first_name="Mia")


@pytest.fixture
def sales_a(property_a):
    from concierge.accounts.models import User

    user = User.objects.create_user(username="sid", password="test-password-123", role="sales_rep", first_name="Sid")
    user.properties.set([property_a])
    return user


@pytest.fixture
def cast(property_a, property_b, frontdesk_a):
    from concierge.guests.models import Company, Industry, Preference

    mining = Industry.objects.create(code="mining", name_zh="采矿", name_en="Mining")
    Industry.objects.create(code="logistics", name_zh="物流", name_en="Logistics")
    company = Company.objects.create(name_zh="广州矿业", industry=mining, province="广东", country="CN")
    today = dt.date.today()
    one = make_guest(property_a, province="浙江省", country="CN", company=company, source_channel="ota",
                     tags=["VIP", "golf"], tier="gold", owner=frontdesk_a, status="active",
                     birthday=dt.date(1980, 3, 14))
    two = make_guest(property_a, province="北京", country="CN", source_channel="direct", tags=["golf"],
                     status="inactive", birthday=dt.date(1990, 7, 2))
    three = make_guest(property_a, country="US", source_channel="website", status="prospect")
    only_b = make_guest(property_b, province="Zhejiang", country="CN", source_channel="ota", tier="gold")
    merged = make_guest(property_a, province="浙江", country="CN", source_channel="ota", tier="gold",
                        merged_into=one)
    Preference.objects.create(guest=one, category="pillow", value="Feather pillow")
    Preference.objects.create(guest=two, category="smoking", value="Non-smoking")
    # one: 3 productive stays this year (corporate), 2 nights each, 1,200 each; a cancelled stay does not count.
    for days_ago in (10, 40, 70):
        make_stay(one, property_a, today - dt.timedelta(days=days_ago), nights=2, room="1000", fnb="150",
                  other="50", market_segment="corporate")
    make_stay(one, property_a, today - dt.timedelta(days=5), status="cancelled", room="9000")
    # two: one leisure stay two years ago.
    make_stay(two, property_a, today - dt.timedelta(days=800), nights=1, room="400")
    make_stay(only_b, property_b, today - dt.timedelta(days=20), nights=3, market_segment="corporate")
    make_answer(one, 5)
    make_answer(one, 4)
    make_answer(two, 2)
    make_answer(two, 9, kind="nps")
    make_value(one, "555")
    make_value(two, "121")
    make_clv(one, "low", 0.95)
    make_clv(two, "high", 0.2)
    return SimpleNamespace(one=one, two=two, three=three, only_b=only_b, merged=merged, company=company, today=today)
