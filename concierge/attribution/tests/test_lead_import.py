"""Lead import of business cards: validation by row and field, matching against existing guests, re-import."""
from __future__ import annotations

import pytest

from concierge.attribution.choices import LeadImportStatus, LeadOutcome
from concierge.attribution.models import CampaignLead, LeadImport
from concierge.attribution.services import lead_import_start, lead_import_upload
from concierge.attribution.tests.conftest import card, cards_csv
from concierge.campaigns.models import CampaignTouch
from concierge.guests.models import Company, Guest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def upload(actor, campaign, data, django_capture_on_commit_callbacks, name="cards.csv"):
    with django_capture_on_commit_callbacks(execute=True):
        result = lead_import_upload(actor=actor, campaign=campaign, upload=data, file_name=name)
    result.refresh_from_db()
    return result


def test_bad_file_names_row_and_field_and_writes_nothing(marketing, trade_show, django_capture_on_commit_callbacks):
    rows = [card(1), card(2, name=""), card(3, email="not-an-email"), card(4, **{"card id": ""}),
            card(5, mobile="12"), card(6, **{"card id": "CITM-00001"})]
    guests, companies = Guest.objects.count(), Company.objects.count()
    result = upload(marketing, trade_show, cards_csv(rows), django_capture_on_commit_callbacks)
    assert result.status == LeadImportStatus.INVALID
    found = {(e["row"], e["field"]) for e in result.errors}
    assert found == {(3, "full_name"), (4, "email"), (5, "external_ref"), (6, "phone"), (7, "external_ref")}
    assert result.rows_total == 6 and result.rows_invalid == 5
    assert (Guest.objects.count(), Company.objects.count()) == (guests, companies)
    assert not CampaignTouch.objects.exists() and not CampaignLead.objects.exists()


def test_unreadable_file_is_refused(marketing, trade_show):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        lead_import_upload(actor=marketing, campaign=trade_show, upload=b"\xd0\xcf\x11\xe0junk", file_name="x.xls")
    assert "file" in exc.value.message_dict
    assert not LeadImport.objects.exists()


def test_cards_match_existing_guests_with_reason_and_reimport_does_not_double(
        marketing, trade_show, guest_a, django_capture_on_commit_callbacks):
    rows = [card(n) for n in range(1, 21)]
    rows.append(card(21, name="张伟", mobile="13800138000", email=""))  # guest_a by mobile
    rows.append(card(22, name="张伟", mobile="", email="zhang.wei@example.cn"))  # guest_a by email
    before = Guest.objects.count()
    result = upload(marketing, trade_show, cards_csv(rows), django_capture_on_commit_callbacks)
    assert result.status == LeadImportStatus.SUCCEEDED, result.error
    assert (result.created_count, result.matched_count, result.skipped_count) == (20, 2, 0)
    assert Guest.objects.count() == before + 20
    matched = CampaignLead.objects.get(card_id="CITM-00021")
    assert matched.guest == guest_a and matched.outcome == LeadOutcome.MATCHED
    assert "same mobile" in matched.reason
    assert "same email" in CampaignLead.objects.get(card_id="CITM-00022").reason
    new = CampaignLead.objects.get(card_id="CITM-00005").guest
    assert new.source == f"lead:{trade_show.pk}" and new.external_ref == "CITM-00005"
    assert new.company.name_zh == "华东商旅05有限公司" and new.province == "上海"
    assert CampaignTouch.objects.filter(campaign=trade_show, kind="lead").count() == 22

    again = upload(marketing, trade_show, cards_csv(rows + [card(23)]), django_capture_on_commit_callbacks)
    assert (again.created_count, again.matched_count, again.skipped_count) == (1, 0, 22)
    assert Guest.objects.count() == before + 21
    assert CampaignTouch.objects.filter(campaign=trade_show, kind="lead").count() == 23


def test_skipping_bad_rows_imports_the_good_ones(marketing, trade_show, django_capture_on_commit_callbacks):
    rows = [card(1), card(2, email="bad@"), card(3)]
    result = upload(marketing, trade_show, cards_csv(rows), django_capture_on_commit_callbacks)
    assert result.status == LeadImportStatus.INVALID
    with django_capture_on_commit_callbacks(execute=True):
        lead_import_start(actor=marketing, lead_import=result)
    result.refresh_from_db()
    assert result.status == LeadImportStatus.SUCCEEDED
    assert (result.created_count, result.error_count) == (2, 1)
    assert sorted(CampaignLead.objects.values_list("card_id", flat=True)) == ["CITM-00001", "CITM-00003"]


def test_progress_partial_polls_until_the_import_is_finished(client, marketing, trade_show):
    from django.urls import reverse

    queued = LeadImport.objects.create(campaign=trade_show, status=LeadImportStatus.RUNNING, rows_total=1000,
                                       rows_done=250, file_name="cards.csv")
    client.force_login(marketing)
    html = client.get(reverse("attribution:lead_import_status", args=[queued.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'aria-valuenow="25"' in html
    LeadImport.objects.filter(pk=queued.pk).update(status=LeadImportStatus.SUCCEEDED)
    html = client.get(reverse("attribution:lead_import_status", args=[queued.pk])).content.decode()
    assert "hx-trigger" not in html


def test_refused_files_are_deleted_after_a_week(marketing, trade_show, django_capture_on_commit_callbacks):
    import datetime as dt
    from pathlib import Path

    from django.utils import timezone

    from concierge.attribution.services import lead_uploads_purge

    refused = upload(marketing, trade_show, cards_csv([card(1, name="")]), django_capture_on_commit_callbacks)
    path = Path(refused.file_path)
    assert path.exists() and lead_uploads_purge() == 0
    LeadImport.objects.filter(pk=refused.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    assert lead_uploads_purge() == 1 and not path.exists()


def test_an_xlsx_file_of_cards_imports(marketing, trade_show, django_capture_on_commit_callbacks):
    import io

    from openpyxl import Workbook

    from concierge.attribution.tests.conftest import HEADERS

    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for n in (1, 2, 3):
        values = card(n)
        sheet.append([values[h] for h in HEADERS])
    sheet.append(["CITM-00004", "钱多多", "", "", 13900000004, "", "", "", ""])  # a mobile typed as a number
    data = io.BytesIO()
    book.save(data)
    result = upload(marketing, trade_show, data.getvalue(), django_capture_on_commit_callbacks, name="cards.xlsx")
    assert result.status == LeadImportStatus.SUCCEEDED, (result.errors, result.error)
    assert result.created_count == 4
    assert CampaignLead.objects.get(card_id="CITM-00004").guest.phone == "+8613900000004"
