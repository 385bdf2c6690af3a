"""The API answers like the pages: same visibility, same rules, 409 on a stale version."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from concierge.pipeline.tests.factories import make_opportunity


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def opp(stages, rep_a, company_a, property_a):
    return make_opportunity(owner=rep_a, company=company_a, property=property_a, value=2000,
                            expected_close=dt.date.today())


def test_create_move_win_and_lose_through_the_api(api, rep_a, company_a, property_a, stages):
    api.force_authenticate(rep_a)
    created = api.post(reverse("api:opportunity-list"), {"title": "Team offsite", "company": company_a.pk,
                                                         "property": property_a.pk, "value": "8000"}, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["owner"] == rep_a.pk and data["probability"] == 10 and data["stage"] == stages["Lead"].pk
    pk = data["id"]
    moved = api.post(reverse("api:opportunity-move", args=[pk]), {"stage": stages["Proposal"].pk, "version": 1},
                     format="json")
    assert moved.status_code == 200 and moved.json()["probability"] == 50
    stale = api.post(reverse("api:opportunity-win", args=[pk]), {"version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["errors"][0]["code"] == "stale_version"
    no_reason = api.post(reverse("api:opportunity-lose", args=[pk]), {"version": 2}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["errors"][0]["attr"] == "lost_reason"
    won = api.post(reverse("api:opportunity-win", args=[pk]), {"version": 2}, format="json")
    assert won.status_code == 200 and won.json()["status"] == "won"


def test_permissions_match_the_pages(api, client, opp, rep_a, rep_a2, rep_b, sales_manager_a, frontdesk_a):
    detail_api = reverse("api:opportunity-detail", args=[opp.pk])
    detail_page = reverse("pipeline:opportunity_detail", args=[opp.pk])
    for user in (rep_a, rep_a2, rep_b, sales_manager_a):
        api.force_authenticate(user)
        client.force_login(user)
        page_status = client.get(detail_page).status_code
        api_status = api.get(detail_api).status_code
        assert page_status == api_status, user.username
        listed = [row["id"] for row in api.get(reverse("api:opportunity-list")).json()["results"]]
        assert (opp.pk in listed) == (page_status == 200)
    api.force_authenticate(frontdesk_a)
    client.force_login(frontdesk_a)
    assert api.get(reverse("api:opportunity-list")).status_code == 403
    assert client.get(reverse("pipeline:opportunity_list")).status_code == 403


def test_a_rep_cannot_assign_to_someone_else(api, rep_a, rep_a2, company_a):
    api.force_authenticate(rep_a)
    response = api.post(reverse("api:opportunity-list"), {"title": "x", "company": company_a.pk, "value": "1",
                                                          "owner": rep_a2.pk}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "owner"


def test_forecast_and_scorecards_endpoints(api, opp, rep_a, rep_a2, sales_manager_a):
    api.force_authenticate(rep_a)
    forecast = api.get(reverse("api:forecast"), {"months": 2}).json()
    assert forecast["total_weighted"] == "200.00" and len(forecast["by_month"]) == 2
    assert forecast["conversion"][0]["reached"] == 1
    cards = api.get(reverse("api:scorecards")).json()
    assert [c["username"] for c in cards] == ["rita"]
    assert cards[0]["actual"]["pipeline_added"] == "2000.00"
    api.force_authenticate(sales_manager_a)
    names = sorted(c["username"] for c in api.get(reverse("api:scorecards")).json())
    assert names == ["ray", "rita", "sally"]
    bad = api.get(reverse("api:scorecards"), {"month": "soon"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "month"
