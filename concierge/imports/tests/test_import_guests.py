"""import_run(kind="guests"): bad rows, re-imports, link vs flag, raw values kept, rollback."""
from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.core.management import call_command

from concierge.core.models import Activity
from concierge.dedupe.models import DuplicateCandidate
from concierge.guests.models import Guest, SearchKey
from concierge.guests.services import guest_create
from concierge.imports.choices import ImportStatus
from concierge.imports.models import GuestExternalRef, ImportBatch, ImportRowIssue
from concierge.imports.tests.factories import GUEST_HEADER, counts, csv_bytes, guest_line

pytestmark = pytest.mark.django_db

LI_NA_ID = "110101199003074514"  # checksum-valid PRC resident IDs
WANG_ID = "44030419851212100X"


def _file(*lines):
    return csv_bytes([GUEST_HEADER, *lines])


def _pair_exists(a: Guest, b: Guest) -> bool:
    low, high = sorted((a.pk, b.pk))
    return DuplicateCandidate.objects.filter(left_id=low, right_id=high).exists()


def test_rows_are_created_with_documents_tags_company_and_search_keys(run_import, property_a):
    summary = run_import("guests", _file(
        guest_line("P1", full_name="王芳", gender="女", birthday="1985-12-12", id_number=WANG_ID.lower(),
                   phone="139 0000 1111", email="Wang.Fang@Example.cn", tags="VIP; golf", company="宝钢集团",
                   nationality="中国"),
    ), source="pms", property=property_a)

    guest = Guest.objects.get(source="pms", external_ref="P1")
    assert (summary.created, summary.rejected, summary.warnings) == (1, [], [])
    assert (guest.family_name, guest.given_name, guest.gender, guest.nationality) == ("王", "芳", "F", "CN")
    assert (guest.phone, guest.email) == ("+8613900001111", "wang.fang@example.cn")
    assert sorted(guest.tags.values_list("name", flat=True)) == ["VIP", "golf"]
    assert guest.company.name_zh == "宝钢集团"
    assert guest.documents.get().number == WANG_ID  # lower-case x normalised, encrypted at rest
    assert guest.properties.get() == property_a
    assert SearchKey.objects.filter(guest=guest, kind="hanzi", key="王芳").exists()
    assert SearchKey.objects.filter(guest=guest, kind="phone", key="8613900001111").exists()
    assert guest.history.count() == 1
    assert Activity.objects.filter(guest=guest, data__event="created").exists()
    assert summary.extra["companies_created"] == 1


def test_a_row_without_a_name_is_rejected_with_its_row_and_reason(run_import):
    summary = run_import("guests", _file(guest_line("P1", full_name="李娜"), guest_line("P2", phone="13800000000")))

    assert summary.created == 1
    assert [(i.row, i.field, i.code) for i in summary.rejected] == [(3, "full_name", "no_name")]
    assert "no name" in summary.as_dict()["rejected"][0]["reason"]
    issue = ImportRowIssue.objects.get(severity="error")
    assert (issue.row, issue.field) == (3, "full_name")


def test_bad_cells_name_the_row_and_the_field(run_import):
    summary = run_import("guests", _file(
        guest_line("P1", family_name="x" * 101, given_name="Long"),
        guest_line("P2", full_name="Bo Chen", phone="12", email="not-an-email", gender="maybe"),
    ))

    assert [(i.row, i.field) for i in summary.rejected] == [(2, "family_name")]
    assert {(w.row, w.field) for w in summary.warnings} == {(3, "phone"), (3, "email"), (3, "gender")}
    assert summary.created == 1


def test_a_bad_optional_date_is_kept_as_raw_text_with_a_warning_and_the_row_still_imports(run_import):
    summary = run_import("guests", _file(guest_line("P1", full_name="John Smith", birthday="31/02/1990")),
                         source="pms")

    guest = Guest.objects.get(external_ref="P1")
    assert summary.created == 1 and guest.birthday is None
    assert [(w.row, w.field, w.raw) for w in summary.warnings] == [(2, "birthday", "31/02/1990")]
    assert "[import pms] birthday: 31/02/1990" in guest.notes
    issue = ImportRowIssue.objects.get(severity="warning")
    assert (issue.guest, issue.raw_value) == (guest, "31/02/1990")


