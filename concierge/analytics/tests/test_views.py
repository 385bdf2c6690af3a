"""Value screens and API: who may see them, which scopes, CSV downloads, refresh now, cost ratios, card insight."""
from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from concierge.analytics import services
from concierge.analytics.models import CostRatios, CustomerValue, ValueRefresh
from concierge.analytics.selectors import guest_value_insights, value_scopes
from concierge.guests.selectors import CARD_INSIGHT_PROVIDERS

pytestmark = pytest.mark.django_db

PAGES = ["analytics:value_overview", "analytics:value_ranking", "analytics:value_rfm", "analytics:breakdowns",
         "analytics:value_pareto_csv", "analytics:value_ranking_csv", "analytics:value_rfm_csv",
         "analytics:breakdowns_csv"]
API = ["api:analytics-pareto", "api:analytics-ranking", "api:analytics-rfm", "api:analytics-breakdowns"]


@pytest.fixture
def refreshed(ten_guests):
    services.refresh_customer_value()
    return ten_guests


def _api(user):
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.mark.parametrize("name", PAGES)
def test_front_desk_and_service_get_403_on_every_value_page(client, frontdesk_a, service_a, name):
    for user in (frontdesk_a, service_a):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", API)
def test_front_desk_gets_403_from_the_api(frontdesk_a, name):
    assert _api(frontdesk_a).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_manager_sees_every_page_for_the_group(client, manager, refreshed, name):
    client.force_login(manager)
    response = client.get(reverse(name), {"scope": "group"})
    assert response.status_code == 200
    if name.endswith("_csv"):
        assert response["Content-Type"].startswith("text/csv")
        assert b"".join(response.streaming_content).startswith("\ufeff".encode())


def test_overview_shows_the_top_fifth_share_and_freshness(client, marketing, refreshed):
    client.force_login(marketing)
    html = client.get(reverse("analytics:value_overview")).content.decode()
    assert "The top 20% of customers bring 34.5% of revenue." in html or "34.6%" in html
    assert "Refreshed" in html and "Refresh now" in html


def test_sales_manager_sees_own_property_but_not_the_group_or_others(client, sales_manager_a, property_a,
                                                                      property_b, refreshed):
    assert [s.key for s in value_scopes(sales_manager_a)] == [property_a.code]
    client.force_login(sales_manager_a)
    assert client.get(reverse("analytics:value_ranking"), {"scope": property_a.code}).status_code == 200
    assert client.get(reverse("analytics:value_ranking"), {"scope": "group"}).status_code == 404
    assert client.get(reverse("analytics:value_ranking"), {"scope": property_b.code}).status_code == 404
    api = _api(sales_manager_a)
    assert api.get(reverse("api:analytics-pareto"), {"scope": "group"}).status_code == 404
    assert api.get(reverse("api:analytics-pareto")).json()["scope"]["key"] == property_a.code
    html = client.get(reverse("analytics:value_overview")).content.decode()
    assert "Refresh now" not in html  # sales managers read, they do not trigger refreshes


def test_ranking_is_paginated_and_links_guests(client, manager, refreshed):
    client.force_login(manager)
    response = client.get(reverse("analytics:value_ranking"), {"scope": "group"})
    page = response.context["page"]
    assert page.paginator.count == 10 and page[0].value_rank == 1
    assert reverse("web:guest_detail", args=[refreshed[6].pk]) in response.content.decode()


