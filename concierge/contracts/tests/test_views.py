"""Contract pages: list filters, detail, create/edit with rate rows, transitions, company section."""
from __future__ import annotations

import datetime as dt

from freezegun import freeze_time

from concierge.contracts.models import Contract


def test_list_filters_and_scoping(make_contract, client, rep, frontdesk_b, company):
    from concierge.guests.models import Company

    agency = Company.objects.create(name_zh="携程旅行社", owner=rep)
    with freeze_time("2026-11-20"):
        soon = make_contract(status="active")  # ends 2026-12-31: 41 days
        make_contract(company_=agency, kind="travel_agency")
        client.force_login(rep)
        page = client.get("/contracts/", {"expiring_within": 60}).content.decode()
        assert soon.number in page and page.count('data-testid="contract-row"') == 1
        page = client.get("/contracts/", {"kind": "travel_agency"}).content.decode()
        assert "携程旅行社" in page and page.count('data-testid="contract-row"') == 1
        page = client.get("/contracts/", {"status": "draft", "owner": rep.pk}).content.decode()
        assert page.count('data-testid="contract-row"') == 1
        client.force_login(frontdesk_b)
        assert 'data-testid="contract-row"' not in client.get("/contracts/").content.decode()
        assert client.get(f"/contracts/{soon.pk}/").status_code == 404


def test_detail_shows_rates_production_and_actions(make_contract, client, rep):
    contract = make_contract()
    client.force_login(rep)
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert "高级大床房" in page and 'data-testid="contract-production"' in page
    assert f"/contracts/{contract.pk}/send/" in page and f"/contracts/{contract.pk}/cancel/" in page
    assert f"/contracts/{contract.pk}/document/zh/" in page


def test_create_with_rate_rows_and_field_errors(client, rep, company, property_a):
    client.force_login(rep)
    data = {
        "company": company.pk, "title": "2027 协议", "kind": "corporate", "owner": rep.pk,
        "properties": [property_a.pk], "start_date": "2027-01-01", "end_date": "2027-12-31", "currency": "CNY",
        "commission_percent": "5", "allotment_per_night": "3", "room_night_commitment": "200",
        "payment_terms": "credit_30", "terms": "", "notes": "",
        "rates-TOTAL_FORMS": "2", "rates-INITIAL_FORMS": "0",
        "rates-0-property": property_a.pk, "rates-0-room_type": "豪华房", "rates-0-season_start": "2027-01-01",
        "rates-0-season_end": "2027-06-30", "rates-0-rate": "700",
        "rates-1-property": property_a.pk, "rates-1-room_type": "豪华房", "rates-1-season_start": "2027-06-01",
        "rates-1-season_end": "2027-12-31", "rates-1-rate": "800",
    }
    response = client.post("/contracts/new/", data)
    assert response.status_code == 400
    assert "Rate row 2: the season overlaps" in response.content.decode()
    assert not Contract.objects.exists()
    data["rates-1-season_start"] = "2027-07-01"
    response = client.post("/contracts/new/", data)
    contract = Contract.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/contracts/{contract.pk}/"
    assert contract.rates.count() == 2 and contract.created_by == rep and contract.status == "draft"


def test_edit_with_a_stale_version_shows_an_error(make_contract, client, rep, property_a):
    contract = make_contract()
    client.force_login(rep)
    data = {"title": "改", "kind": "corporate", "owner": rep.pk, "properties": [property_a.pk],
            "start_date": "2026-01-01", "end_date": "2026-12-31", "currency": "CNY", "commission_percent": "5",
            "payment_terms": "credit_30", "version": "99", "rates-TOTAL_FORMS": "0", "rates-INITIAL_FORMS": "0"}
    response = client.post(f"/contracts/{contract.pk}/edit/", data)
    assert response.status_code == 400 and "changed by someone else" in response.content.decode()
    data["version"] = str(contract.version)
    assert client.post(f"/contracts/{contract.pk}/edit/", data).status_code == 302
    contract.refresh_from_db()
    assert (contract.title, contract.version, contract.rates.count()) == ("改", 2, 0)


def test_transition_buttons_and_illegal_moves_show_a_message(make_contract, client, rep):
    contract = make_contract()
    client.force_login(rep)
    response = client.post(f"/contracts/{contract.pk}/send/", follow=True)
    assert "is now Sent" in response.content.decode()
    response = client.post(f"/contracts/{contract.pk}/activate/", follow=True)
    assert "cannot be moved to Active" in response.content.decode()
    response = client.post(f"/contracts/{contract.pk}/cancel/", {"reason": ""}, follow=True)
    assert "Give the reason for the cancellation." in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == "sent"


def test_renew_from_the_page(make_contract, client, rep):
    with freeze_time("2026-02-01"):
        contract = make_contract(status="active")
        client.force_login(rep)
        response = client.post(f"/contracts/{contract.pk}/renew/")
    new = Contract.objects.get(renewal_of=contract)
    assert response["Location"] == f"/contracts/{new.pk}/"
    assert new.start_date == dt.date(2027, 1, 1)


def test_company_page_lists_its_contracts(make_contract, client, rep, company):
    contract = make_contract()
    client.force_login(rep)
    page = client.get(f"/companies/{company.pk}/").content.decode()
    assert 'data-testid="company-contracts"' in page and contract.number in page
