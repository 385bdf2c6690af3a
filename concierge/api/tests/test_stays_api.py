"""Stays: record, list with filters, read, change."""
from __future__ import annotations

from concierge.api.tests.factories import error_codes, make_stay
from concierge.guests.models import Guest

STAYS = "/api/v1/stays/"


def test_record_a_stay_and_count_its_nights_from_the_dates(client_a, property_a, guest_a, company_a):
    response = client_a.post(STAYS, {
        "guest": guest_a.pk, "property": property_a.pk, "company": company_a.pk,
        "arrival": "2026-03-01", "departure": "2026-03-04", "room_revenue": "2400.00", "status": "checked_out",
        "room_number": "1508",
    }, format="json")
    assert response.status_code == 201, response.json()
    stay = response.json()
    assert (stay["room_nights"], stay["adr"], stay["total_revenue"]) == (3, "800.00", "2400.00")
    assert stay["guest"]["id"] == guest_a.pk
    assert stay["company"]["id"] == company_a.pk
    assert stay["property"]["code"] == "SHA"
    assert str(Guest.objects.get(pk=guest_a.pk).last_stay_on) == "2026-03-01"


def test_a_departure_before_arrival_is_a_400_naming_departure(client_a, property_a, guest_a):
    response = client_a.post(STAYS, {"guest": guest_a.pk, "property": property_a.pk, "arrival": "2026-03-04",
                                     "departure": "2026-03-01"}, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"departure": "invalid"}


def test_negative_revenue_and_missing_dates_are_refused(client_a, property_a):
    response = client_a.post(STAYS, {"property": property_a.pk, "room_revenue": "-1"}, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"arrival": "required", "departure": "required", "room_revenue": "min_value"}


def test_stays_are_filtered_by_guest_status_and_arrival(client_a, frontdesk_a, property_a, guest_a, stay_a):
    future = make_stay(frontdesk_a, guest_a, property_a, days_ago=-10, status="reserved")

    def ids(**params: str) -> list[int]:
        return [row["id"] for row in client_a.get(STAYS, params).json()["results"]]

    assert ids(guest=guest_a.pk) == [future.pk, stay_a.pk]
    assert ids(status="reserved") == [future.pk]
    assert ids(arrival_after=future.arrival.isoformat()) == [future.pk]
    assert ids(arrival_before=stay_a.arrival.isoformat()) == [stay_a.pk]
    assert ids(property=property_a.pk) == [future.pk, stay_a.pk]


def test_read_and_change_a_stay(client_a, stay_a):
    assert client_a.get(f"{STAYS}{stay_a.pk}/").json()["room_number"] == "1208"
    response = client_a.patch(f"{STAYS}{stay_a.pk}/", {"room_number": "1210", "status": "no_show"}, format="json")
    assert response.status_code == 200
    assert (response.json()["room_number"], response.json()["status"]) == ("1210", "no_show")
