"""Duplicate screens through the test client: the create-time warning, the review queue, the pair page,
merge and undo, the tombstone redirect, the finder run and the thresholds."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from concierge.core.models import Activity, AuditEvent
from concierge.dedupe import tasks
from concierge.dedupe.choices import CandidateStatus, FinderRunStatus
from concierge.dedupe.models import DedupeSettings, DuplicateCandidate, FinderRun, MergeRecord
from concierge.dedupe.services import candidate_upsert, guest_merge
from concierge.guests.models import Company, Guest
from concierge.guests.services import company_create, guest_create, guest_update, preference_add
from concierge.stays.models import Stay
from concierge.stays.services import stay_create

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def client_a(client, frontdesk_a):
    client.force_login(frontdesk_a)
    return client


@pytest.fixture
def admin_user(property_a):
    from concierge.accounts.models import User

    return User.objects.create_user(username="ada", password="test-password-123", role="admin", first_name="Ada")


def _zhang_again(actor, prop, **values):
    """張偉 (traditional characters) with guest_a's phone and birthday: the same person, entered again."""
    base = {"family_name": "張", "given_name": "偉", "phone": "+86 138-0013-8000", "birthday": dt.date(1949, 12, 31)}
    base.update(values)
    return guest_create(actor=actor, property=prop, **base)


@pytest.fixture
def pair_a(guest_a, frontdesk_a, property_a):
    """guest_a and a second profile of the same man at property A, with two stays and a preference on it."""
    twin = _zhang_again(frontdesk_a, property_a, email="wei@corp.example")
    for month in (3, 6):
        stay_create(actor=frontdesk_a, guest=twin, property=property_a, arrival=dt.date(2025, month, 1),
                    departure=dt.date(2025, month, 3), status="checked_out", room_revenue=Decimal("900"))
    preference_add(actor=frontdesk_a, guest=twin, category="pillow", value="buckwheat")
    return candidate_upsert(left=guest_a, right=twin)


@pytest.fixture
def weak_pair_a(frontdesk_a, property_a):
    """李娜 twice, same name, birthdays a year apart: a weaker pair (about 83 %)."""
    first = guest_create(actor=frontdesk_a, property=property_a, family_name="李", given_name="娜",
                         birthday=dt.date(1990, 1, 2))
    second = guest_create(actor=frontdesk_a, property=property_a, family_name="李", given_name="娜",
                          birthday=dt.date(1991, 1, 2))
    pair = candidate_upsert(left=first, right=second)
    assert 0.6 < pair.score < 0.9
    return pair


def _create_payload(property_a, **overrides):
    data = {
        "property": property_a.pk, "family_name": "张", "given_name": "伟", "family_name_latin": "",
        "given_name_latin": "",
        "language": "zh-hans", "status": "active", "source_channel": "direct", "phone": "138 0013 8000",
        "doc_type": "cn_id", "id_number": "", "tags": "",
    }
    data.update(overrides)
    return data


# --- the warning at create -----------------------------------------------------------------------------------