def test_a_bad_id_number_is_a_warning_and_only_its_masked_form_is_kept(run_import):
    summary = run_import("guests", _file(guest_line("P1", full_name="John Smith", id_type="身份证",
                                                    id_number="110101199003074515")))

    guest = Guest.objects.get(external_ref="P1")
    assert not guest.documents.exists()
    assert summary.warnings[0].field == "id_number"
    assert "110101199003074515" not in guest.notes and "1101" in guest.notes
    assert "110101199003074515" not in ImportRowIssue.objects.get().raw_value


def test_a_huge_cell_rejects_its_row_and_the_others_import(run_import):
    summary = run_import("guests", _file(guest_line("P1", full_name="Ann Lee", city="x" * 200_000),
                                         guest_line("P2", full_name="Bo Chen")))

    assert [(i.row, i.field, i.code) for i in summary.rejected] == [(2, "city", "cell_too_long")]
    assert list(Guest.objects.values_list("external_ref", flat=True)) == ["P2"]


def test_a_gbk_file_from_excel_imports(run_import):
    data = csv_bytes([["客户编号", "姓名", "手机", "生日"], ["G1", "欧阳娜娜", "13811112222", "2000/6/15"]],
                     encoding="gbk")

    summary = run_import("guests", data)

    guest = Guest.objects.get(external_ref="G1")
    assert summary.encoding == "gb18030"
    assert (guest.family_name, guest.given_name, guest.birthday) == ("欧阳", "娜娜", dt.date(2000, 6, 15))


def test_re_importing_the_same_file_changes_nothing(run_import):
    data = _file(guest_line("P1", full_name="王芳", phone="13900001111", tags="VIP", id_number=WANG_ID),
                 guest_line("P2", full_name="John Smith", birthday="31/02/1990"))
    run_import("guests", data, source="pms")
    before = counts()

    summary = run_import("guests", data, source="pms")

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 2)
    assert counts() == before


def test_re_importing_changed_values_updates_the_profile_and_keeps_empty_cells_from_clearing_it(run_import):
    run_import("guests", _file(guest_line("P1", full_name="王芳", phone="13900001111", city="上海")), source="pms")

    summary = run_import("guests", _file(guest_line("P1", full_name="王芳", phone="13900002222")), source="pms")

    guest = Guest.objects.get()
    assert (summary.updated, summary.created) == (1, 0)
    assert (guest.phone, guest.city, guest.version) == ("+8613900002222", "上海", 2)
    assert SearchKey.objects.filter(guest=guest, kind="phone", key="8613900002222").exists()
    assert not SearchKey.objects.filter(guest=guest, key="8613900001111").exists()
    assert guest.history.count() == 2


def test_the_same_reference_in_another_source_is_another_profile_unless_it_matches(run_import):
    run_import("guests", _file(guest_line("P1", full_name="王芳")), source="pms")

    run_import("guests", _file(guest_line("P1", full_name="Anna Müller")), source="crm", match="flag")

    assert Guest.objects.count() == 2


# --- link vs flag --------------------------------------------------------------------------------------------


@pytest.fixture
def li_na(frontdesk_a, property_a):
    return guest_create(actor=frontdesk_a, property=property_a, family_name="李", given_name="娜",
                        id_documents=[{"doc_type": "cn_id", "number": LI_NA_ID}], phone="13700001234")


def test_link_attaches_a_row_with_the_same_id_number_to_the_existing_profile(run_import, li_na):
    summary = run_import("guests", _file(guest_line("P9", full_name="李 娜", id_number=LI_NA_ID,
                                                    email="lina@example.com", tags="golf")), source="pms")

    li_na.refresh_from_db()
    assert (summary.attached, summary.created) == (1, 0)
    assert Guest.objects.count() == 1
    assert li_na.email == "lina@example.com"  # an empty field is filled
    assert list(li_na.tags.values_list("name", flat=True)) == ["golf"]
    assert GuestExternalRef.objects.get(source="pms", external_ref="P9").guest == li_na
    # Re-importing finds the profile through the recorded reference and changes nothing.
    again = run_import("guests", _file(guest_line("P9", full_name="李 娜", id_number=LI_NA_ID,
                                                  email="lina@example.com", tags="golf")), source="pms")
    assert (again.attached, again.unchanged, again.created) == (0, 1, 0)


