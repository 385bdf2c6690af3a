"""Task fixtures: two reps and a sales manager at property A (the shared cast lives in the root conftest)."""
from __future__ import annotations

import pytest

from concierge.sales.tests.factories import make_user


@pytest.fixture
def rep(property_a):
    return make_user("rita", "sales_rep", [property_a], first_name="Rita")


@pytest.fixture
def rep2(property_a):
    return make_user("ray", "sales_rep", [property_a], first_name="Ray")


@pytest.fixture
def sales_manager(property_a):
    return make_user("mona", "sales_manager", [property_a], first_name="Mona")
