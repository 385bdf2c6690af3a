"""The import_* management commands: arguments, --json summary, exit status."""
from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from concierge.guests.models import Guest
from concierge.imports.tests.factories import GUEST_HEADER, csv_bytes, guest_line, xlsx_bytes
from concierge.stays.models import Stay

pytestmark = pytest.mark.django_db


def _run(capsys, *args):
    call_command(*args)
    return capsys.readouterr().out


def test_import_guests_prints_the_json_summary(tmp_path, capsys, property_a):
    path = tmp_path / "guests.csv"
    path.write_bytes(csv_bytes([GUEST_HEADER, guest_line("P1", full_name="Ann Lee"), guest_line("P2")]))

    data = json.loads(_run(capsys, "import_guests", str(path), "--source", "pms", "--property", "SHA", "--json"))

    assert (data["rows_read"], data["created"], data["updated"], data["attached"], data["flagged"]) == (2, 1, 0, 0, 0)
    assert data["rejected"] == [{"row": 3, "field": "full_name",
                                 "reason": "The row has no name (family name, given name or full name)."}]
    assert data["seconds"] >= 0 and Guest.objects.get().properties.get() == property_a


def test_import_guests_reads_xlsx_and_prints_a_table(tmp_path, capsys):
    path = tmp_path / "guests.xlsx"
    path.write_bytes(xlsx_bytes([["姓名", "手机"], ["王芳", 13900001111]]))

    out = _run(capsys, "import_guests", str(path))

    assert "created  1" in out and Guest.objects.get().phone == "+8613900001111"


def test_dry_run_saves_nothing(tmp_path, capsys):
    path = tmp_path / "guests.csv"
    path.write_bytes(csv_bytes([GUEST_HEADER, guest_line("P1", full_name="Ann Lee")]))

    data = json.loads(_run(capsys, "import_guests", str(path), "--dry-run", "--json"))

    assert data["status"] == "dry_run" and data["created"] == 1 and not Guest.objects.exists()


def test_import_stays_creates_properties_only_when_asked(tmp_path, capsys, guest_a):
    path = tmp_path / "stays.csv"
    path.write_bytes(csv_bytes([["external_ref", "guest_id_number", "property", "arrival", "nights"],
                                ["R1", "11010519491231002X", "NEW", "2025-01-01", "2"]]))

    refused = json.loads(_run(capsys, "import_stays", str(path), "--json"))
    created = json.loads(_run(capsys, "import_stays", str(path), "--create-properties", "--json"))

    assert refused["rejected"][0]["field"] == "property" and refused["created"] == 0
    assert created["created"] == 1 and created["properties_created"] == 1
    assert Stay.objects.get().guest == guest_a


def test_all_or_nothing_failure_exits_with_an_error(tmp_path, capsys):
    path = tmp_path / "guests.csv"
    path.write_bytes(csv_bytes([GUEST_HEADER, guest_line("P1", full_name="Ann Lee"), guest_line("P2")]))

    with pytest.raises(CommandError):
        call_command("import_guests", str(path), "--all-or-nothing", "--json")

    assert not Guest.objects.exists()


def test_a_mapping_override_on_the_command_line(tmp_path, capsys):
    path = tmp_path / "guests.csv"
    path.write_bytes(csv_bytes([["Kunde", "Handy"], ["Anna Müller", "+49 30 1234567"]]))

    _run(capsys, "import_guests", str(path), "--mapping", json.dumps({"Kunde": "full_name", "Handy": "phone"}))

    assert Guest.objects.get().phone == "+49301234567"


def test_a_missing_file_is_a_command_error():
    with pytest.raises(CommandError):
        call_command("import_companies", "/nonexistent.csv")
