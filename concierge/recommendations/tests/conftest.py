from __future__ import annotations

import pytest

from concierge.recommendations.services import product_rules_refresh
from concierge.recommendations.tests.factories import stays_with


@pytest.fixture
def marketing(property_a):
    from concierge.accounts.models import User

    return User.objects.create_user(username="mia", password="test-password-123", role="marketing")


@pytest.fixture
def food_rules(property_a, property_b, guest_a):
    """Guest baskets where Singapore food week leads to Thai food week; rules mined and stored (guest scope)."""
    from concierge.guests.services import guest_create

    for n in range(4):
        other = guest_create(actor=None, property=property_a, family_name="李", given_name=f"{n}号",
                             family_name_latin="LI", given_name_latin=f"N{n}")
        stays_with([["sfw"], ["tfw", "spa"]] if n < 3 else [["spa"]], property=property_a, guest=other)
    stays_with([["sfw", "bfst"]], property=property_a, guest=guest_a)
    return product_rules_refresh(basket="guest", min_support=0.2, min_confidence=0.5, max_len=3)
