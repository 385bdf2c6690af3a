import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from concierge.core.models import Activity
from concierge.dedupe.choices import CandidateStatus
from concierge.dedupe.models import DuplicateCandidate, MergeRecord
from concierge.dedupe.services import candidate_upsert, guest_merge, guest_merge_undo, guest_relations
from concierge.guests.models import (
    Alert,
    ConsentRecord,
    ContactPoint,
    Guest,
    GuestProperty,
    IdentityDocument,
    Preference,
    SearchKey,
)
from concierge.guests.selectors import resolve_guest
from concierge.guests.services import (
    StaleVersionError,
    alert_add,
    consent_set,
    guest_search_keys_rebuild,
    guest_update,
    identity_document_add,
    preference_add,
)
from concierge.stays.models import Stay
from concierge.stays.services import stay_create

from .factories import zhang_wei


@pytest.fixture
def pair(frontdesk_a, property_a, property_b, manager):
    """张伟 at A (survivor) and 張偉 with a rich history at A and B (merged)."""
    survivor = zhang_wei(frontdesk_a, property_a, email="zw@example.cn", tags=["VIP"])
    merged = zhang_wei(manager, property_b, family_name="張", given_name="偉", phone="+86 139-1234-5678",
                       email="wei.zhang@corp.example", extra_phones=["13600001111"], tags=["VIP", "golf"],
                       notes="Prefers quiet rooms")
    GuestProperty.objects.create(guest=merged, property=property_a)  # collides with the survivor's link
    ContactPoint.objects.create(guest=survivor, kind="phone", value="+8613600001111")  # collides too
    guest_search_keys_rebuild(guest=survivor)
    stay_create(actor=manager, guest=merged, property=property_b, arrival=dt.date(2025, 5, 1),
                departure=dt.date(2025, 5, 3), status="checked_out", room_revenue=1200)
    preference_add(actor=manager, guest=merged, category="pillow", value="buckwheat")
    alert_add(actor=manager, guest=merged, text="Peanut allergy", severity="critical", category="allergy")
    consent_set(actor=manager, guest=merged, channel="email", granted=True, source="web form")
    identity_document_add(actor=manager, guest=merged, doc_type="passport", number="E12345678", is_verified=True)
    return survivor, merged


def _rows(guest_ids):
    """Every row pointing at the two guests, per relation: {label: {(pk, guest_id)}}."""
    state = {}
    for fk in guest_relations():
        model = fk.model
        rows = model._base_manager.filter(**{f"{fk.attname}__in": guest_ids}).values_list("pk", fk.attname)
        state[f"{model._meta.label}.{fk.name}"] = set(rows)
    return state


_COMPARED = ("family_name", "given_name", "family_name_latin", "given_name_latin", "gender", "birthday", "phone",
             "email", "status", "status_reason", "notes", "created_at", "last_stay_on", "merged_into_id", "address_1",
             "city", "postcode", "nationality")


def _fields(guest):
    guest.refresh_from_db()
    return {name: getattr(guest, name) for name in _COMPARED}


def test_merge_moves_everything_to_the_survivor(pair, manager):
    survivor, merged = pair
    record = guest_merge(actor=manager, survivor=survivor, merged=merged)
    assert Stay.objects.filter(guest=survivor).count() == 1
    assert Preference.objects.filter(guest=survivor, value="buckwheat").exists()
    assert Alert.objects.filter(guest=survivor, text="Peanut allergy").exists()
    assert ConsentRecord.objects.filter(guest=survivor, channel="email").exists()
    assert IdentityDocument.objects.filter(guest=survivor, doc_type="passport").exists()
    assert set(GuestProperty.objects.filter(guest=survivor).values_list("property__code", flat=True)) == {"SHA", "HGH"}
    assert set(survivor.tags.values_list("name", flat=True)) == {"VIP", "golf"}
    for fk in guest_relations():
        assert not fk.model._base_manager.filter(**{fk.attname: merged.pk}).exclude(
            **({"summary__startswith": "Merged into"} if fk.model is Activity else {})).exists(), fk
    assert "guests.GuestProperty" in str(record.removed) and "guests.ContactPoint" in str(record.removed)


def test_merge_writes_timeline_and_leaves_a_tombstone(pair, manager, frontdesk_b):
    survivor, merged = pair
    record = guest_merge(actor=manager, survivor=survivor, merged=merged)
    merged.refresh_from_db()
    assert merged.merged_into_id == survivor.pk
    assert not SearchKey.objects.filter(guest=merged).exists()
    assert resolve_guest(merged.pk, manager) == survivor
    entry = Activity.objects.filter(guest=survivor, data__event="merged").get()
    assert entry.data["merge_id"] == record.pk and entry.actor == manager
    # The survivor is found by the merged profile's phone and name keys.
    assert SearchKey.objects.filter(guest=survivor, kind="email", key="wei.zhang@corp.example").exists()