def test_an_attached_row_never_overwrites_what_the_profile_holds(run_import, li_na):
    run_import("guests", _file(guest_line("P9", full_name="李娜", id_number=LI_NA_ID, phone="13900009999")),
               source="pms")

    li_na.refresh_from_db()
    assert li_na.phone == "+8613700001234"
    assert list(li_na.contact_points.values_list("value", flat=True)) == ["+8613900009999"]


def test_link_attaches_the_same_external_reference_from_another_source(run_import):
    run_import("guests", _file(guest_line("C-1", full_name="Anna Müller")), source="crm")

    summary = run_import("guests", _file(guest_line("C-1", full_name="Anna Mueller", email="anna@example.de")),
                         source="pms")

    assert summary.attached == 1 and Guest.objects.count() == 1


def test_link_creates_a_weaker_match_and_puts_it_in_the_review_queue(run_import, li_na):
    li_na.birthday = dt.date(1990, 3, 7)
    li_na.save()

    summary = run_import("guests", _file(guest_line("P9", full_name="李娜", birthday="1990-03-07")), source="pms")

    new = Guest.objects.get(external_ref="P9")
    assert (summary.created, summary.flagged, summary.attached) == (1, 1, 0)
    assert _pair_exists(li_na, new)
    candidate = DuplicateCandidate.objects.get()
    assert candidate.score >= 0.5 and candidate.reasons


def test_flag_attaches_nothing_and_flags_every_suspected_duplicate(run_import, li_na, tmp_path):
    summary = run_import("guests", _file(guest_line("P9", full_name="李娜", id_number=LI_NA_ID)), source="pms",
                         match="flag")

    new = Guest.objects.get(external_ref="P9")
    assert (summary.created, summary.flagged, summary.attached) == (1, 1, 0)
    assert _pair_exists(li_na, new)
    export = tmp_path / "pairs.csv"
    call_command("find_duplicates", "--export", str(export), "--no-auto-merge", "--json")
    rows = list(csv.DictReader(export.open(encoding="utf-8-sig")))
    assert {(r["left_ref"], r["right_ref"]) for r in rows} == {("", "P9")}


def test_duplicates_within_one_file_are_flagged_in_flag_mode(run_import):
    summary = run_import("guests", _file(
        guest_line("F1", full_name="Smith, John", birthday="1970-01-01", city="Sydney"),
        guest_line("F2", full_name="John Smith", birthday="1970-01-01", city="Sydney"),
    ), match="flag")

    a, b = Guest.objects.get(external_ref="F1"), Guest.objects.get(external_ref="F2")
    assert (summary.created, summary.flagged) == (2, 1)
    assert _pair_exists(a, b)


def test_rows_of_one_file_sharing_an_id_number_become_one_profile_in_link_mode(run_import):
    summary = run_import("guests", _file(guest_line("A1", full_name="王芳", id_number=WANG_ID),
                                         guest_line("A2", full_name="王 芳", id_number=WANG_ID, city="深圳")))

    guest = Guest.objects.get()
    assert (summary.created, summary.attached) == (1, 1)
    assert guest.city == "深圳"
    assert GuestExternalRef.objects.get(external_ref="A2").guest == guest


def test_a_dismissed_pair_stays_dismissed_when_the_file_is_imported_again(run_import, li_na):
    data = _file(guest_line("P9", full_name="李娜", id_number=LI_NA_ID))
    run_import("guests", data, source="pms", match="flag")
    DuplicateCandidate.objects.update(status="dismissed")

    run_import("guests", data, source="pms", match="flag")

    assert DuplicateCandidate.objects.get().status == "dismissed"


def test_a_scoped_user_links_only_to_profiles_they_can_see(run_import, li_na, frontdesk_b, property_b):
    summary = run_import("guests", _file(guest_line("P9", full_name="李娜", id_number=LI_NA_ID)), source="pms",
                         actor=frontdesk_b, property=property_b)

    assert (summary.attached, summary.created) == (0, 1)
    assert Guest.objects.get(external_ref="P9").properties.get() == property_b


# --- failures ------------------------------------------------------------------------------------------------


def test_all_or_nothing_rolls_everything_back_when_a_row_is_rejected(run_import):
    before = counts()

    summary = run_import("guests", _file(guest_line("P1", full_name="Ann Lee"), guest_line("P2")),
                         all_or_nothing=True)

    assert summary.status == ImportStatus.ROLLED_BACK
    assert summary.created == 1 and [i.row for i in summary.rejected] == [3]
    assert counts() == before
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.ROLLED_BACK and batch.issues.get().row == 3


