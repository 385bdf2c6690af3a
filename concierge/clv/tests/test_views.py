"""Churn-risk list, model page, refit button and guest-card insight: roles, scoping, both languages."""
from __future__ import annotations

import pytest
from django.urls import reverse

from concierge.clv.models import ClvFit, GuestClv
from concierge.clv.services import fit_scope

CHURN = "/clv/churn-risk/"
MODELS = "/clv/models/"


@pytest.fixture
def fitted(people, property_a, today):
    fit_scope(property=property_a, calibration_end=today)
    fit_scope(property=None, calibration_end=today)
    return people


def _client(client, user, language="en"):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_the_manager_sees_the_lapsed_vip_with_reasons_and_a_contact_link(client, manager, fitted):
    page = _client(client, manager).get(CHURN)
    assert page.status_code == 200
    html = page.content.decode()
    vip = fitted["vip"]
    assert reverse("web:guest_detail", args=[vip.pk]) in html
    assert 'data-reason="long_gap"' in html and "Long gap vs own rhythm" in html
    assert "?tab=timeline#interaction-form" in html
    assert html.count('data-testid="churn-row"') == 1


def test_the_list_is_in_chinese_for_a_chinese_reader(client, manager, fitted):
    html = _client(client, manager, "zh-hans").get(CHURN).content.decode()
    assert 'lang="zh-hans"' in html


def test_the_scope_selector_switches_to_a_property(client, manager, fitted, property_a):
    response = _client(client, manager).get(CHURN, {"scope": property_a.pk})
    assert response.status_code == 200 and response.context["scope"] == property_a
    assert _client(client, manager).get(CHURN, {"scope": "999999"}).status_code == 404


def test_an_htmx_request_gets_only_the_table(client, manager, fitted):
    response = _client(client, manager).get(CHURN, HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith('<div id="churn-table"')


def test_a_property_sales_manager_sees_only_their_property_scope(client, sales_manager_a, fitted, property_a):
    response = _client(client, sales_manager_a).get(CHURN)
    assert response.context["scopes"] == [property_a]
    assert response.context["scope"] == property_a
    assert _client(client, sales_manager_a).get(CHURN, {"scope": "group"}).status_code == 404


def test_a_sales_manager_of_another_property_sees_no_guest_of_property_a(client, sales_manager_b, fitted):
    response = _client(client, sales_manager_b).get(CHURN)
    assert response.status_code == 200 and list(response.context["page"]) == []


def test_a_sales_rep_sees_only_guests_they_own(client, sales_rep_a, fitted, property_a):
    assert list(_client(client, sales_rep_a).get(CHURN).context["page"]) == []
    vip = fitted["vip"]
    vip.owner = sales_rep_a
    vip.save(update_fields=["owner"])
    rows = list(_client(client, sales_rep_a).get(CHURN).context["page"])
    assert [row.guest_id for row in rows] == [vip.pk]
    assert _client(client, sales_rep_a).get(MODELS).status_code == 403


@pytest.mark.parametrize("fixture", ["frontdesk_a", "service_a"])
def test_front_desk_and_service_cannot_open_the_pages(client, request, fixture, fitted):
    user = request.getfixturevalue(fixture)
    assert _client(client, user).get(CHURN).status_code == 403
    assert _client(client, user).get(MODELS).status_code == 403


def test_the_sidebar_shows_the_items_by_role(client, manager, frontdesk_a, fitted):
    assert CHURN in _client(client, manager).get("/").content.decode()
    client.logout()
    assert CHURN not in _client(client, frontdesk_a).get("/").content.decode()


def test_the_model_page_shows_each_scope_with_its_freshness_and_charts(client, manager, fitted):
    html = _client(client, manager).get(MODELS).content.decode()
    assert html.count('data-testid="fit-card"') == 2  # group + SHA
    assert "Fitted" in html and 'data-testid="p-alive-chart"' in html and 'id="clv-charts"' in html
    assert 'data-testid="refit"' in html


def test_the_model_page_is_in_chinese(client, manager, fitted):
    assert 'lang="zh-hans"' in _client(client, manager, "zh-hans").get(MODELS).content.decode()


def test_refit_now_queues_the_task_for_allowed_roles(client, manager, marketing, sales_manager_a, people,
                                                      eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(client, marketing).post(reverse("clv:clv_refit"))
    assert response.status_code == 302
    assert ClvFit.objects.filter(property__isnull=True, error="").exists()
    client.logout()
    assert _client(client, sales_manager_a).post(reverse("clv:clv_refit")).status_code == 403


def test_the_guest_card_shows_lifetime_value_and_churn_risk(client, manager, fitted):
    vip = fitted["vip"]
    html = _client(client, manager).get(reverse("web:guest_detail", args=[vip.pk])).content.decode()
    assert 'data-testid="insight-clv"' in html and 'data-testid="insight-churn"' in html


def test_front_desk_sees_no_lifetime_value_on_the_card(client, frontdesk_a, fitted):
    vip = fitted["vip"]
    html = _client(client, frontdesk_a).get(reverse("web:guest_detail", args=[vip.pk])).content.decode()
    assert 'data-testid="insight-clv"' not in html


def test_the_card_insight_costs_one_query(fitted, manager, django_assert_num_queries):
    from concierge.clv.insights import clv_card_insights

    with django_assert_num_queries(1):
        items = clv_card_insights(fitted["vip"], manager)
    assert [i["testid"] for i in items] == ["insight-clv", "insight-churn"]


def test_the_churn_list_query_count_does_not_grow_with_rows(client, manager, fitted):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _client(client, manager).get(CHURN)  # warm the session and caches
    with CaptureQueriesContext(connection) as one_row:
        assert len(client.get(CHURN).context["page"]) == 1
    GuestClv.objects.filter(property__isnull=True).update(churn_risk="medium")
    with CaptureQueriesContext(connection) as many_rows:
        assert len(client.get(CHURN).context["page"]) == 25
    assert len(many_rows) == len(one_row)


def test_high_risk_comes_first_then_value(client, manager, fitted):
    from decimal import Decimal

    from concierge.clv.models import ChurnRisk
    from concierge.clv.selectors import churn_risk_list

    assert ChurnRisk.HIGH < ChurnRisk.MEDIUM  # the list orders by the stored text, as its index does
    rows = list(GuestClv.objects.filter(property__isnull=True))
    for i, row in enumerate(rows):
        row.churn_risk = ChurnRisk.MEDIUM if i % 2 else ChurnRisk.HIGH
        row.clv = Decimal(100 * i)
    GuestClv.objects.bulk_update(rows, ["churn_risk", "clv"])
    listed = [(r.churn_risk, r.clv) for r in churn_risk_list(user=manager, property=None)]
    expected = sorted(((r.churn_risk, r.clv) for r in rows), key=lambda t: (t[0] != ChurnRisk.HIGH, -t[1]))
    assert listed == expected and listed[0][0] == ChurnRisk.HIGH