def test_creating_a_likely_duplicate_shows_the_existing_profile_and_saves_nothing(client_a, guest_a, property_a):
    response = client_a.post(reverse("web:guest_create"), _create_payload(property_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="duplicate-warning"' in html
    assert f'data-guest="{guest_a.pk}"' in html
    assert "same phone" in html and "same Chinese name" in html
    assert "1101**********002X" in html  # the masked ID, never the number
    assert reverse("web:guest_detail", args=[guest_a.pk]) in html
    assert f'name="duplicates_seen" value="{guest_a.pk}"' in html
    assert Guest.objects.count() == 1


def test_create_anyway_creates_the_profile_and_records_why(client_a, guest_a, property_a, frontdesk_a):
    data = _create_payload(property_a, create_anyway="1", duplicates_seen=str(guest_a.pk))
    response = client_a.post(reverse("web:guest_create"), data)
    new = Guest.objects.exclude(pk=guest_a.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:guest_detail", args=[new.pk])
    audit = AuditEvent.objects.get(action="create_anyway")
    assert (audit.guest, audit.actor, audit.detail) == (new, frontdesk_a, str(guest_a.pk))
    note = Activity.objects.get(guest=new, data__event="create_anyway")
    assert note.data["candidate_ids"] == [guest_a.pk]
    assert f"#{guest_a.pk}" in note.summary


def test_create_anyway_covers_only_the_matches_that_were_shown(client_a, guest_a, property_a):
    response = client_a.post(reverse("web:guest_create"),
                             _create_payload(property_a, create_anyway="1", duplicates_seen="999999"))
    assert response.status_code == 200
    assert 'data-testid="duplicate-warning"' in response.content.decode()
    assert Guest.objects.count() == 1
    assert not AuditEvent.objects.filter(action="create_anyway").exists()


def test_a_new_guest_without_matches_is_created_without_a_warning(client_a, guest_a, property_a):
    data = _create_payload(property_a, family_name="欧阳", given_name="娜娜", phone="137 1111 2222")
    response = client_a.post(reverse("web:guest_create"), data)
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="create_anyway").exists()


def test_the_warning_never_shows_profiles_of_other_properties(client, frontdesk_b, guest_a, property_b):
    client.force_login(frontdesk_b)
    response = client.post(reverse("web:guest_create"), _create_payload(property_b))
    assert response.status_code == 302
    assert Guest.objects.count() == 2


def test_creating_a_company_with_a_known_name_warns_and_create_anyway_is_audited(client_a, frontdesk_a, property_a):
    existing = company_create(actor=frontdesk_a, properties=[property_a], name_zh="中远海运", name_en="COSCO")
    data = {"name_zh": "中远海运", "channel": "corporate", "status": "active", "payment_method": "cash",
            "country": "CN", "properties": [property_a.pk]}
    response = client_a.post(reverse("web:company_create"), data)
    assert response.status_code == 200
    assert f'data-company="{existing.pk}"' in response.content.decode()
    assert Company.objects.count() == 1
    response = client_a.post(reverse("web:company_create"),
                             {**data, "create_anyway": "1", "duplicates_seen": str(existing.pk)})
    assert response.status_code == 302
    new = Company.objects.exclude(pk=existing.pk).get()
    assert AuditEvent.objects.get(action="create_anyway").company == new


# --- review queue --------------------------------------------------------------------------------------------


def test_the_queue_lists_pairs_strongest_first(client_a, pair_a, weak_pair_a):
    response = client_a.get(reverse("web:duplicate_list"))
    assert response.status_code == 200
    pairs = list(response.context["page"])
    assert pairs == sorted(pairs, key=lambda p: -p.score)
    assert {p.pk for p in pairs} == {pair_a.pk, weak_pair_a.pk}
    assert pairs[0].pk == pair_a.pk
    html = response.content.decode()
    assert "same phone" in html and 'data-testid="duplicate-row"' in html


def test_the_queue_is_scoped_to_the_users_properties(client, frontdesk_b, pair_a):
    client.force_login(frontdesk_b)
    response = client.get(reverse("web:duplicate_list"))
    assert list(response.context["page"]) == []
    assert 'data-testid="duplicate-empty"' in response.content.decode()
    for name in ("web:duplicate_detail", "web:merge_pair"):
        assert client.get(reverse(name, args=[pair_a.pk])).status_code == 404
    assert client.post(reverse("web:duplicate_dismiss", args=[pair_a.pk])).status_code == 404
    assert DuplicateCandidate.objects.get(pk=pair_a.pk).status == CandidateStatus.OPEN


def test_the_queue_filters_by_status_score_and_property(client_a, pair_a, weak_pair_a, property_b, manager):
    url = reverse("web:duplicate_list")
    assert [p.pk for p in client_a.get(url, {"min_score": 90}).context["page"]] == [pair_a.pk]
    assert [p.pk for p in client_a.get(url, {"max_score": 90}).context["page"]] == [weak_pair_a.pk]
    assert client_a.get(url, {"min_score": 90, "max_score": 10}).context["filter_form"].errors
    assert list(client_a.get(url, {"status": "dismissed"}).context["page"]) == []
    client_a.force_login(manager)
    assert list(client_a.get(url, {"property": property_b.pk}).context["page"]) == []
    partial = client_a.get(url, {"status": "open"}, HTTP_HX_TARGET="duplicate-table", **HTMX)
    assert b"<html" not in partial.content and b'id="duplicate-table"' in partial.content


def test_the_queue_page_runs_a_fixed_number_of_queries(client_a, pair_a, weak_pair_a, django_assert_num_queries):
    client_a.get(reverse("web:duplicate_list"))  # warm the session and the settings row
    with django_assert_num_queries(11):
        # session, user, the user's property ids, count, page, two property prefetches, latest run, thresholds,
        # the property filter's choices and the user menu's properties
        client_a.get(reverse("web:duplicate_list"))


def test_the_pair_page_shows_both_profiles_field_by_field(client_a, pair_a, guest_a):
    response = client_a.get(reverse("web:duplicate_detail", args=[pair_a.pk]))
    assert response.status_code == 200
    rows = {row.field: row for row in response.context["rows"]}
    assert rows["phone"].outcome == "agree" and rows["birthday"].outcome == "agree"
    assert rows["email"].outcome in ("disagree", "partial")
    left, right = response.context["sides"]
    assert (left["counts"].stays, right["counts"].stays) == (0, 2)
    assert right["counts"].preferences == 1
    html = response.content.decode()
    assert 'data-outcome="agree"' in html and 'data-testid="merge-button"' in html


def test_not_a_duplicate_dismisses_the_pair_and_reopen_brings_it_back(client_a, pair_a, frontdesk_a):
    response = client_a.post(reverse("web:duplicate_dismiss", args=[pair_a.pk]))
    assert response.status_code == 302
    pair_a.refresh_from_db()
    assert (pair_a.status, pair_a.reviewed_by) == (CandidateStatus.DISMISSED, frontdesk_a)
    assert list(client_a.get(reverse("web:duplicate_list")).context["page"]) == []
    client_a.post(reverse("web:duplicate_reopen", args=[pair_a.pk]))
    pair_a.refresh_from_db()
    assert pair_a.status == CandidateStatus.OPEN


# --- merge and undo ------------------------------------------------------------------------------------------


def test_the_merge_page_preselects_the_service_defaults_and_can_swap(client_a, pair_a, guest_a):
    url = reverse("web:merge_pair", args=[pair_a.pk])
    response = client_a.get(url)
    assert response.status_code == 200
    assert response.context["survivor"] == guest_a  # the older profile survives by default
    form = response.context["form"]
    assert form["keep_native_name"].value() == "merged"  # the most recently entered name
    assert form["keep_email"].value() == "merged"
    assert "keep_phone" not in form.fields  # the same number on both: nothing to choose
    guest_a.documents.update(is_verified=True)
    form = client_a.get(url).context["form"]
    assert form["keep_native_name"].value() == "survivor"  # a verified ID document wins identity fields
    assert form["keep_email"].value() == "merged"
    swapped = client_a.get(url, {"survivor": pair_a.right_id})
    assert swapped.context["survivor"].pk == pair_a.right_id


def test_the_merge_page_says_an_unsuitable_flag_survives(client_a, pair_a, frontdesk_a):
    twin = Guest.objects.get(pk=pair_a.right_id)
    guest_update(actor=frontdesk_a, guest=twin, status="unsuitable", status_reason="Damaged the room")
    response = client_a.get(reverse("web:merge_pair", args=[pair_a.pk]))
    assert "keep_status" not in response.context["form"].fields
    assert "always survives a merge" in response.content.decode()


def _merge_post(client, pair, **choices):
    page = client.get(reverse("web:merge_pair", args=[pair.pk]))
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(choices)
    return client.post(reverse("web:merge_pair", args=[pair.pk]), data)


def test_merge_through_the_web_moves_the_stays_and_undo_restores_them(client_a, pair_a, guest_a):
    twin = Guest.objects.get(pk=pair_a.right_id)
    response = _merge_post(client_a, pair_a, keep_email="merged")
    record = MergeRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:merge_detail", args=[record.pk])
    assert Stay.objects.filter(guest=guest_a).count() == 2
    guest_a.refresh_from_db()
    twin.refresh_from_db()
    assert guest_a.email == "wei@corp.example"
    assert twin.merged_into == guest_a
    pair_a.refresh_from_db()
    assert pair_a.status == CandidateStatus.MERGED

    detail = client_a.get(reverse("web:merge_detail", args=[record.pk]))
    assert detail.status_code == 200
    assert dict(detail.context["moved"])["stays"] == 2
    assert 'data-testid="undo-merge"' in detail.content.decode()

    card = client_a.get(reverse("web:guest_detail", args=[guest_a.pk])).content.decode()
    assert 'data-testid="merged-from"' in card and f"#{twin.pk}" in card
    assert reverse("web:merge_detail", args=[record.pk]) in card

    response = client_a.post(reverse("web:merge_undo", args=[record.pk]))
    assert response.status_code == 302
    assert Stay.objects.filter(guest=twin).count() == 2 and not Stay.objects.filter(guest=guest_a).exists()
    guest_a.refresh_from_db()
    twin.refresh_from_db()
    assert twin.merged_into is None and guest_a.email == "zhang.wei@example.cn"
    assert 'data-testid="undo-blocked"' in client_a.get(reverse("web:merge_detail", args=[record.pk])).content.decode()


def test_the_merged_profiles_old_url_redirects_to_the_survivor_with_a_notice(client_a, pair_a, guest_a, frontdesk_a):
    twin = Guest.objects.get(pk=pair_a.right_id)
    guest_merge(actor=frontdesk_a, survivor=guest_a, merged=twin, candidate=pair_a)
    response = client_a.get(reverse("web:guest_detail", args=[twin.pk]), follow=True)
    assert response.redirect_chain == [(reverse("web:guest_detail", args=[guest_a.pk]), 302)]
    assert f"Profile #{twin.pk} was merged into this profile" in response.content.decode()


def test_a_merged_pair_shows_in_the_merged_filter_through_its_survivor(client_a, pair_a, guest_a, frontdesk_a):
    guest_merge(actor=frontdesk_a, survivor=guest_a, merged=Guest.objects.get(pk=pair_a.right_id), candidate=pair_a)
    response = client_a.get(reverse("web:duplicate_list"), {"status": "merged"})
    assert [p.pk for p in response.context["page"]] == [pair_a.pk]
    detail = client_a.get(reverse("web:duplicate_detail", args=[pair_a.pk]))
    assert detail.status_code == 200 and detail.context["merge"] is not None


def test_a_merge_is_refused_when_a_profile_changed_meanwhile(client_a, pair_a, guest_a, frontdesk_a):
    page = client_a.get(reverse("web:merge_pair", args=[pair_a.pk]))
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    guest_update(actor=frontdesk_a, guest=guest_a, notes="edited meanwhile")
    response = client_a.post(reverse("web:merge_pair", args=[pair_a.pk]), data)
    assert response.status_code == 409
    assert 'data-testid="merge-stale"' in response.content.decode()
    assert not MergeRecord.objects.exists()


def test_undo_is_refused_with_a_clear_reason_once_the_survivor_was_merged_again(
        client_a, pair_a, guest_a, frontdesk_a, property_a):
    twin = Guest.objects.get(pk=pair_a.right_id)
    first = guest_merge(actor=frontdesk_a, survivor=guest_a, merged=twin, candidate=pair_a)
    third = _zhang_again(frontdesk_a, property_a, email="third@example.cn")
    guest_merge(actor=frontdesk_a, survivor=third, merged=guest_a)
    detail = client_a.get(reverse("web:merge_detail", args=[first.pk])).content.decode()
    assert f"Profile #{guest_a.pk} has since been merged into #{third.pk}. Undo that merge first." in detail
    response = client_a.post(reverse("web:merge_undo", args=[first.pk]), follow=True)
    assert "The merge could not be undone" in response.content.decode()
    twin.refresh_from_db()
    assert twin.merged_into == guest_a


def test_merge_pages_of_another_property_are_not_found(client, frontdesk_b, pair_a, guest_a, frontdesk_a):
    record = guest_merge(actor=frontdesk_a, survivor=guest_a, merged=Guest.objects.get(pk=pair_a.right_id))
    client.force_login(frontdesk_b)
    assert client.get(reverse("web:merge_detail", args=[record.pk])).status_code == 404
    assert client.post(reverse("web:merge_undo", args=[record.pk])).status_code == 404
    assert client.get(reverse("web:guest_detail", args=[pair_a.right_id])).status_code == 404


# --- the finder run and the thresholds -----------------------------------------------------------------------


def test_a_manager_runs_the_finder_and_sees_the_result(client, manager, pair_a, monkeypatch,
                                                       django_capture_on_commit_callbacks):
    DuplicateCandidate.objects.all().delete()
    monkeypatch.setattr(tasks.find_duplicates, "delay", lambda run_id: tasks.find_duplicates(run_id=run_id))
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("web:duplicate_run"), **HTMX)
    assert response.status_code == 200
    run = FinderRun.objects.get()
    assert run.status == FinderRunStatus.FINISHED and run.requested_by == manager
    assert run.result["above_threshold"] == 1 and run.total > 0
    status = client.get(reverse("web:duplicate_run_status")).content.decode()
    assert "Finished: 1 candidate pair" in status
    assert "hx-trigger" not in status  # finished: polling stops
    assert DuplicateCandidate.objects.count() == 1


def test_a_queued_run_is_polled_and_blocks_a_second_one(client, manager, monkeypatch):
    monkeypatch.setattr(tasks.find_duplicates, "delay", lambda run_id: None)  # no worker
    client.force_login(manager)
    client.post(reverse("web:duplicate_run"))
    client.post(reverse("web:duplicate_run"))
    assert FinderRun.objects.count() == 1
    status = client.get(reverse("web:duplicate_run_status")).content.decode()
    assert 'hx-trigger="every 2s"' in status and "waiting for a worker" in status


def test_a_failed_run_says_so_and_a_redelivered_task_does_nothing(client, manager, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    from concierge.dedupe.services import runs

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(runs, "duplicates_find", broken)
    monkeypatch.setattr(tasks.find_duplicates, "delay", lambda run_id: tasks.find_duplicates(run_id=run_id))
    client.force_login(manager)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:duplicate_run"))
    run = FinderRun.objects.get()
    assert (run.status, run.error) == (FinderRunStatus.FAILED, "database went away")
    assert "The last run failed: database went away" in client.get(reverse("web:duplicate_run_status")).content.decode()
    assert tasks.find_duplicates(run_id=run.pk) == {}  # only a queued run is claimed


def test_a_run_that_never_reported_back_no_longer_blocks_a_new_one(client, manager, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(tasks.find_duplicates, "delay", lambda run_id: None)
    client.force_login(manager)
    client.post(reverse("web:duplicate_run"))
    FinderRun.objects.update(updated_at=timezone.now() - FinderRun.STALE_AFTER - dt.timedelta(minutes=1))
    assert "did not report back" in client.get(reverse("web:duplicate_run_status")).content.decode()
    client.post(reverse("web:duplicate_run"))
    assert FinderRun.objects.count() == 2


def test_front_desk_cannot_run_the_finder_or_change_thresholds(client_a):
    assert client_a.post(reverse("web:duplicate_run")).status_code == 403
    assert client_a.get(reverse("web:duplicate_settings")).status_code == 403
    assert b'data-testid="run-finder"' not in client_a.get(reverse("web:duplicate_list")).content


def test_an_admin_sets_the_thresholds(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("web:duplicate_settings")).status_code == 200
    bad = client.post(reverse("web:duplicate_settings"),
                      {"review_threshold": "80", "auto_merge_threshold": "70", "max_block_size": "50"})
    assert "auto_merge_threshold" in bad.context["form"].errors
    response = client.post(reverse("web:duplicate_settings"),
                           {"review_threshold": "60", "auto_merge_threshold": "99.5", "max_block_size": "80"})
    assert response.status_code == 302
    config = DedupeSettings.load()
    assert (config.review_threshold, config.auto_merge_threshold, config.max_block_size) == (
        Decimal("0.600"), Decimal("0.995"), 80)


def test_the_sidebar_links_the_duplicate_queue(client_a):
    html = client_a.get(reverse("web:home")).content.decode()
    assert reverse("web:duplicate_list") in html and "Duplicates" in html