def test_an_unexpected_error_mid_import_leaves_the_database_as_it_was(run_import, monkeypatch):
    from concierge.imports import services
    from concierge.imports.importers.guests import GuestWriter

    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    real_flag = GuestWriter._flag
    calls = []

    def failing(self, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_flag(self, rows)

    monkeypatch.setattr(GuestWriter, "_flag", failing)
    before = counts()

    summary = run_import("guests", _file(*[guest_line(f"P{i}", full_name=f"Guest {i}") for i in range(5)]))

    assert summary.status == ImportStatus.FAILED and "disk full" in summary.error
    assert counts() == before
    assert ImportBatch.objects.get().status == ImportStatus.FAILED


def test_a_dry_run_reports_exactly_and_saves_nothing(run_import, li_na):
    before = counts()

    summary = run_import("guests", _file(guest_line("P1", full_name="Ann Lee"),
                                         guest_line("P9", full_name="李娜", id_number=LI_NA_ID)), dry_run=True)

    assert summary.status == ImportStatus.DRY_RUN
    assert (summary.created, summary.attached) == (1, 1)
    assert counts() == before


def test_a_file_that_cannot_be_read_fails_cleanly(run_import):
    summary = run_import("guests", b"\x80\x81\xff,\n\x80", file_name="broken.csv")

    assert summary.status == ImportStatus.FAILED
    assert "UTF-8" in summary.error
    assert ImportBatch.objects.get().error == summary.error


def test_the_summary_json_has_the_documented_keys(run_import):
    data = run_import("guests", _file(guest_line("P1", full_name="Ann Lee"))).as_dict()

    for key in ("rows_read", "created", "updated", "attached", "flagged", "rejected", "seconds"):
        assert key in data


def test_a_re_import_after_a_merge_fills_the_survivor_without_undoing_the_merge(run_import, frontdesk_a,
                                                                                property_a):
    from concierge.dedupe.services import guest_merge

    crm = guest_create(actor=frontdesk_a, property=property_a, family_name="李", given_name="娜", source="crm",
                       external_ref="CRM-1", email="lina@crm.example")
    run_import("guests", _file(guest_line("P9", full_name="李娜", email="old@example.com")), source="pms",
               match="flag")
    guest_merge(actor=frontdesk_a, survivor=crm, merged=Guest.objects.get(external_ref="P9"))
    crm.refresh_from_db()
    chosen = crm.email

    summary = run_import("guests", _file(guest_line("P9", full_name="李娜", city="上海", email="new@example.com")),
                         source="pms")

    crm.refresh_from_db()
    assert summary.created == 0 and Guest.objects.live().count() == 1
    assert (crm.external_ref, crm.email, crm.city) == ("CRM-1", chosen, "上海")  # blanks filled, choice kept


def test_a_re_import_after_a_merge_that_took_the_reference_updates_the_survivor(run_import, li_na, frontdesk_a):
    from concierge.dedupe.services import guest_merge

    run_import("guests", _file(guest_line("P9", full_name="李娜", email="old@example.com")), source="pms",
               match="flag")
    guest_merge(actor=frontdesk_a, survivor=li_na, merged=Guest.objects.get(external_ref="P9"))

    summary = run_import("guests", _file(guest_line("P9", full_name="李娜", email="new@example.com")), source="pms")

    li_na.refresh_from_db()
    assert (summary.updated, summary.created) == (1, 0)
    assert (li_na.external_ref, li_na.email) == ("P9", "new@example.com")


def test_a_scoped_user_cannot_update_another_hotels_profile_through_its_reference(run_import, frontdesk_b,
                                                                                 property_a, property_b):
    run_import("guests", _file(guest_line("P1", full_name="王芳", city="上海")), source="pms", property=property_a)

    summary = run_import("guests", _file(guest_line("P1", full_name="王芳", city="杭州")), source="pms",
                         actor=frontdesk_b, property=property_b)

    guest = Guest.objects.get()
    assert (summary.created, summary.updated) == (0, 0)
    assert [(i.field, i.code) for i in summary.rejected] == [("external_ref", "not_visible")]
    assert guest.city == "上海" and list(guest.properties.all()) == [property_a]
