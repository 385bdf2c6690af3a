import csv
import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from concierge.dedupe.choices import CandidateStatus
from concierge.dedupe.management.commands.find_duplicates import EXPORT_COLUMNS, csv_safe
from concierge.dedupe.models import DedupeSettings, DuplicateCandidate
from concierge.dedupe.services import candidate_dismiss, duplicates_find, guest_merge
from concierge.guests.services import guest_update

from .factories import make_guest, zhang_wei


def _pairs():
    return set(DuplicateCandidate.objects.values_list("left_id", "right_id"))


def _pair(a, b):
    return tuple(sorted((a.pk, b.pk)))


@pytest.fixture
def variants(frontdesk_a, property_a, property_b, manager):
    """One person entered five ways, and two different people with the same common name."""
    bd = dt.date(1985, 3, 7)
    people = {
        "simplified": zhang_wei(frontdesk_a, property_a, external_ref="PMS-1", source="pms"),
        "traditional": zhang_wei(manager, property_b, family_name="張", given_name="偉", phone="",
                                 external_ref="OTA-7"),
        "pinyin": make_guest(manager, property_b, full_name="ZHANG WEI", birthday=bd),
        "swapped": make_guest(manager, property_b, family_name_latin="Wei", given_name_latin="Zhang",
                              phone="+86 139 1234 5678"),
        "phone_format": make_guest(manager, property_a, full_name="张伟", phone="0086-139-1234-5678"),
        "other_1": zhang_wei(frontdesk_a, property_a, birthday=dt.date(1990, 8, 1), phone="13700000001"),
        "other_2": make_guest(frontdesk_a, property_a, full_name="李娜", birthday=dt.date(1970, 1, 1),
                              phone="13500000002"),
    }
    return people


def test_chinese_variants_are_found_and_different_people_are_not(variants):
    result = duplicates_find()
    pairs = _pairs()
    v = variants
    for name in ("traditional", "pinyin", "swapped", "phone_format"):
        assert _pair(v["simplified"], v[name]) in pairs, name
    assert _pair(v["simplified"], v["other_1"]) not in pairs
    assert not {p for p in pairs if v["other_2"].pk in p}
    assert result.created == len(pairs) and result.guests == 7


def test_lowercase_x_in_id_numbers_finds_the_pair(frontdesk_a, property_a, manager, property_b):
    a = make_guest(frontdesk_a, property_a, full_name="李娜",
                   id_documents=[{"doc_type": "cn_id", "number": "11010519491231002x"}])
    b = make_guest(manager, property_b, full_name="LI NA",
                   id_documents=[{"doc_type": "cn_id", "number": "11010519491231002X"}])
    duplicates_find()
    candidate = DuplicateCandidate.objects.get()
    assert (candidate.left_id, candidate.right_id) == _pair(a, b)
    assert candidate.reasons[0]["field"] == "id_number" and candidate.reasons[0]["outcome"] == "agree"


def test_the_finder_is_idempotent(variants):
    first = duplicates_find()
    rows = list(DuplicateCandidate.objects.order_by("pk").values())
    second = duplicates_find()
    assert second.created == 0 and second.updated == 0 and second.stale_removed == 0
    assert second.unchanged == first.created
    assert list(DuplicateCandidate.objects.order_by("pk").values()) == rows


def test_dismissed_pairs_stay_dismissed(variants, manager):
    duplicates_find()
    candidate = DuplicateCandidate.objects.order_by("-score").first()
    candidate_dismiss(actor=manager, candidate=candidate)
    result = duplicates_find()
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.DISMISSED and candidate.reviewed_by == manager
    assert result.kept_closed == 1 and result.created == 0


def test_a_corrected_profile_leaves_the_queue(variants, manager):
    duplicates_find()
    v = variants
    pair = _pair(v["simplified"], v["phone_format"])
    assert pair in _pairs()
    guest_update(actor=manager, guest=v["phone_format"], family_name="王", given_name="芳", phone="13300000000")
    result = duplicates_find()
    assert pair not in _pairs() and result.stale_removed >= 1


def test_tombstones_are_not_compared(variants, manager):
    v = variants
    guest_merge(actor=manager, survivor=v["simplified"], merged=v["traditional"])
    result = duplicates_find()
    assert result.guests == 6
    assert not DuplicateCandidate.objects.filter(status="open", left_id=v["traditional"].pk).exists()


def test_auto_merge_applies_the_admin_threshold(frontdesk_a, property_a, property_b, manager):
    a = zhang_wei(frontdesk_a, property_a, email="zw@example.cn")
    b = zhang_wei(manager, property_b, family_name="張", email="zw@example.cn")
    config = DedupeSettings.load()
    config.auto_merge_threshold = "0.999"
    config.save()
    result = duplicates_find()
    assert result.auto_merged == 1
    b.refresh_from_db()
    assert b.merged_into_id == a.pk


def test_review_threshold_comes_from_the_settings(variants):
    config = DedupeSettings.load()
    config.review_threshold = "0.999999"
    config.save()
    duplicates_find()
    assert DuplicateCandidate.objects.count() < 4


def test_export_has_exactly_the_documented_columns(variants, tmp_path):
    path = tmp_path / "dups.csv"
    out = StringIO()
    call_command("find_duplicates", "--export", str(path), stdout=out, stderr=StringIO())
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert path.read_bytes().startswith(b"left_ref,right_ref,left_id,right_id,score,reasons\r\n")
    assert tuple(rows[0]) == EXPORT_COLUMNS == ("left_ref", "right_ref", "left_id", "right_id", "score", "reasons")
    assert len(rows) - 1 == DuplicateCandidate.objects.count()
    by_ids = {(int(r[2]), int(r[3])): r for r in rows[1:]}
    row = by_ids[_pair(variants["simplified"], variants["traditional"])]
    assert row[0] == "PMS-1" and row[1] == "OTA-7"
    assert "same Chinese name" in row[5]
    assert "exported" in out.getvalue()


def test_export_neutralises_formula_injection(frontdesk_a, property_a, manager, property_b, tmp_path):
    zhang_wei(frontdesk_a, property_a, external_ref="=cmd|' /C calc'!A0")
    zhang_wei(manager, property_b, family_name="張", external_ref="@SUM(1+1)")
    path = tmp_path / "dups.csv"
    call_command("find_duplicates", "--export", str(path), stdout=StringIO(), stderr=StringIO())
    with path.open(encoding="utf-8", newline="") as handle:
        row = list(csv.reader(handle))[1]
    assert {row[0], row[1]} == {"'=cmd|' /C calc'!A0", "'@SUM(1+1)"}


@pytest.mark.parametrize("value", ["=1+1", "+1", "-2", "@A1", "\tx", "\rx"])
def test_csv_safe_prefixes_dangerous_cells(value):
    assert csv_safe(value) == "'" + value


def test_csv_safe_leaves_numbers_and_plain_text():
    assert csv_safe(-3) == -3 and csv_safe("PMS-1") == "PMS-1" and csv_safe("") == ""


def test_command_prints_json(variants):
    out = StringIO()
    call_command("find_duplicates", "--json", stdout=out, stderr=StringIO())
    summary = json.loads(out.getvalue())
    assert summary["guests"] == 7 and summary["created"] >= 4
    assert {"load", "block", "score", "write", "total"} <= set(summary["seconds"])
