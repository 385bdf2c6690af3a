"""/api/v1/segments/: list, create, read, update with optimistic locking, count, members; the role matrix."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from concierge.segments.models import Segment
from concierge.segments.services import segment_create

pytestmark = pytest.mark.django_db

EAST = {"op": "and", "items": [{"field": "region", "operator": "in", "value": ["east"]}]}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_marketing_creates_reads_and_updates_a_segment(cast, marketing):
    client = api(marketing)
    response = client.post("/api/v1/segments/", {"name": "East", "definition": EAST}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["last_count"] == 2 and body["version"] == 1
    assert body["description_of_definition"] == "Region is any of East China"
    pk = body["id"]
    assert client.get(f"/api/v1/segments/{pk}/").json()["name"] == "East"
    response = client.patch(f"/api/v1/segments/{pk}/", {"name": "East China", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = client.patch(f"/api/v1/segments/{pk}/", {"name": "Lost", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["errors"][0]["code"] == "stale_version"
    listing = client.get("/api/v1/segments/").json()
    assert [s["name"] for s in listing["results"]] == ["East China"]
    assert client.delete(f"/api/v1/segments/{pk}/").status_code == 204


def test_a_bad_definition_is_a_400_naming_the_condition(marketing):
    response = api(marketing).post("/api/v1/segments/", {"name": "x", "definition": {
        "op": "and", "items": [{"field": "birthday_month", "operator": "in", "value": [13]}]}}, format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["attr"] == "definition" and error["detail"] == "condition 1: value must be a month 1–12"


def test_count_endpoint_is_scoped(cast, manager, sales_a):
    assert api(manager).post("/api/v1/segments/count/", {"definition": EAST}, format="json").json() == {"count": 2}
    assert api(sales_a).post("/api/v1/segments/count/", {"definition": EAST}, format="json").json() == {"count": 1}
    bad = api(sales_a).post("/api/v1/segments/count/", {"definition": {"op": "and", "items": [{"field": "x"}]}},
                            format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "definition"


def test_members_are_paginated_and_scoped(cast, marketing, sales_a):
    segment = segment_create(actor=marketing, name="East", definition=EAST)
    body = api(marketing).get(f"/api/v1/segments/{segment.pk}/members/").json()
    assert body["count"] == 2 and {m["id"] for m in body["results"]} == {cast.one.pk, cast.only_b.pk}
    body = api(sales_a).get(f"/api/v1/segments/{segment.pk}/members/").json()
    assert [m["id"] for m in body["results"]] == [cast.one.pk]


def test_the_role_matrix_matches_the_web_pages(cast, marketing, sales_a, frontdesk_a, service_a):
    segment = segment_create(actor=marketing, name="East", definition=EAST)
    for user in (frontdesk_a, service_a):
        client = api(user)
        assert client.get("/api/v1/segments/").status_code == 403
        assert client.get(f"/api/v1/segments/{segment.pk}/").status_code == 403
        assert client.post("/api/v1/segments/count/", {"definition": EAST}, format="json").status_code == 403
    sales = api(sales_a)
    assert sales.get(f"/api/v1/segments/{segment.pk}/").status_code == 200
    assert sales.post("/api/v1/segments/", {"name": "x", "definition": EAST}, format="json").status_code == 403
    assert sales.patch(f"/api/v1/segments/{segment.pk}/", {"name": "y"}, format="json").status_code == 403
    assert Segment.objects.get(pk=segment.pk).name == "East"


def test_private_segments_are_hidden_from_others(cast, marketing, manager):
    segment = segment_create(actor=marketing, name="Mine", definition=EAST, shared=False)
    assert api(manager).get(f"/api/v1/segments/{segment.pk}/").status_code == 404
