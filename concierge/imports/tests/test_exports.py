"""Exports: formula injection neutralised, XLSX round trip, vCard 3.0/4.0 read back with vobject, audit, views."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import vobject
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from concierge.core.models import AuditEvent
from concierge.guests.models import Contact, Guest
from concierge.guests.services import company_create, contact_create, guest_create
from concierge.imports.exports import GUEST_COLUMNS, contact_vcard, neutralise, queryset_export
from concierge.imports.tests.factories import counts

pytestmark = [pytest.mark.django_db, pytest.mark.urls("concierge.imports.tests.urls")]

EVIL = "=cmd|' /C calc'!A0"


def _body(export) -> bytes:
    return b"".join(export.chunks)


@pytest.fixture
def evil_guest(frontdesk_a, property_a):
    return guest_create(actor=frontdesk_a, property=property_a, family_name=EVIL, given_name="@SUM(1+1)",
                        city="-2+3", notes="x", phone="13800138000", external_ref="E1", source="crm",
                        birthday=dt.date(1980, 1, 2), tags=["VIP"])


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+86138", "'+86138"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("plain", "plain"), (12, 12), (None, None),
])
def test_cells_a_spreadsheet_would_evaluate_get_a_leading_apostrophe(value, expected):
    assert neutralise(value) == expected


def test_csv_export_neutralises_formula_injection(manager, evil_guest):
    export = queryset_export(actor=manager, queryset=Guest.objects.all(), columns=GUEST_COLUMNS, format="csv",
                             name="guests")

    text = _body(export).decode("utf-8")
    assert text.startswith("\ufeff")
    row = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["family_name"] == "'" + EVIL
    assert row["given_name"] == "'@SUM(1+1)"
    assert row["city"] == "'-2+3"
    assert row["phone"] == "'+8613800138000"
    assert row["tags"] == "VIP" and row["birthday"] == "1980-01-02"
    assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values())


def test_xlsx_export_neutralises_formula_injection_and_writes_no_formula(manager, evil_guest):
    export = queryset_export(actor=manager, queryset=Guest.objects.all(), columns=GUEST_COLUMNS, format="xlsx",
                             name="guests")

    sheet = load_workbook(io.BytesIO(_body(export))).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]]))
    assert row["family_name"] == "'" + EVIL
    assert all(c.data_type != "f" for c in sheet[2])


def test_every_export_is_audited(manager, evil_guest):
    queryset_export(actor=manager, queryset=Guest.objects.all(), columns=GUEST_COLUMNS, format="csv", name="guests",
                    ip_address="10.0.0.1")

    event = AuditEvent.objects.get(action="export")
    assert (event.actor, event.field, event.ip_address) == (manager, "guests", "10.0.0.1")
    assert "1 rows" in event.detail


def test_an_xlsx_export_imports_back_unchanged(manager, evil_guest, run_import):
    data = _body(queryset_export(actor=manager, queryset=Guest.objects.all(), columns=GUEST_COLUMNS, format="xlsx",
                                 name="guests"))
    before = counts()

    summary = run_import("guests", data, file_name="guests.xlsx", source="crm", actor=manager)

    assert (summary.unchanged, summary.created, summary.updated, summary.rejected) == (1, 0, 0, [])
    assert counts() == before
    guest = Guest.objects.get()
    assert (guest.family_name, guest.city, guest.phone) == (EVIL, "-2+3", "+8613800138000")


def test_an_xlsx_export_imported_as_another_source_recreates_the_same_profile(manager, evil_guest, run_import):
    data = _body(queryset_export(actor=manager, queryset=Guest.objects.all(), columns=GUEST_COLUMNS, format="xlsx",
                                 name="guests"))
    Guest.objects.update(external_ref="", source="")

    summary = run_import("guests", data, file_name="guests.xlsx", source="copy", match="flag", actor=manager)

    copy = Guest.objects.get(source="copy")
    assert summary.created == 1
    for field in ("family_name", "given_name", "city", "phone", "birthday"):
        assert getattr(copy, field) == getattr(evil_guest, field)
    assert list(copy.tags.values_list("name", flat=True)) == ["VIP"]


# --- vCard ---------------------------------------------------------------------------------------------------


@pytest.fixture
def company(frontdesk_a, property_a):
    return company_create(actor=frontdesk_a, properties=[property_a], name_zh="宝钢集团", name_en="Baosteel")


@pytest.fixture
def contacts(frontdesk_a, company):
    zhang = contact_create(actor=frontdesk_a, company=company, name="张伟", name_latin="ZHANG Wei",
                           position="差旅经理; 总部", department="行政部", phone="138 0013 8000",
                           email="zhang.wei@baosteel.example", birthday=dt.date(1980, 5, 6))
    long_name = contact_create(actor=frontdesk_a, company=company, name="Anna-Lena Müller-Lüdenscheidt",
                               position="Head of Travel, Europe " + "and global accounts " * 4,
                               notes="Line one\nLine two, with comma")
    return [zhang, long_name]


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_vcards_are_read_back_by_vobject(contacts, version):
    text = "".join(contact_vcard(c, version=version) for c in contacts)

    cards = list(vobject.readComponents(text))

    assert [c.version.value for c in cards] == [version, version]
    zhang, anna = cards
    assert zhang.fn.value == "张伟"
    assert (zhang.n.value.family, zhang.n.value.given) == ("张", "伟")
    assert zhang.org.value == ["Baosteel", "行政部"] or zhang.org.value == ["宝钢集团", "行政部"]
    assert zhang.title.value == "差旅经理; 总部"
    assert zhang.tel.value.endswith("+8613800138000")
    assert zhang.email.value == "zhang.wei@baosteel.example"
    assert anna.fn.value == "Anna-Lena Müller-Lüdenscheidt"
    assert anna.title.value.startswith("Head of Travel, Europe and global")
    assert anna.note.value == "Line one\nLine two, with comma"
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_vcard_view_downloads_a_companys_active_contacts_and_audits_it(client, manager, company, contacts):
    Contact.objects.filter(pk=contacts[1].pk).update(is_active=False)
    client.force_login(manager)

    response = client.get(reverse("web:company_vcard", args=[company.pk]) + "?version=3.0")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/vcard")
    cards = list(vobject.readComponents(b"".join(response.streaming_content).decode("utf-8")))
    assert [c.fn.value for c in cards] == ["张伟"]
    assert AuditEvent.objects.get(action="export").company == company


def test_vcard_view_hides_other_hotels_companies(client, frontdesk_b, company, contacts):
    frontdesk_b.role = "sales_manager"
    frontdesk_b.save()
    client.force_login(frontdesk_b)

    assert client.get(reverse("web:company_vcard", args=[company.pk])).status_code == 404


# --- export views --------------------------------------------------------------------------------------------


def test_guest_export_uses_the_guest_list_filters(client, manager, frontdesk_a, property_a):
    guest_create(actor=frontdesk_a, property=property_a, family_name="王", given_name="芳", status="active")
    guest_create(actor=frontdesk_a, property=property_a, family_name="李", given_name="娜", status="lost",
                 status_reason="moved away")
    client.force_login(manager)

    response = client.get(reverse("web:export_list", kwargs={"kind": "guests", "fmt": "csv"}) + "?status=lost")

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert response.status_code == 200
    assert [r["family_name"] for r in rows] == ["李"]
    assert "attachment" in response["Content-Disposition"]


@override_settings(LANGUAGE_CODE="en")
def test_exports_are_scoped_to_the_users_hotels(client, frontdesk_b, guest_a):
    frontdesk_b.role = "sales_manager"
    frontdesk_b.save()
    client.force_login(frontdesk_b)

    response = client.get(reverse("web:export_list", kwargs={"kind": "guests", "fmt": "xlsx"}))

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 1  # the header only


def test_front_desk_cannot_export(client, frontdesk_a, guest_a):
    client.force_login(frontdesk_a)

    assert client.get(reverse("web:export_list", kwargs={"kind": "guests", "fmt": "csv"})).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("kind", ["companies", "contacts", "stays"])
def test_other_lists_export_too(client, manager, contacts, kind):
    client.force_login(manager)

    response = client.get(reverse("web:export_list", kwargs={"kind": kind, "fmt": "csv"}))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
