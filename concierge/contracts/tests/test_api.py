"""The contracts API, and the permission matrix checked on both the pages and the API."""
from __future__ import annotations

import io

import pytest
from docx import Document
from rest_framework.test import APIClient

from concierge.contracts.models import Contract


@pytest.fixture
def api():
    return APIClient()


def test_create_list_detail_update_and_stale_version(api, rep, company, property_a):
    api.force_authenticate(rep)
    payload = {"company": company.pk, "title": "API 协议", "properties": [property_a.pk],
               "start_date": "2026-01-01", "end_date": "2026-12-31", "room_night_commitment": 120,
               "rates": [{"property": property_a.pk, "room_type": "大床房", "season_start": "2026-01-01",
                          "season_end": "2026-12-31", "rate": "599.00"}]}
    created = api.post("/api/v1/contracts/", payload, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["owner"], body["version"], body["rates"][0]["rate"]) == ("draft", rep.pk, 1, "599.00")
    assert body["production"]["commitment"] == 120
    pk = body["id"]
    listing = api.get("/api/v1/contracts/", {"status": "draft"}).json()
    assert [c["id"] for c in listing["results"]] == [pk]
    updated = api.patch(f"/api/v1/contracts/{pk}/", {"version": 1, "title": "新"}, format="json")
    assert updated.status_code == 200 and updated.json()["version"] == 2
    stale = api.patch(f"/api/v1/contracts/{pk}/", {"version": 1, "title": "旧"}, format="json")
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["code"] == "stale_version"


def test_bad_rates_are_a_400_naming_the_field(api, rep, company, property_a):
    api.force_authenticate(rep)
    payload = {"company": company.pk, "title": "x", "properties": [property_a.pk], "start_date": "2026-01-01",
               "end_date": "2026-12-31",
               "rates": [{"property": property_a.pk, "room_type": "大床房", "season_start": "2025-12-01",
                          "season_end": "2026-01-31", "rate": "599.00"}]}
    response = api.post("/api/v1/contracts/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "season_start"


def test_transitions_and_document_through_the_api(api, make_contract, rep):
    contract = make_contract()
    api.force_authenticate(rep)
    assert api.post(f"/api/v1/contracts/{contract.pk}/send/", {}, format="json").json()["status"] == "sent"
    illegal = api.post(f"/api/v1/contracts/{contract.pk}/expire/", {}, format="json")
    assert illegal.status_code == 400 and illegal.json()["errors"][0]["attr"] == "status"
    no_reason = api.post(f"/api/v1/contracts/{contract.pk}/cancel/", {}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["errors"][0]["attr"] == "reason"
    done = api.post(f"/api/v1/contracts/{contract.pk}/cancel/", {"reason": "客户取消"}, format="json")
    assert done.json()["status"] == "cancelled" and done.json()["end_reason"] == "客户取消"
    doc = api.get(f"/api/v1/contracts/{contract.pk}/document/", {"lang": "zh"})
    assert doc.status_code == 200
    assert "旅行社合作合同" not in "\n".join(p.text for p in Document(io.BytesIO(doc.content)).paragraphs)


# user fixture name -> (sees the contract, may change it)
MATRIX = {
    "rep": (True, True),               # owns the account
    "team_rep": (True, True),          # on the account team
    "other_rep": (True, False),        # same property, not their account
    "sales_manager": (True, True),
    "manager": (True, True),
    "frontdesk_a": (True, False),      # read-only within their properties
    "frontdesk_b": (False, False),     # another property: sees nothing
}


@pytest.fixture
def team_rep(company, property_a):
    from concierge.accounts.models import User
    from concierge.sales.models import AccountTeamMember

    user = User.objects.create_user(username="tina", password="x-password-123", role="sales_rep")
    user.properties.set([property_a])
    AccountTeamMember.objects.create(company=company, user=user)
    return user


@pytest.mark.parametrize("who", list(MATRIX))
def test_permissions_are_the_same_on_pages_and_api(who, request, make_contract, client, api):
    user = request.getfixturevalue(who)
    sees, changes = MATRIX[who]
    contract = make_contract()
    client.force_login(user)
    api.force_authenticate(user)

    page = client.get(f"/contracts/{contract.pk}/")
    api_detail = api.get(f"/api/v1/contracts/{contract.pk}/")
    assert (page.status_code == 200, api_detail.status_code == 200) == (sees, sees)
    if not sees:
        assert (page.status_code, api_detail.status_code) == (404, 404)
        return
    assert (f"/contracts/{contract.pk}/send/" in page.content.decode()) == changes

    ui = client.post(f"/contracts/{contract.pk}/send/")
    assert ui.status_code == (302 if changes else 403)
    contract.refresh_from_db()
    assert contract.status == ("sent" if changes else "draft")
    via_api = api.post(f"/api/v1/contracts/{contract.pk}/cancel/", {"reason": "测试"}, format="json")
    assert via_api.status_code == (200 if changes else 403)
    assert Contract.objects.get(pk=contract.pk).status == ("cancelled" if changes else "draft")