def test_rfm_cell_lists_its_guests(client, manager, refreshed):
    client.force_login(manager)
    response = client.get(reverse("analytics:value_rfm_cell"), {"scope": "group", "r": 4, "f": 2},
                          HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert [row.guest_id for row in response.context["page"]] == [refreshed[4].pk, refreshed[3].pk]
    assert client.get(reverse("analytics:value_rfm"), {"r": 9, "f": 1}).status_code == 404


def test_api_pareto_ranking_rfm_and_members(manager, refreshed):
    api = _api(manager)
    pareto = api.get(reverse("api:analytics-pareto"), {"scope": "group"}).json()
    assert pareto["customers"] == 10 and pareto["top20_share"] == pytest.approx(34.55, abs=0.01)
    assert pareto["scope"]["refreshed_at"]
    ranking = api.get(reverse("api:analytics-ranking"), {"scope": "group", "page_size": 3}).json()
    assert ranking["count"] == 10 and [r["rank"] for r in ranking["results"]] == [1, 2, 3]
    assert ranking["results"][0]["guest"]["id"] == refreshed[6].pk
    grid = api.get(reverse("api:analytics-rfm"), {"scope": "group"}).json()
    assert sum(c["customers"] for c in grid["cells"]) == 10
    members = api.get(reverse("api:analytics-rfm-members"), {"scope": "group", "r": 5, "f": 1}).json()
    assert {m["guest"]["id"] for m in members["results"]} == {refreshed[1].pk, refreshed[2].pk}
    assert api.get(reverse("api:analytics-rfm-members"), {"r": 6, "f": 1}).status_code == 400
    breakdown = api.get(reverse("api:analytics-breakdowns"), {"dimension": "industry", "year": 2025})
    assert breakdown.status_code == 200 and breakdown.json()["dimension"] == "industry"


def test_refresh_now_queues_the_task_for_refreshing_roles_only(client, manager, sales_manager_a, refreshed,
                                                                eager_celery, django_capture_on_commit_callbacks):
    client.force_login(sales_manager_a)
    assert client.post(reverse("analytics:value_refresh")).status_code == 403
    assert _api(sales_manager_a).post(reverse("api:analytics-refresh")).status_code == 403
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("analytics:value_refresh"), {"next": "/value/rfm/?scope=group"})
    assert response.status_code == 302 and response["Location"] == "/value/rfm/?scope=group"
    assert ValueRefresh.objects.filter(requested_by=manager).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert _api(manager).post(reverse("api:analytics-refresh")).status_code == 202
    assert ValueRefresh.objects.count() == 3


def test_cost_ratio_page_saves_and_explains_bad_values(client, manager, marketing, property_a):
    client.force_login(marketing)
    assert client.get(reverse("analytics:cost_ratios")).status_code == 403
    client.force_login(manager)
    page = client.get(reverse("analytics:cost_ratios"))
    assert page.status_code == 200 and page.context["form"].initial["room"] == services.DEFAULT_COST_RATIOS["room"]
    bad = client.post(reverse("analytics:cost_ratios"), {"property": "", "room": "1.2", "fnb": "0.6", "other": ""})
    assert bad.status_code == 200
    assert "between 0 and 1" in bad.content.decode() and "every revenue type" in bad.content.decode()
    ok = client.post(reverse("analytics:cost_ratios"), {"property": property_a.code, "room": "0.3", "fnb": "",
                                                        "other": ""})
    assert ok.status_code == 302
    row = CostRatios.objects.get(property=property_a)
    assert (str(row.room), row.fnb, row.other) == ("0.3000", None, None)


def test_card_insight_shows_rank_and_cell_to_value_roles_only(manager, frontdesk_a, sales_manager_a, refreshed,
                                                              django_assert_num_queries):
    assert guest_value_insights in CARD_INSIGHT_PROVIDERS
    assert CARD_INSIGHT_PROVIDERS.count(guest_value_insights) == 1
    guest = refreshed[4]
    with django_assert_num_queries(1):
        items = guest_value_insights(guest, manager)
    assert items[0]["value"] == "#2 · RFM 425" and "group" in items[0]["label"]
    assert guest_value_insights(guest, frontdesk_a) == []
    assert "SHA" in guest_value_insights(guest, sales_manager_a)[0]["label"]
    assert CustomerValue.objects.filter(guest=guest).count() == 2
