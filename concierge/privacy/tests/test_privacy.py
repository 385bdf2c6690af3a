"""Personal-data rights: export everything held, erase everywhere (keeping anonymous records), retention."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from concierge.core.models import Activity, AuditEvent
from concierge.guests.models import Alert, ContactPoint, Guest, IdentityDocument, Preference, SearchKey
from concierge.privacy.models import Erasure, UnsuitableFingerprint
from concierge.privacy.policies import unclassified_relations
from concierge.privacy.services import guest_erase, guest_export, retention_sweep, unsuitable_matches

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def rich_guest(guest_a, frontdesk_a, property_a):
    """张伟 with a stay, a preference, an allergy alert, consent, a complaint and a timeline note."""
    from concierge.cases.services.cases import case_create
    from concierge.guests.services import alert_add, consent_set, preference_add
    from concierge.stays.services import stay_create

    preference_add(actor=frontdesk_a, guest=guest_a, category="pillow", value="buckwheat pillow")
    alert_add(actor=frontdesk_a, guest=guest_a, text="Peanut allergy — anaphylaxis", severity="critical",
              category="allergy")
    consent_set(actor=frontdesk_a, guest=guest_a, channel="email", granted=True, source="registration card")
    stay_create(actor=frontdesk_a, guest=guest_a, property=property_a, arrival=dt.date(2026, 3, 1),
                departure=dt.date(2026, 3, 3), room_revenue=Decimal("1600"), room_number="1208",
                status="checked_out")
    case_create(actor=frontdesk_a, property=property_a, guest=guest_a, subject="Noise from room 1210",
                description="Mr Zhang called at 2 am, phone 13800138000")
    return guest_a


def test_every_table_pointing_at_a_guest_has_an_erasure_policy() -> None:
    assert unclassified_relations() == []


@pytest.mark.django_db
def test_export_holds_everything_decrypted_and_is_audited(rich_guest, manager) -> None:
    data = json.loads(json.dumps(guest_export(guest=rich_guest, actor=manager), default=str))
    assert data["profile"]["family_name"] == "张" and data["profile"]["email"] == "zhang.wei@example.cn"
    records = data["records"]
    assert records["guests.IdentityDocument"][0]["number"] == ID_NUMBER  # decrypted for the person
    assert records["guests.Preference"][0]["value"] == "buckwheat pillow"
    assert "anaphylaxis" in records["guests.Alert"][0]["text"]
    assert records["stays.Stay"][0]["room_number"] == "1208"
    assert records["cases.Case"][0]["subject"] == "Noise from room 1210"
    assert records["guests.ConsentRecord"][0]["source"] == "registration card"
    assert AuditEvent.objects.filter(guest=rich_guest, action="export", actor=manager).exists()


@pytest.mark.django_db
def test_erasure_wipes_personal_data_everywhere_and_keeps_anonymous_records(rich_guest, manager) -> None:
    from concierge.cases.models import Case
    from concierge.guests.models import ConsentRecord
    from concierge.stays.models import Stay

    erasure = guest_erase(guest=rich_guest, actor=manager, note="email request 2026-11-20")

    guest = Guest.objects.get(pk=rich_guest.pk)
    assert guest.status == "erased" and guest.erased_at is not None
    for field in ("family_name", "given_name", "family_name_latin", "given_name_latin", "phone", "email"):
        assert getattr(guest, field) == ""
    assert guest.birthday is None
    assert not IdentityDocument.objects.filter(guest=guest).exists()
    assert not Preference.objects.filter(guest=guest).exists() and not Alert.objects.filter(guest=guest).exists()
    assert not SearchKey.objects.filter(guest=guest).exists()
    assert not ContactPoint.objects.filter(guest=guest).exists()
    assert not Guest.history.filter(id=guest.pk).exists()
    assert not IdentityDocument.history.filter(guest_id=guest.pk).exists()
    # Kept, anonymously: the stay and its revenue, the case statistics, the consent history.
    stay = Stay.objects.get(guest=guest)
    assert stay.room_revenue == Decimal("1600")
    case = Case.objects.get(guest=guest)
    assert case.description == "" and "13800138000" not in case.subject
    assert ConsentRecord.objects.filter(guest=guest).count() == 1
    # The timeline keeps its entries but not what they said.
    assert not Activity.objects.filter(guest=guest).exclude(summary="(erased)").exists()
    assert erasure.counts["guests.IdentityDocument.guest"] == 1
    assert AuditEvent.objects.filter(guest=guest, action="erase").exists()
    # No trace of the person's identifiers in any remaining row of these tables.
    dump = json.dumps(guest_export(guest=guest, actor=manager), default=str, ensure_ascii=False)
    for secret in ("张伟", ID_NUMBER, "zhang.wei@example.cn", "13800138000", "anaphylaxis", "buckwheat"):
        assert secret not in dump
    with pytest.raises(ValidationError):
        guest_erase(guest=guest, actor=manager, note="again")


@pytest.mark.django_db
def test_unsuitable_customer_is_kept_only_as_keyed_hashes_that_still_match(guest_a, frontdesk_a, manager,
                                                                          property_a) -> None:
    from concierge.guests.services import guest_create, guest_update

    guest_update(actor=manager, guest=guest_a, status="unsuitable", status_reason="damaged the room twice")
    guest_erase(guest=guest_a, actor=manager, note="request")
    prints = list(UnsuitableFingerprint.objects.all())
    assert {p.kind for p in prints} == {"id_number", "phone", "email", "name_birthday"}
    stored = json.dumps([(p.kind, p.digest, p.reason) for p in prints], ensure_ascii=False)
    for secret in ("张", ID_NUMBER, "zhang.wei", "13800138000"):
        assert secret not in stored
    # The same person comes back under a new profile: staff are warned, with the recorded reason.
    again = guest_create(actor=frontdesk_a, property=property_a, family_name="张", given_name="伟",
                         phone="13800138000")
    matches = unsuitable_matches(guest=again)
    assert matches and matches[0].reason == "damaged the room twice"


@pytest.mark.django_db
def test_merged_profiles_are_erased_with_their_survivor(guest_a, frontdesk_a, manager, property_a) -> None:
    from concierge.dedupe.services.merge import guest_merge
    from concierge.guests.services import guest_create

    twin = guest_create(actor=frontdesk_a, property=property_a, family_name="张", given_name="伟",
                        email="zw@example.com")
    guest_merge(actor=manager, survivor=guest_a, merged=twin)
    guest_erase(guest=guest_a, actor=manager, note="request")
    twin.refresh_from_db()
    assert twin.erased_at is not None and twin.family_name == "" and twin.email == ""
    with pytest.raises(ValidationError):
        guest_erase(guest=twin, actor=manager, note="x")


@pytest.mark.django_db
def test_retention_anonymises_inactive_profiles_and_never_deletes(guest_a, frontdesk_a, property_a, settings,
                                                                 manager) -> None:
    from concierge.guests.services import guest_create

    recent = guest_create(actor=frontdesk_a, property=property_a, family_name="李", given_name="娜")
    Guest.objects.filter(pk=guest_a.pk).update(last_stay_on=dt.date(2019, 5, 1))
    settings.PRIVACY_RETENTION_MONTHS = 60
    assert retention_sweep(as_of=dt.date(2026, 11, 25)) == 1
    guest_a.refresh_from_db()
    recent.refresh_from_db()
    assert guest_a.erased_at is not None and guest_a.family_name == ""
    assert recent.erased_at is None and recent.family_name == "李"
    assert Guest.objects.filter(pk=guest_a.pk).exists()
    assert Erasure.objects.get(guest_id_erased=guest_a.pk).basis == "retention"
    settings.PRIVACY_RETENTION_MONTHS = 0
    assert retention_sweep(as_of=dt.date(2030, 1, 1)) == 0


@pytest.mark.django_db
def test_ui_and_api_allow_managers_only(client, rich_guest, frontdesk_a, manager) -> None:
    export_url = reverse("privacy:guest_export", args=[rich_guest.pk])
    erase_url = reverse("privacy:guest_erase", args=[rich_guest.pk])
    client.force_login(frontdesk_a)
    assert client.get(export_url).status_code == 403
    assert client.post(erase_url, {"confirm": rich_guest.pk, "note": "x"}).status_code == 403
    api = APIClient()
    api.force_authenticate(frontdesk_a)
    assert api.get(f"/api/v1/guests/{rich_guest.pk}/personal-data/").status_code == 403
    assert api.post(f"/api/v1/guests/{rich_guest.pk}/erase/", {"confirm": rich_guest.pk, "note": "x"}).status_code \
        == 403

    client.force_login(manager)
    response = client.get(export_url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["profile"]["family_name"] == "张"
    page = client.post(erase_url, {"confirm": "999", "note": ""})
    assert page.status_code == 200 and Guest.objects.get(pk=rich_guest.pk).erased_at is None
    assert "Type the profile number" in page.content.decode()

    api.force_authenticate(manager)
    body = api.get(f"/api/v1/guests/{rich_guest.pk}/personal-data/").json()
    assert body["records"]["guests.IdentityDocument"][0]["number"] == ID_NUMBER
    wrong = api.post(f"/api/v1/guests/{rich_guest.pk}/erase/", {"confirm": rich_guest.pk + 1000, "note": "x"},
                     format="json")
    assert wrong.status_code == 400
    done = api.post(f"/api/v1/guests/{rich_guest.pk}/erase/", {"confirm": rich_guest.pk, "note": "ticket 42"},
                    format="json")
    assert done.status_code == 200 and done.json()["guest_id"] == rich_guest.pk
    assert Guest.objects.get(pk=rich_guest.pk).erased_at is not None
