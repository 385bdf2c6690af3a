"""Sales fixtures on top of the shared cast: two reps and a sales manager at property A, a rep at property B, and
companies at A owned by the first rep (created through the guests service, so ownership rows exist)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from concierge.sales.tests.factories import make_user as _user


@pytest.fixture
def rep(property_a):
    return _user("rita", "sales_rep", [property_a], first_name="Rita")


@pytest.fixture
def rep2(property_a):
    return _user("ray", "sales_rep", [property_a], first_name="Ray")


@pytest.fixture
def sales_manager(property_a):
    return _user("mona", "sales_manager", [property_a], first_name="Mona")


@pytest.fixture
def rep_b(property_b):
    return _user("bert", "sales_rep", [property_b], first_name="Bert")


@pytest.fixture
def make_company(property_a, sales_manager):
    from concierge.guests.services import company_create

    def make(name: str = "Acme", *, owner: Any = None, prop: Any = None, **values: Any) -> Any:
        return company_create(actor=sales_manager, properties=[prop or property_a], name_en=name, owner=owner,
                              **values)

    return make


@pytest.fixture
def company(make_company, rep):
    return make_company("Acme Trading", owner=rep, contact_frequency_days=30)


@pytest.fixture
def make_stay(property_a, frontdesk_a):
    from concierge.stays.services import stay_create

    def make(guest: Any, company: Any, *, departure: dt.date, room: str = "1000", nights: int = 2,
             status: str = "checked_out") -> Any:
        return stay_create(actor=frontdesk_a, guest=guest, property=property_a, company=company,
                           arrival=departure - dt.timedelta(days=nights), departure=departure,
                           room_revenue=Decimal(room), status=status)

    return make


def backdate(company: Any, days: int) -> None:
    """Move a company's creation (and its open ownership period) into the past."""
    from django.utils import timezone

    from concierge.guests.models import Company
    from concierge.sales.models import AccountOwnership

    when = timezone.now() - dt.timedelta(days=days)
    Company.objects.filter(pk=company.pk).update(created_at=when)
    AccountOwnership.objects.filter(company=company).update(valid_from=timezone.localdate(when))
    company.refresh_from_db()
