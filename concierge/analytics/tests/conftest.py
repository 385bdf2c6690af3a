"""Value fixtures: ten hand-made guests at property A with known R, F and M quintiles; extra cast members."""
from __future__ import annotations

import pytest

from concierge.analytics.tests.factories import make_guest, make_stay, make_user

# guest i (1..10): i stays, the last one 10·i days ago, total revenue 1000·P[i] (all on the last stay).
P = {1: 3, 2: 7, 3: 1, 4: 9, 5: 5, 6: 10, 7: 2, 8: 8, 9: 4, 10: 6}
# R: most recent fifth = 5; F: most stays = 5; M: highest revenue = 5.
EXPECTED_CELLS = {1: "512", 2: "514", 3: "421", 4: "425", 5: "333", 6: "335", 7: "241", 8: "244", 9: "152",
                  10: "153"}


@pytest.fixture
def ten_guests(property_a):
    guests = {}
    for i in range(1, 11):
        guest = make_guest(f"客{i}", property=property_a)
        for k in range(1, i):
            make_stay(guest, property_a, days_ago=10 * i + k)
        make_stay(guest, property_a, days_ago=10 * i, room=1000 * P[i])
        guests[i] = guest
    return guests


@pytest.fixture
def sales_manager_a(property_a):
    return make_user("sue", "sales_manager", [property_a])


@pytest.fixture
def marketing(db):
    return make_user("mia", "marketing")