def test_the_phone_and_email_not_chosen_become_contact_points(pair, manager):
    survivor, merged = pair
    guest_merge(actor=manager, survivor=survivor, merged=merged, field_choices={"email": "survivor"})
    survivor.refresh_from_db()
    assert survivor.email == "zw@example.cn"
    assert ContactPoint.objects.filter(guest=survivor, kind="email", value="wei.zhang@corp.example").exists()


def test_undo_restores_every_row_and_value_exactly(pair, manager):
    survivor, merged = pair
    ids = [survivor.pk, merged.pk]
    rows_before = _rows(ids)
    fields_before = (_fields(survivor), _fields(merged))
    tags_before = (set(survivor.tags.all()), set(merged.tags.all()))
    keys_before = set(SearchKey.objects.filter(guest_id__in=ids).values_list("guest_id", "kind", "key"))

    record = guest_merge(actor=manager, survivor=survivor, merged=merged)
    guest_merge_undo(actor=manager, merge_record=record)

    rows_after = _rows(ids)
    new_activities = {row for row in rows_after["core.Activity.guest"] - rows_before["core.Activity.guest"]}
    rows_after["core.Activity.guest"] -= new_activities  # the merge and undo entries themselves
    assert rows_after == rows_before
    assert (_fields(survivor), _fields(merged)) == fields_before
    assert (set(survivor.tags.all()), set(merged.tags.all())) == tags_before
    assert set(SearchKey.objects.filter(guest_id__in=ids).values_list("guest_id", "kind", "key")) == keys_before
    record.refresh_from_db()
    assert record.undone_at and record.undone_by == manager
    assert {a.data["event"] for a in Activity.objects.filter(pk__in=[pk for pk, _g in new_activities])} == {
        "merged", "merged_into", "merge_undone"}


def test_undo_is_refused_when_the_survivor_was_merged_again(pair, manager, frontdesk_a, property_a):
    survivor, merged = pair
    record = guest_merge(actor=manager, survivor=survivor, merged=merged)
    third = zhang_wei(frontdesk_a, property_a, phone="13800000001")
    guest_merge(actor=manager, survivor=third, merged=survivor)
    with pytest.raises(ValidationError) as exc:
        guest_merge_undo(actor=manager, merge_record=record)
    assert exc.value.code == "survivor_merged"
    with pytest.raises(ValidationError):
        guest_merge(actor=manager, survivor=third, merged=merged)  # already a tombstone


def test_undo_twice_is_refused(pair, manager):
    record = guest_merge(actor=manager, survivor=pair[0], merged=pair[1])
    guest_merge_undo(actor=manager, merge_record=record)
    with pytest.raises(ValidationError):
        guest_merge_undo(actor=manager, merge_record=record)


def test_unsuitable_status_survives_the_merge_and_undo_restores_it(pair, manager):
    survivor, merged = pair
    guest_update(actor=manager, guest=merged, status="unsuitable", status_reason="Damaged room 1208")
    record = guest_merge(actor=manager, survivor=survivor, merged=merged, field_choices={"status": "survivor"})
    survivor.refresh_from_db()
    assert survivor.status == "unsuitable" and survivor.status_reason == "Damaged room 1208"
    merged.refresh_from_db()
    assert merged.status == "unsuitable"  # the tombstone keeps its status
    guest_merge_undo(actor=manager, merge_record=record)
    survivor.refresh_from_db()
    assert survivor.status == "active"


def test_both_unsuitable_reasons_are_kept(pair, manager):
    survivor, merged = pair
    guest_update(actor=manager, guest=survivor, status="unsuitable", status_reason="Unpaid bill")
    guest_update(actor=manager, guest=merged, status="unsuitable", status_reason="Damaged room 1208")
    guest_merge(actor=manager, survivor=survivor, merged=merged)
    survivor.refresh_from_db()
    assert survivor.status_reason == "Unpaid bill; Damaged room 1208"


def test_defaults_take_the_most_recent_value_and_verified_identity(pair, manager):
    survivor, merged = pair
    guest_update(actor=manager, guest=survivor, address_1="1 Old Road")
    guest_update(actor=manager, guest=merged, address_1="99 New Street", city="Hangzhou")
    guest_update(actor=manager, guest=survivor, given_name="伟伟")  # newer, but the merged one is verified
    guest_merge(actor=manager, survivor=survivor, merged=merged)
    survivor.refresh_from_db()
    assert (survivor.address_1, survivor.city) == ("99 New Street", "Hangzhou")
    assert (survivor.family_name, survivor.given_name) == ("張", "偉")
    assert survivor.notes == "Prefers quiet rooms"


