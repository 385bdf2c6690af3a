"""REST API for lifetime value: latest fits, churn-risk list, a guest's scores; scoped by role and property."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from concierge.clv.services import fit_scope


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def fitted(people, property_a, today):
    fit_scope(property=property_a, calibration_end=today)
    fit_scope(property=None, calibration_end=today)
    return people


def test_fits_lists_the_latest_fit_per_scope(manager, fitted, property_a, today):
    fit_scope(property=property_a, calibration_end=today)
    body = api(manager).get("/api/v1/clv/fits/").json()
    assert [f["property"]["code"] if f["property"] else None for f in body] == [None, "SHA"]
    assert {"r", "alpha", "a", "b", "log_likelihood", "p", "q", "gamma", "customers"} <= set(body[0])


def test_a_property_user_sees_only_their_property_fit(sales_manager_a, fitted):
    body = api(sales_manager_a).get("/api/v1/clv/fits/").json()
    assert [f["property"]["code"] for f in body] == ["SHA"]


def test_churn_risk_is_paginated_with_reasons_and_owner(manager, fitted):
    body = api(manager).get("/api/v1/clv/churn-risk/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["guest"]["id"] == fitted["vip"].pk and row["churn_risk"] == "high"
    assert row["reasons"][0]["code"] == "long_gap" and row["reasons"][0]["detail"]
    assert row["owner"] is None


def test_churn_risk_rejects_a_scope_the_user_cannot_see(sales_manager_a, fitted):
    response = api(sales_manager_a).get("/api/v1/clv/churn-risk/", {"scope": "group"})
    assert response.status_code == 400


def test_churn_risk_is_refused_to_front_desk(frontdesk_a, fitted):
    assert api(frontdesk_a).get("/api/v1/clv/churn-risk/").status_code == 403
    assert api(frontdesk_a).get("/api/v1/clv/fits/").status_code == 403


def test_a_guests_scores_in_each_visible_scope(manager, sales_manager_a, fitted):
    vip = fitted["vip"]
    assert len(api(manager).get(f"/api/v1/guests/{vip.pk}/clv/").json()) == 2
    rows = api(sales_manager_a).get(f"/api/v1/guests/{vip.pk}/clv/").json()
    assert [r["property"]["code"] for r in rows] == ["SHA"]


def test_a_guest_of_another_property_is_not_found(frontdesk_b, sales_manager_b, fitted):
    assert api(sales_manager_b).get(f"/api/v1/guests/{fitted['vip'].pk}/clv/").status_code == 404
