"""The load benchmark's lost-write check (bench/_load_verify.py) against the test database; locust is not needed."""
from __future__ import annotations

import sys
from pathlib import Path

from concierge.cases.services import case_create
from concierge.guests.services import guest_update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from _load_verify import count_lost_writes  # noqa: E402


def test_acknowledged_writes_present_in_the_database_are_found(frontdesk_a, property_a, guest_a):
    case = case_create(actor=frontdesk_a, property=property_a, subject="Noisy room", guest=guest_a)
    first = guest_update(actor=frontdesk_a, guest=guest_a, expected_version=guest_a.version, notes="quiet room")
    second = guest_update(actor=frontdesk_a, guest=first, expected_version=first.version, notes="high floor")

    result = count_lost_writes([
        {"kind": "case", "id": case.pk, "subject": "Noisy room"},
        # The first edit was overwritten by the second, but it did happen: its version is in the history.
        {"kind": "profile", "id": guest_a.pk, "version": first.version, "field": "notes", "value": "quiet room"},
        {"kind": "profile", "id": guest_a.pk, "version": second.version, "field": "notes", "value": "high floor"},
    ])

    assert result["total"] == {"acknowledged": 3, "found": 3, "lost": 0}
    assert result["examples"] == []


def test_acknowledged_writes_missing_from_the_database_are_counted_lost(frontdesk_a, property_a, guest_a):
    case = case_create(actor=frontdesk_a, property=property_a, subject="Noisy room", guest=guest_a)
    updated = guest_update(actor=frontdesk_a, guest=guest_a, expected_version=guest_a.version, notes="quiet room")
    missing_case = {"kind": "case", "id": case.pk + 1000, "subject": "Cold shower"}
    wrong_subject = {"kind": "case", "id": case.pk, "subject": "Something else"}
    version_never_reached = {"kind": "profile", "id": guest_a.pk, "version": updated.version + 1, "field": "notes",
                             "value": "quiet room"}
    value_never_saved = {"kind": "profile", "id": guest_a.pk, "version": updated.version, "field": "notes",
                         "value": "sea view"}

    result = count_lost_writes([missing_case, wrong_subject, version_never_reached, value_never_saved])

    assert result["case"] == {"acknowledged": 2, "found": 0, "lost": 2}
    assert result["profile"] == {"acknowledged": 2, "found": 0, "lost": 2}
    assert result["total"]["lost"] == 4
    assert missing_case in result["examples"]
