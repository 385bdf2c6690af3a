"""Service numbers: first response and resolution times, breach and reopen rates, the closed-loop report."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from freezegun import freeze_time

from concierge.cases.selectors import case_metrics, loop_report
from concierge.cases.services import case_reopen, case_resolve, case_respond, sla_sweep
from concierge.cases.tests.factories import make_case, root_cause

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


@pytest.fixture
def history(service_a, property_a, guest_a, django_capture_on_commit_callbacks):
    with freeze_time(MONDAY):
        fast = make_case(service_a, property_a, guest=guest_a, department="housekeeping")
        slow = make_case(service_a, property_a, guest=guest_a, department="engineering", priority="urgent")
        inquiry = make_case(service_a, property_a, case_type="inquiry", department="front_office")
    with freeze_time(MONDAY + dt.timedelta(minutes=30)):
        case_respond(actor=service_a, case=fast, note="Coming.")
        case_resolve(actor=service_a, case=inquiry, resolution="Answered.")
    with freeze_time(MONDAY + dt.timedelta(hours=2)), django_capture_on_commit_callbacks(execute=True):
        fast = case_resolve(actor=service_a, case=fast, resolution="Cleaned.", root_cause=root_cause("cleanliness"),
                            guest_told_via="phone")
        sla_sweep()  # the urgent complaint is 1 h 45 min past its first-response time
    with freeze_time(MONDAY + dt.timedelta(hours=3)):
        case_reopen(actor=service_a, case=fast, reason="Still dirty.")
    with freeze_time(dt.datetime(2026, 4, 1, 2, 0, tzinfo=dt.UTC)):
        make_case(service_a, property_a, department="fnb")
    return {"fast": fast, "slow": slow}


def test_numbers_by_department(history, service_a):
    rows = {r.key: r for r in case_metrics(user=service_a, group_by="department")}
    assert rows["housekeeping"].avg_first_response_minutes == 30
    assert rows["housekeeping"].reopen_rate == 0.0  # reopened, so not counted as resolved any more
    assert rows["housekeeping"].reopened == 1
    assert rows["engineering"].breached == 1 and rows["engineering"].breach_rate == 1.0
    assert rows["front_office"].avg_resolution_minutes == 30 and rows["front_office"].resolved == 1
    assert str(rows["fnb"].label) == "Food & beverage"


def test_numbers_by_month_type_and_property(history, service_a, manager):
    by_month = case_metrics(user=service_a, group_by="month")
    assert [(r.label, r.cases) for r in by_month] == [("2026-03", 3), ("2026-04", 1)]
    by_type = {r.key: r.cases for r in case_metrics(user=service_a, group_by="case_type")}
    assert by_type == {"complaint": 3, "inquiry": 1}
    assert [(r.label, r.cases) for r in case_metrics(user=manager, group_by="property")] == [("SHA", 4)]


def test_numbers_respect_scoping(history, frontdesk_b):
    assert case_metrics(user=frontdesk_b, group_by="month") == []
    assert loop_report(user=frontdesk_b).complaints == 0


def test_the_metrics_page_shows_the_chart_data_and_the_loop_report(client, service_a, history):
    client.force_login(service_a)
    response = client.get(reverse("cases:service_metrics"), {"group_by": "department", "date_from": "2026-01-01",
                                                             "date_to": "2026-12-31"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="metrics-data"' in page and "echarts.min.js" in page
    assert "Engineering" in page and "100%" in page
