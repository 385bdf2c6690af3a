"""import_run(kind="stays"): guests found by guest_ref or ID number, properties, re-imports, placeholder guests."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from concierge.core.models import Activity
from concierge.guests.models import Guest, GuestProperty, SearchKey
from concierge.imports.choices import ImportStatus
from concierge.imports.models import ImportRowIssue
from concierge.imports.tests.factories import GUEST_HEADER, counts, csv_bytes, guest_line
from concierge.properties.models import Property
from concierge.stays.choices import StayStatus
from concierge.stays.models import Stay

pytestmark = pytest.mark.django_db

HEADER = ["external_ref", "guest_ref", "property", "arrival", "departure", "nights", "status", "room_type", "adr",
          "room_revenue", "fnb_revenue", "currency", "channel", "market_segment", "country", "items"]


def stay_line(ref: str, **v: object) -> list[object]:
    defaults = {"guest_ref": "G1", "property": "SHA", "arrival": "2025-03-01", "departure": "2025-03-03"}
    return [ref if h == "external_ref" else v.get(h, defaults.get(h, "")) for h in HEADER]


def stays_file(*lines: list[object]) -> bytes:
    return csv_bytes([HEADER, *lines])


@pytest.fixture
def pms_guest(run_import, property_a):
    run_import("guests", csv_bytes([GUEST_HEADER, guest_line("G1", full_name="王芳", id_number="110101199003074514")]),
               source="pms", property=property_a)
    return Guest.objects.get(external_ref="G1")


def test_stays_attach_to_guests_by_guest_ref(run_import, pms_guest, property_a):
    summary = run_import("stays", stays_file(
        stay_line("R1", status="Check-Out", room_type="DLX", adr="800", fnb_revenue="¥1,200.50", channel="携程",
                  market_segment="Corporate", items="spa; late-checkout"),
    ), source="pms")

    stay = Stay.objects.get(external_ref="R1")
    assert (summary.created, summary.attached, summary.rejected) == (1, 1, [])
    assert stay.guest == pms_guest and stay.property == property_a
    assert (stay.room_nights, stay.adr, stay.room_revenue, stay.fnb_revenue) == (
        2, Decimal("800.00"), Decimal("1600.00"), Decimal("1200.50"))
    assert (stay.status, stay.channel, stay.market_segment, stay.currency) == (
        "checked_out", "ota", "corporate", "CNY")
    assert sorted(stay.products.values_list("code", flat=True)) == ["late-checkout", "spa"]
    pms_guest.refresh_from_db()
    assert pms_guest.last_stay_on == dt.date(2025, 3, 1)
    assert set(SearchKey.objects.filter(guest=pms_guest).values_list("rank_hint", flat=True)) == {20250301}
    activity = Activity.objects.get(guest=pms_guest, kind="stay")
    assert activity.summary.startswith("Stay 2025-03-01–2025-03-03")
    assert activity.data["summary_i18n"]["params"]["status"] == {"t": "Checked out"}


def test_stays_attach_by_the_guests_id_number_when_no_reference_matches(run_import, guest_a):
    header = ["external_ref", "property", "arrival", "nights", "guest_id_number"]
    data = csv_bytes([header, ["R7", "SHA", "2025-05-01", "1", "11010519491231002x"]])

    summary = run_import("stays", data, source="pms")

    assert summary.created == 1 and Stay.objects.get().guest == guest_a


def test_a_stay_whose_guest_cannot_be_found_or_created_is_rejected(run_import, property_a):
    summary = run_import("stays", stays_file(stay_line("R1", guest_ref="NOPE")), source="pms")

    assert [(i.row, i.field, i.code) for i in summary.rejected] == [(2, "guest_ref", "unknown_guest")]
    assert "NOPE" in summary.rejected[0].message


def test_guest_columns_create_the_guest_once_for_all_its_stays(run_import, property_a):
    header = ["external_ref", "guest_ref", "guest_name", "guest_phone", "property", "arrival", "nights", "country"]
    data = csv_bytes([header, ["R1", "G9", "Anna Müller", "+49 30 1234567", "SHA", "2024-01-10", "2", "DEU"],
                      ["R2", "G9", "Anna Müller", "", "SHA", "2024-06-10", "3", "DEU"]])

    summary = run_import("stays", data, source="pms")

    guest = Guest.objects.get(external_ref="G9")
    assert (summary.created, summary.extra["guests_created"]) == (2, 1)
    assert guest.stays.count() == 2 and guest.country == "DE" and guest.phone == "+49301234567"
    assert guest.last_stay_on == dt.date(2024, 6, 10)
    assert GuestProperty.objects.filter(guest=guest, property=property_a).exists()


def test_an_unknown_property_code_is_refused_with_a_clear_error(run_import, pms_guest):
    summary = run_import("stays", stays_file(stay_line("R1", property="XYZ")), source="pms")

    assert summary.created == 0
    assert [(i.row, i.field) for i in summary.rejected] == [(2, "property")]
    assert "XYZ" in summary.rejected[0].message and "create" in summary.rejected[0].message
    assert not Property.objects.filter(code="XYZ").exists()


def test_an_unknown_property_code_is_created_when_asked(run_import, pms_guest):
    summary = run_import("stays", stays_file(stay_line("R1", property="XYZ")), source="pms",
                         create_properties=True)

    assert summary.created == 1 and summary.extra["properties_created"] == 1
    assert Stay.objects.get().property.code == "XYZ"


def test_a_scoped_user_cannot_import_stays_into_another_hotel(run_import, pms_guest, frontdesk_a, property_b):
    summary = run_import("stays", stays_file(stay_line("R1", property="HGH")), source="pms", actor=frontdesk_a)

    assert summary.created == 0 and summary.rejected[0].code == "property_not_allowed"


def test_re_importing_stays_changes_nothing_and_changed_values_update(run_import, pms_guest):
    data = stays_file(stay_line("R1", adr="800", items="spa"), stay_line("R2", arrival="2025-04-01",
                                                                          departure="2025-04-02"))
    run_import("stays", data, source="pms")
    before = counts()

    again = run_import("stays", data, source="pms")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert counts() == before
    changed = run_import("stays", stays_file(stay_line("R1", adr="900", status="cancelled", items="spa; golf")),
                         source="pms")
    stay = Stay.objects.get(external_ref="R1")
    assert (changed.updated, changed.created) == (1, 0)
    assert (stay.adr, stay.status) == (Decimal("900.00"), "cancelled")
    assert sorted(stay.products.values_list("code", flat=True)) == ["golf", "spa"]
    assert Activity.objects.filter(kind="stay", data__stay_id=stay.pk).count() == 2  # created, then status change


def test_a_stay_needs_its_reservation_number(run_import, pms_guest):
    summary = run_import("stays", stays_file(stay_line("")), source="pms")

    assert [(i.field, i.code) for i in summary.rejected] == [("external_ref", "required")]


def test_departure_before_arrival_is_rejected(run_import, pms_guest):
    summary = run_import("stays", stays_file(stay_line("R1", arrival="2025-03-05", departure="2025-03-01")))

    assert summary.rejected[0].field == "departure"


def test_a_bad_optional_amount_is_kept_as_raw_text_on_the_stay(run_import, pms_guest):
    summary = run_import("stays", stays_file(stay_line("R1", fnb_revenue="-20", room_type="DLX")), source="pms")

    stay = Stay.objects.get()
    assert summary.created == 1 and stay.fnb_revenue == Decimal("0")
    issue = ImportRowIssue.objects.get(severity="warning")
    assert (issue.row, issue.field, issue.raw_value, issue.stay) == (2, "fnb_revenue", "-20", stay)


def test_nights_give_the_departure(run_import, pms_guest):
    header = ["external_ref", "guest_ref", "property", "arrival", "nights"]
    run_import("stays", csv_bytes([header, ["R1", "G1", "SHA", "2025-03-01", "0"], ["R2", "G1", "SHA", "2025-03-10",
                                                                                    "4"]]), source="pms")

    assert {s.external_ref: (s.departure, s.room_nights) for s in Stay.objects.all()} == {
        "R1": (dt.date(2025, 3, 1), 0), "R2": (dt.date(2025, 3, 14), 4)}


def test_stays_all_or_nothing_rolls_back(run_import, pms_guest):
    before = counts()

    summary = run_import("stays", stays_file(stay_line("R1"), stay_line("R2", property="XYZ")), source="pms",
                         all_or_nothing=True)

    assert summary.status == ImportStatus.ROLLED_BACK and counts() == before


def test_timeline_entries_are_stored_like_activity_log_stores_them(run_import, pms_guest):
    from concierge.core.i18n import LocalizedText, render_stored
    from concierge.imports.importers.base import activity

    row = activity(msgid="Stay %(arrival)s–%(departure)s, room %(room)s (%(status)s)", kind="stay",
                   params={"arrival": "2025-03-01", "departure": "2025-03-03", "room": "—",
                           "status": StayStatus.CHECKED_OUT.label},
                   occurred_at=None)
    expected = LocalizedText("Stay %(arrival)s–%(departure)s, room %(room)s (%(status)s)", {
        "arrival": "2025-03-01", "departure": "2025-03-03", "room": "—", "status": StayStatus.CHECKED_OUT.label})

    assert row[8]["summary_i18n"] == expected.as_data()
    assert row[6] == expected.render_in("en") == render_stored(row[8], "")


def test_a_scoped_user_cannot_attach_stays_to_another_hotels_guest(run_import, pms_guest, frontdesk_b):
    summary = run_import("stays", stays_file(stay_line("R1", property="HGH")), source="pms", actor=frontdesk_b)

    assert summary.created == 0 and [(i.field, i.code) for i in summary.rejected] == [("guest_ref", "not_visible")]
    assert not Stay.objects.exists() and Guest.objects.count() == 1


def test_a_scoped_user_cannot_move_another_hotels_reservation(run_import, pms_guest, frontdesk_b, property_b):
    run_import("stays", stays_file(stay_line("R1")), source="pms")
    Guest.objects.get().properties.add(property_b)  # the guest is known at both hotels

    summary = run_import("stays", stays_file(stay_line("R1", property="HGH")), source="pms", actor=frontdesk_b)

    assert [(i.field, i.code) for i in summary.rejected] == [("external_ref", "not_visible")]
    assert Stay.objects.get().property.code == "SHA"
