"""API: /api/v1/loyalty/ members, statement, redemption, rewards."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from concierge.loyalty.models import Reward
from concierge.loyalty.services import points_adjust

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def funded(member, manager):
    for points in (3000, 2000):
        points_adjust(actor=manager, membership=member, points=points, reason="Welcome")
    return member


def test_the_statement_gives_balance_tier_and_paginated_transactions(frontdesk_a, funded):
    response = _client(frontdesk_a).get(f"/api/v1/loyalty/members/{funded.pk}/", {"page_size": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["member"]["balance"] == 5000 and body["member"]["tier"]["code"] == "member"
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]
    assert body["results"][0]["running_balance"] == 5000
    assert body["progress"]["next_tier"] == "silver"


def test_members_can_be_found_by_guest(frontdesk_a, funded, guest_a):
    body = _client(frontdesk_a).get("/api/v1/loyalty/members/", {"guest": guest_a.pk}).json()
    assert [m["number"] for m in body["results"]] == [funded.number]
    response = _client(frontdesk_a).get("/api/v1/loyalty/members/", {"guest": "x"})
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "guest"


def test_other_properties_get_404(frontdesk_b, funded):
    client = _client(frontdesk_b)
    assert client.get(f"/api/v1/loyalty/members/{funded.pk}/").status_code == 404
    assert client.post(f"/api/v1/loyalty/members/{funded.pk}/redeem/", {"reward": 1}).status_code == 404
    assert client.get("/api/v1/loyalty/members/").json()["count"] == 0


def test_redeeming_through_the_api(frontdesk_a, funded, programme):
    reward = Reward.objects.get(programme=programme, code="afternoon-tea")
    response = _client(frontdesk_a).post(f"/api/v1/loyalty/members/{funded.pk}/redeem/",
                                         {"reward": reward.pk, "quantity": 1}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["balance"] == 2000 and body["reward"]["stock"] == 49


def test_redeeming_too_much_is_a_400_on_the_reward_field(frontdesk_a, funded, programme):
    reward = Reward.objects.get(programme=programme, code="night-deluxe")
    response = _client(frontdesk_a).post(f"/api/v1/loyalty/members/{funded.pk}/redeem/",
                                         {"reward": reward.pk}, format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["attr"] == "reward" and "Not enough points" in error["detail"]


def test_the_rewards_list(frontdesk_a, programme):
    body = _client(frontdesk_a).get("/api/v1/loyalty/rewards/").json()
    assert {r["code"] for r in body["results"]} >= {"night-deluxe", "spa-90"}
