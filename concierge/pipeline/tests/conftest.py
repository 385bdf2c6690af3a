"""The pipeline cast: two reps at property A (Rita, Ray), a sales manager at A (Sally), a rep at B (Ben)."""
from __future__ import annotations

import pytest

from concierge.pipeline.services import stages_ensure_default


def _user(username: str, role: str, properties=(), **extra):
    from concierge.accounts.models import User

    user = User.objects.create_user(username=username, password="test-password-123", role=role, **extra)
    user.properties.set(properties)
    return user


@pytest.fixture
def stages(db):
    return {s.name_en: s for s in stages_ensure_default()}


@pytest.fixture
def rep_a(property_a):
    return _user("rita", "sales_rep", [property_a], first_name="Rita")


@pytest.fixture
def rep_a2(property_a):
    return _user("ray", "sales_rep", [property_a], first_name="Ray")


@pytest.fixture
def sales_manager_a(property_a):
    return _user("sally", "sales_manager", [property_a], first_name="Sally")


@pytest.fixture
def rep_b(property_b):
    return _user("ben", "sales_rep", [property_b], first_name="Ben")


@pytest.fixture
def company_a(property_a):
    from concierge.guests.models import Company

    company = Company.objects.create(name_zh="东方航空", name_en="Eastern Air")
    company.properties.add(property_a)
    return company


@pytest.fixture
def company_b(property_b):
    from concierge.guests.models import Company

    company = Company.objects.create(name_zh="西湖茶业", name_en="West Lake Tea")
    company.properties.add(property_b)
    return company
