"""The import page (upload → preview and mapping → dry run / import with a polled progress bar) and the API."""
from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from concierge.guests.models import Guest
from concierge.imports.choices import ImportStatus
from concierge.imports.models import ImportBatch
from concierge.imports.services import import_batch_execute
from concierge.imports.tests.factories import csv_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.urls("concierge.imports.tests.urls")]

ROWS = [["客户编号", "姓名", "手机", "生日", "Loyalty"], ["G1", "王芳", "13900001111", "1985-12-12", "gold"],
        ["G2", "", "13900002222", "", ""], ["G3", "John Smith", "", "31/02/1990", ""]]


@pytest.fixture
def eager(settings, manager):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    manager.language = "en"  # row messages are written in the importing user's language
    manager.save(update_fields=["language"])


def _upload(client, *, kind="guests", rows=ROWS, **extra):
    data = {"file": SimpleUploadedFile("guests.csv", csv_bytes(rows, encoding="gbk"), content_type="text/csv"),
            "kind": kind, "source": "pms", "match_mode": "link", **extra}
    return client.post(reverse("web:import_list"), data)


def test_upload_shows_the_mapping_and_the_first_rows_with_their_errors(client, manager, property_a):
    client.force_login(manager)

    response = _upload(client, property=property_a.pk)
    batch = ImportBatch.objects.get()
    page = client.get(reverse("web:import_detail", args=[batch.pk]))

    assert response.status_code == 302 and batch.status == ImportStatus.UPLOADED
    html = page.content.decode()
    assert page.status_code == 200
    assert "gb18030" in html
    assert 'value="full_name" selected' in html and 'value="phone" selected' in html
    assert "王芳" in html
    assert "The row has no name" in html  # row 3
    assert "31/02/1990" in html  # row 4's warning
    assert not Guest.objects.exists()


def test_the_mapping_step_can_point_an_unknown_column_at_a_field(client, manager):
    client.force_login(manager)
    _upload(client)
    batch = ImportBatch.objects.get()

    client.post(reverse("web:import_mapping", args=[batch.pk]),
                {"col_0": "external_ref", "col_1": "full_name", "col_2": "phone", "col_3": "birthday",
                 "col_4": "tags"})

    batch.refresh_from_db()
    assert batch.mapping["Loyalty"] == "tags"


