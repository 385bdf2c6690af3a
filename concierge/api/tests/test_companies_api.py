"""Companies and their contacts."""
from __future__ import annotations

from concierge.api.tests.factories import error_codes
from concierge.guests.models import Industry

COMPANIES = "/api/v1/companies/"
CONTACTS = "/api/v1/contacts/"


def test_create_a_company_at_the_users_property(client_a, property_a):
    Industry.objects.create(code="logistics", name_zh="物流", name_en="Logistics")
    response = client_a.post(COMPANIES, {
        "name_zh": "顺丰速运", "name_en": "SF Express", "phone": "0755 8888 8888", "industry": "logistics",
        "tags": ["key account"], "payment_method": "city_ledger",
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["phone"] == "+8675588888888"
    assert body["industry"] == "logistics"
    assert body["tags"] == ["key account"]
    assert [p["code"] for p in body["properties"]] == ["SHA"]
    assert body["version"] == 1


def test_a_company_needs_a_name_and_a_known_industry(client_a, db):
    response = client_a.post(COMPANIES, {"industry": "nope"}, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"industry": "does_not_exist"}
    response = client_a.post(COMPANIES, {"city": "上海"}, format="json")
    assert error_codes(response) == {"name_zh": "required"}


def test_companies_are_listed_and_searched(client_a, company_a):
    assert [row["id"] for row in client_a.get(COMPANIES).json()["results"]] == [company_a.pk]
    results = client_a.get(COMPANIES, {"search": "alibaba"}).json()["results"]
    assert [row["id"] for row in results] == [company_a.pk]
    assert results[0]["matched"]
    assert client_a.get(COMPANIES, {"status": "lost"}).json()["count"] == 0


def test_patch_a_company_with_optimistic_locking(client_a, company_a):
    response = client_a.patch(f"{COMPANIES}{company_a.pk}/", {"city": "上海", "version": 1}, format="json")
    assert response.status_code == 200
    assert (response.json()["city"], response.json()["version"]) == ("上海", 2)
    stale = client_a.patch(f"{COMPANIES}{company_a.pk}/", {"city": "北京", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["code"] == "stale_version"


def test_a_company_cannot_be_marked_lost_without_a_reason(client_a, company_a):
    response = client_a.patch(f"{COMPANIES}{company_a.pk}/", {"status": "lost", "version": 1},
                              format="json")
    assert response.status_code == 400
    assert "status_reason" in error_codes(response)


def test_contacts_are_created_listed_by_company_read_and_changed(client_a, company_a, guest_a):
    response = client_a.post(CONTACTS, {
        "company": company_a.pk, "name": "刘洋", "position": "Travel manager", "phone": "139 1111 2222",
        "email": "Liu.Yang@Alibaba.com", "guest": guest_a.pk, "is_decision_maker": True,
    }, format="json")
    assert response.status_code == 201, response.json()
    contact = response.json()
    assert contact["company"]["id"] == company_a.pk
    assert contact["guest"] == {"id": guest_a.pk, "display_name": "张伟"}
    assert (contact["phone"], contact["email"]) == ("+8613911112222", "liu.yang@alibaba.com")

    assert [c["id"] for c in client_a.get(CONTACTS, {"company": company_a.pk}).json()["results"]] == [contact["id"]]
    assert client_a.get(CONTACTS, {"company": company_a.pk + 1}).json()["count"] == 0
    assert client_a.get(f"{CONTACTS}{contact['id']}/").json()["name"] == "刘洋"

    assert contact["version"] == 1
    changed = client_a.patch(f"{CONTACTS}{contact['id']}/", {"position": "Head of travel", "is_active": False,
                                                             "version": contact["version"]}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["position"], changed.json()["is_active"], changed.json()["version"]) == (
        "Head of travel", False, 2)


def test_a_contact_needs_a_name_and_a_valid_phone(client_a, company_a):
    response = client_a.post(CONTACTS, {"company": company_a.pk, "phone": "x"}, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"name": "required", "phone": "invalid_phone"}