def test_explicit_field_choices_win(pair, manager):
    survivor, merged = pair
    guest_merge(actor=manager, survivor=survivor, merged=merged,
                field_choices={"family_name": "survivor", "given_name": "survivor", "phone": "merged"})
    survivor.refresh_from_db()
    assert survivor.native_name == "张伟"


def test_unknown_field_choice_is_refused(pair, manager):
    with pytest.raises(ValidationError):
        guest_merge(actor=manager, survivor=pair[0], merged=pair[1], field_choices={"id": "merged"})
    assert not MergeRecord.objects.exists()


def test_merge_closes_the_candidate_and_undo_reopens_it(pair, manager):
    survivor, merged = pair
    candidate = candidate_upsert(left=survivor, right=merged)
    record = guest_merge(actor=manager, survivor=merged, merged=survivor)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.MERGED and record.candidate == candidate
    guest_merge_undo(actor=manager, merge_record=record)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.OPEN


def test_stale_versions_refuse_the_merge(pair, manager, frontdesk_a):
    survivor, merged = pair
    seen = {survivor.pk: survivor.version, merged.pk: merged.version}
    guest_update(actor=frontdesk_a, guest=merged, email="changed@example.cn")
    with pytest.raises(StaleVersionError):
        guest_merge(actor=manager, survivor=survivor, merged=merged, expected_versions=seen)
    assert not MergeRecord.objects.exists()


def test_an_edit_with_the_pre_merge_version_is_refused_not_lost(pair, manager, frontdesk_a):
    survivor, merged = pair
    loaded_version = merged.version
    guest_merge(actor=manager, survivor=survivor, merged=merged)
    with pytest.raises(StaleVersionError):
        guest_update(actor=frontdesk_a, guest=merged, expected_version=loaded_version, email="late@example.cn")


@pytest.mark.django_db(transaction=True)
def test_merge_waits_for_a_concurrent_edit_and_keeps_it(frontdesk_a, property_a, manager):
    survivor = zhang_wei(frontdesk_a, property_a, email="first@example.cn")
    merged = zhang_wei(frontdesk_a, property_a, family_name="張", email="second@example.cn")
    edited = threading.Event()
    errors = []

    def edit() -> None:
        try:
            with transaction.atomic():
                guest_update(actor=frontdesk_a, guest=merged, email="edited@example.cn", address_1="8 Bund Road")
                edited.set()
                threading.Event().wait(0.8)  # hold the row lock while the merge starts
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            edited.set()
        finally:
            connection.close()

    worker = threading.Thread(target=edit)
    worker.start()
    assert edited.wait(10)
    guest_merge(actor=manager, survivor=survivor, merged=merged, field_choices={"email": "survivor"})
    worker.join(10)
    assert not errors
    survivor.refresh_from_db()
    assert survivor.address_1 == "8 Bund Road"  # the edit committed first and was merged
    points = ContactPoint.objects.filter(guest=survivor, kind="email").values_list("value", flat=True)
    emails = {survivor.email, *points}
    assert {"first@example.cn", "edited@example.cn"} <= emails


def test_an_anonymised_merge_record_keeps_no_personal_data_and_cannot_be_undone(pair, manager):
    record = guest_merge(actor=manager, survivor=pair[0], merged=pair[1])
    record.anonymize()
    record.refresh_from_db()
    assert "张" not in str(record.fields) and "13912345678" not in str(record.fields) + str(record.removed)
    with pytest.raises(ValidationError):
        guest_merge_undo(actor=manager, merge_record=record)


def test_a_profile_cannot_be_merged_with_itself(guest_a, manager):
    with pytest.raises(ValidationError):
        guest_merge(actor=manager, survivor=guest_a, merged=guest_a)


def test_relations_are_discovered_from_the_model_registry():
    labels = {f"{fk.model._meta.label}.{fk.name}" for fk in guest_relations()}
    assert {"stays.Stay.guest", "core.Activity.guest", "guests.Preference.guest", "guests.Alert.guest",
            "guests.ConsentRecord.guest", "guests.IdentityDocument.guest", "guests.GuestProperty.guest",
            "guests.ContactPoint.guest", "guests.Contact.guest", "guests.Guest_tags.guest"} <= labels
    assert not any(label.startswith(("guests.Historical", "guests.SearchKey", "dedupe.")) for label in labels)
    assert "guests.Guest.merged_into" not in labels


def test_a_merged_guest_is_not_its_own_survivor_anymore(pair, manager):
    survivor, merged = pair
    guest_merge(actor=manager, survivor=survivor, merged=merged)
    assert Guest.objects.live().filter(pk=merged.pk).count() == 0
    assert DuplicateCandidate.objects.count() == 0
