"""The pages: who may open them, the overview from materialised data (and empty), CSV downloads, drill-down."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from concierge.dashboards.models import FlowSettings, RefreshLog
from concierge.dashboards.services import dashboards_refresh
from concierge.dashboards.tests.factories import make_guest, make_stay

D = dt.date


@pytest.fixture
def data(property_a, property_b):
    year = dt.date.today().year
    guest = make_guest(property_a, name="甲")
    make_stay(guest, property_a, D(year, 1, 5), revenue=2000, nights=2)
    other = make_guest(property_b, name="乙")
    make_stay(other, property_b, D(year, 1, 6), revenue=900)
    dashboards_refresh(years=[year - 1, year])
    return year, guest, other


def test_the_overview_renders_with_no_data_at_all(client, manager):
    client.force_login(manager)
    response = client.get(reverse("dashboards:overview"))
    assert response.status_code == 200
    assert b"Not computed yet" in response.content and b'data-testid="kpi-revenue"' in response.content


def test_the_overview_reads_the_materialised_figures(client, manager, data, django_assert_max_num_queries):
    year, guest, _other = data
    client.force_login(manager)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("dashboards:overview"), {"year": year})
    body = response.content.decode()
    assert response.status_code == 200
    assert "2,900" in body  # group revenue
    assert guest.display_name in body and "Updated" in body


def test_the_overview_in_chinese(client, manager, data):
    client.force_login(manager)
    response = client.get(reverse("dashboards:overview"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200


@pytest.mark.parametrize("chart", ["revenue", "flow", "accounts", "nps"])
def test_every_chart_downloads_its_numbers(client, manager, data, chart):
    year = data[0]
    client.force_login(manager)
    response = client.get(reverse("dashboards:overview_csv", args=[chart]), {"year": year})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff") and len(body.splitlines()) >= 2


def test_the_revenue_csv_has_the_months(client, manager, data):
    year = data[0]
    client.force_login(manager)
    response = client.get(reverse("dashboards:overview_csv", args=["revenue"]), {"year": year})
    lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
    assert lines[1].startswith(f"{year}-01,2900")


def test_a_sales_manager_sees_only_their_property(client, sales_manager_a, data, property_b):
    year = data[0]
    client.force_login(sales_manager_a)
    response = client.get(reverse("dashboards:overview"), {"year": year})
    assert response.status_code == 200
    assert "2,000" in response.content.decode() and "2,900" not in response.content.decode()
    refused = client.get(reverse("dashboards:overview"), {"year": year, "property": property_b.pk})
    assert "900" not in refused.content.decode().split('data-testid="kpis"')[1].split("</div>")[2]
    assert client.get(reverse("dashboards:flow"), {"property": property_b.pk}).status_code == 200


@pytest.mark.parametrize("url", ["dashboards:overview", "dashboards:flow", "dashboards:flow_csv"])
def test_front_desk_is_refused(client, frontdesk_a, url):
    client.force_login(frontdesk_a)
    assert client.get(reverse(url)).status_code == 403


def test_the_sidebar_shows_the_dashboards_to_managers_only(client, manager, frontdesk_a):
    client.force_login(manager)
    assert reverse("dashboards:overview") in client.get(reverse("dashboards:flow")).content.decode()
    client.force_login(frontdesk_a)
    assert reverse("dashboards:overview") not in client.get(reverse("web:guest_list")).content.decode()


def test_the_flow_page_shows_the_definitions_and_breakdowns(client, manager, data):
    year = data[0]
    client.force_login(manager)
    response = client.get(reverse("dashboards:flow"), {"year": year, "group_by": "property"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "lost after 12 months" in body and "Shanghai Bund Hotel" in body
    assert 'data-testid="flow-settings"' in body


def test_the_flow_page_for_a_month_and_in_chinese(client, manager, data):
    client.force_login(manager)
    response = client.get(reverse("dashboards:flow"), {"year": data[0], "month": 1, "group_by": "segment"},
                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200


def test_the_flow_csv(client, manager, data):
    client.force_login(manager)
    response = client.get(reverse("dashboards:flow_csv"), {"year": data[0], "group_by": "property"})
    lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
    assert "New · customers" in lines[0] and len(lines) == 4  # header, two properties, total


def test_drill_down_lists_the_new_guests(client, manager, data):
    year, guest, other = data
    client.force_login(manager)
    response = client.get(reverse("dashboards:flow_guests"), {"year": year, "flow": "new"})
    body = response.content.decode()
    assert response.status_code == 200 and guest.display_name in body and other.display_name in body
    response = client.get(reverse("dashboards:flow_guests"), {"year": year, "flow": "retained"})
    assert guest.display_name not in response.content.decode()


def test_a_manager_changes_n_and_a_sales_manager_cannot(client, manager, sales_manager_a, hotel_group):
    client.force_login(sales_manager_a)
    assert client.post(reverse("dashboards:flow_settings"), {"lost_after_months": 6}).status_code == 403
    assert not client.get(reverse("dashboards:flow")).context["settings_form"]
    client.force_login(manager)
    client.post(reverse("dashboards:flow_settings"), {"lost_after_months": 6})
    assert FlowSettings.objects.get(group=hotel_group).lost_after_months == 6
    assert "lost after 6 months" in client.get(reverse("dashboards:flow")).content.decode()


def test_a_manager_queues_a_refresh(client, manager, sales_manager_a, django_capture_on_commit_callbacks):
    from unittest import mock

    client.force_login(sales_manager_a)
    assert client.post(reverse("dashboards:refresh")).status_code == 403
    client.force_login(manager)
    with mock.patch("concierge.dashboards.tasks.refresh_dashboards.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("dashboards:refresh"))
    assert response.status_code == 302 and delay.called
    assert RefreshLog.objects.get().requested_at is not None
