"""/api/v1/dashboards/…: same figures and the same access rules as the pages."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from concierge.dashboards.services import dashboards_refresh
from concierge.dashboards.tests.factories import make_guest, make_stay


def api(user):
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def year(property_a, property_b):
    year = dt.date.today().year
    make_stay(make_guest(property_a), property_a, dt.date(year, 1, 5), revenue=2000, nights=2)
    make_stay(make_guest(property_b), property_b, dt.date(year, 1, 6), revenue=900)
    return year


def test_the_overview_api_reads_the_materialised_figures(manager, year):
    dashboards_refresh(years=[year])
    data = api(manager).get(reverse("api:dashboards-overview"), {"year": year}).json()
    assert data["revenue"] == "2900.00" and data["room_nights"] == 3 and data["active_customers"] == 2
    assert len(data["months"]) == 12 and data["freshness"]["refreshed_at"]


def test_the_flow_api_computes_live_when_nothing_is_materialised(manager, year, property_a, property_b):
    data = api(manager).get(reverse("api:dashboards-flow"), {"year": year, "group_by": "property"}).json()
    assert data["source"] == "live" and data["total"]["new"]["customers"] == 2
    assert {row["key"] for row in data["rows"]} == {str(property_a.pk), str(property_b.pk)}


def test_a_sales_manager_gets_their_property_and_must_choose_it(sales_manager_a, year, property_a, property_b):
    client = api(sales_manager_a)
    assert client.get(reverse("api:dashboards-flow"), {"year": year}).status_code == 400
    data = client.get(reverse("api:dashboards-flow"), {"year": year, "property": property_a.pk}).json()
    assert data["total"]["new"]["customers"] == 1
    assert client.get(reverse("api:dashboards-overview"), {"property": property_b.pk}).status_code == 400


@pytest.mark.parametrize("name", ["api:dashboards-overview", "api:dashboards-flow"])
def test_front_desk_is_refused(frontdesk_a, name):
    assert api(frontdesk_a).get(reverse(name)).status_code == 403
