"""API test fixtures: an authenticated client per member of the cast, and a company and stay at property A."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from concierge.api.tests.factories import make_company, make_stay


@pytest.fixture
def as_user() -> Callable[[Any], APIClient]:
    def make(user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def client_a(as_user, frontdesk_a) -> APIClient:
    return as_user(frontdesk_a)


@pytest.fixture
def client_b(as_user, frontdesk_b) -> APIClient:
    return as_user(frontdesk_b)


@pytest.fixture
def company_a(frontdesk_a, property_a):
    return make_company(frontdesk_a, [property_a], phone="021 6888 1234", account_number="AR-001")


@pytest.fixture
def stay_a(frontdesk_a, guest_a, property_a):
    return make_stay(frontdesk_a, guest_a, property_a, days_ago=40, room_number="1208", room_type="DLX",
                     room_revenue="1600.00")