def test_dry_run_then_import_with_progress(client, manager, eager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    _upload(client)
    batch = ImportBatch.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:import_start", args=[batch.pk]), {"dry_run": "1"})
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DRY_RUN and batch.summary["created"] == 2
    assert not Guest.objects.exists()
    page = client.get(reverse("web:import_detail", args=[batch.pk])).content.decode()
    assert "Dry run result" in page and "Import" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:import_start", args=[batch.pk]), {"dry_run": "0"})
    batch.refresh_from_db()
    assert batch.status == ImportStatus.SUCCEEDED and Guest.objects.count() == 2
    assert batch.file_path == ""  # the upload is deleted once imported
    progress = client.get(reverse("web:import_progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"
    detail = client.get(reverse("web:import_detail", args=[batch.pk])).content.decode()
    assert "Rejected rows" in detail and "The row has no name" in detail


def test_a_queued_import_polls_its_progress(client, manager):
    client.force_login(manager)
    _upload(client)
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING, rows_total=100, rows_done=0)

    page = client.get(reverse("web:import_detail", args=[batch.pk])).content.decode()
    partial = client.get(reverse("web:import_progress", args=[batch.pk]), HTTP_HX_REQUEST="true")

    assert 'hx-trigger="every 1s"' in page
    assert partial.status_code == 200 and "HX-Refresh" not in partial


def test_a_queued_batch_runs_once(client, manager, eager):
    client.force_login(manager)
    _upload(client)
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.QUEUED)

    first = import_batch_execute(batch_id=batch.pk)
    second = import_batch_execute(batch_id=batch.pk)

    assert first is not None and second is None and Guest.objects.count() == 2


def test_leads_need_a_campaign_tag_on_the_form(client, manager):
    client.force_login(manager)

    response = _upload(client, kind="leads")

    assert response.status_code == 400 and not ImportBatch.objects.exists()


def test_front_desk_cannot_import(client, frontdesk_a):
    client.force_login(frontdesk_a)

    assert client.get(reverse("web:import_list")).status_code == 403


def test_a_scoped_manager_must_choose_one_of_their_properties(client, frontdesk_b, property_a, property_b):
    frontdesk_b.role = "sales_manager"
    frontdesk_b.save()
    client.force_login(frontdesk_b)

    refused = _upload(client, property=property_a.pk)
    accepted = _upload(client, property=property_b.pk)

    assert refused.status_code == 400 and accepted.status_code == 302


def test_someone_elses_import_is_not_found(client, manager, frontdesk_b):
    client.force_login(manager)
    _upload(client)
    batch = ImportBatch.objects.get()
    frontdesk_b.role = "sales_manager"
    frontdesk_b.save()
    client.force_login(frontdesk_b)

    assert client.get(reverse("web:import_detail", args=[batch.pk])).status_code == 404


def test_the_import_page_lists_recent_imports(client, manager):
    client.force_login(manager)
    _upload(client)

    page = client.get(reverse("web:import_list")).content.decode()

    assert "guests.csv" in page and "Uploaded" in page


# --- API -----------------------------------------------------------------------------------------------------


def test_api_imports_a_file_in_the_background_and_reports_its_summary(manager, eager,
                                                                     django_capture_on_commit_callbacks):
    api = APIClient()
    api.force_authenticate(manager)
    upload = SimpleUploadedFile("guests.csv", csv_bytes(ROWS), content_type="text/csv")

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(reverse("api:import-list"), {"file": upload, "kind": "guests", "source": "pms"},
                            format="multipart")
    detail = api.get(reverse("api:import-detail", args=[response.json()["id"]]))

    assert response.status_code == 202
    body = detail.json()
    assert body["status"] == "succeeded" and body["summary"]["created"] == 2
    assert body["summary"]["rejected"][0]["row"] == 3
    assert body["progress"]["percent"] == 100
    listed = api.get(reverse("api:import-list")).json()
    assert [b["id"] for b in listed["results"]] == [body["id"]]


def test_api_refuses_front_desk_and_bad_kinds(client_a, manager):
    upload = SimpleUploadedFile("guests.csv", csv_bytes(ROWS), content_type="text/csv")
    refused = client_a.post(reverse("api:import-list"), {"file": upload, "kind": "guests"}, format="multipart")
    api = APIClient()
    api.force_authenticate(manager)

    bad = api.post(reverse("api:import-list"), {"file": SimpleUploadedFile("x.csv", b"a\n1"), "kind": "pets"},
                   format="multipart")

    assert refused.status_code == 403
    assert bad.status_code == 400 and json.dumps(bad.json()).find("kind") > 0


@pytest.fixture
def client_a(frontdesk_a):
    api = APIClient()
    api.force_authenticate(frontdesk_a)
    return api


@pytest.mark.urls("concierge.imports.tests.urls")
def test_the_import_api_is_in_the_schema_without_warnings(tmp_path, settings):
    from django.core.management import call_command

    settings.ROOT_URLCONF = "concierge.imports.tests.urls"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"),
                 "--urlconf", "concierge.imports.tests.urls")

    assert "/api/v1/imports/{id}/" in (tmp_path / "schema.yaml").read_text()


def test_the_sidebar_lists_imports_for_importers_only(client, manager, frontdesk_a):
    client.force_login(manager)
    assert 'href="/imports/"' in client.get(reverse("web:import_list")).content.decode()

    client.force_login(frontdesk_a)
    assert 'href="/imports/"' not in client.get(reverse("web:home")).content.decode()


def test_an_unreadable_file_is_refused_on_the_upload_form(client, manager):
    client.force_login(manager)
    data = {"file": SimpleUploadedFile("guests.csv", b"name\n\x80\x81\xff\n"), "kind": "guests", "source": "pms",
            "match_mode": "link"}

    response = client.post(reverse("web:import_list"), data)

    assert response.status_code == 400 and "UTF-8" in response.content.decode()
    assert not ImportBatch.objects.exists()
