from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concierge.clv.tests.factories import population


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def people(property_a, today):
    return population(property_a, today)


def make_user(username: str, role: str, properties=(), **extra):
    from concierge.accounts.models import User

    user = User.objects.create_user(username=username, password="test-password-123", role=role, **extra)
    user.properties.set(properties)
    return user


@pytest.fixture
def marketing(property_a):
    return make_user("mia", "marketing", first_name="Mia")


@pytest.fixture
def sales_manager_a(property_a):
    return make_user("stan", "sales_manager", [property_a], first_name="Stan")


@pytest.fixture
def sales_rep_a(property_a):
    return make_user("rita", "sales_rep", [property_a], first_name="Rita")


@pytest.fixture
def sales_manager_b(property_b):
    return make_user("bella", "sales_manager", [property_b], first_name="Bella")
