import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from concierge.core.models import Activity
from concierge.guests.models import Guest, IdentityDocument, SearchKey
from concierge.guests.selectors import guest_card, last_contact
from concierge.guests.services import (
    StaleVersionError,
    alert_add,
    consent_set,
    guest_create,
    guest_update,
    interaction_log,
    preference_add,
)
from concierge.stays.services import stay_create


def test_create_normalises_phone_and_fills_birthday_from_id(frontdesk_a, property_a):
    guest = guest_create(actor=frontdesk_a, property=property_a, full_name="李娜", phone="138-0000-9999",
                         id_documents=[{"doc_type": "cn_id", "number": "11010519491231002x"}])
    assert guest.phone == "+8613800009999"
    assert (guest.family_name, guest.given_name) == ("李", "娜")
    assert guest.birthday == dt.date(1949, 12, 31)
    assert guest.gender == "F"
    assert SearchKey.objects.filter(guest=guest, kind="phone", key="13800009999").exists()


def test_bad_id_number_creates_nothing(frontdesk_a, property_a):
    with pytest.raises(ValidationError) as exc:
        guest_create(actor=frontdesk_a, property=property_a, full_name="李娜",
                     id_documents=[{"doc_type": "cn_id", "number": "110105194912310021"}])
    assert "id_number" in exc.value.message_dict
    assert not Guest.objects.exists() and not IdentityDocument.objects.exists()


def test_bad_phone_names_the_field(frontdesk_a, property_a):
    with pytest.raises(ValidationError) as exc:
        guest_create(actor=frontdesk_a, property=property_a, full_name="李娜", phone="not a phone")
    assert "phone" in exc.value.message_dict


def test_a_guest_needs_a_name(frontdesk_a, property_a):
    with pytest.raises(ValidationError) as exc:
        guest_create(actor=frontdesk_a, property=property_a, phone="13800009999")
    assert "family_name" in exc.value.message_dict


def test_unsuitable_requires_a_reason_and_is_kept(guest_a, frontdesk_a):
    with pytest.raises(ValidationError):
        guest_update(actor=frontdesk_a, guest=guest_a, status="unsuitable")
    guest = guest_update(actor=frontdesk_a, guest=guest_a, status="unsuitable", status_reason="Damaged room twice")
    assert guest.is_unsuitable
    assert Guest.objects.filter(pk=guest_a.pk).exists()


def test_stale_version_is_refused(guest_a, frontdesk_a, manager):
    guest_update(actor=manager, guest=guest_a, expected_version=1, email="new@example.cn")
    with pytest.raises(StaleVersionError):
        guest_update(actor=frontdesk_a, guest=guest_a, expected_version=1, email="other@example.cn")
    assert Guest.objects.get(pk=guest_a.pk).email == "new@example.cn"


def test_rename_rebuilds_search_keys(guest_a, frontdesk_a):
    guest_update(actor=frontdesk_a, guest=guest_a, family_name="王", family_name_latin="WANG")
    assert SearchKey.objects.filter(guest=guest_a, kind="name", key="wangwei").exists()
    assert not SearchKey.objects.filter(guest=guest_a, kind="name", key="zhangwei").exists()


def test_card_shows_critical_alert_first_and_last_stay(guest_a, frontdesk_a, property_a):
    alert_add(actor=frontdesk_a, guest=guest_a, text="VIP: greet by name", severity="info", category="vip")
    alert_add(actor=frontdesk_a, guest=guest_a, text="Peanut allergy", severity="critical", category="allergy")
    preference_add(actor=frontdesk_a, guest=guest_a, category="laundry", value="Wash with soap, not detergent")
    stay_create(actor=frontdesk_a, guest=guest_a, property=property_a, arrival=dt.date(2025, 5, 1),
                departure=dt.date(2025, 5, 3), room_number="1808", room_revenue="1600", fnb_revenue="300",
                status="checked_out")
    card = guest_card(guest=guest_a, user=frontdesk_a)
    assert card.alerts[0].text == "Peanut allergy"
    assert card.preferences[0].value == "Wash with soap, not detergent"
    assert card.last_stay.room_number == "1808"
    assert (card.totals.stays, card.totals.room_nights, str(card.totals.adr)) == (1, 2, "800.00")
    assert str(card.totals.total_revenue) == "1900.00"


def test_preference_is_not_duplicated(guest_a, frontdesk_a):
    preference_add(actor=frontdesk_a, guest=guest_a, category="floor", value="High floor")
    preference_add(actor=frontdesk_a, guest=guest_a, category="floor", value="High floor")
    assert guest_a.preferences.filter(is_active=True).count() == 1


def test_last_contacted_says_who_and_when(guest_a, frontdesk_a):
    assert last_contact(guest=guest_a) is None
    interaction_log(actor=frontdesk_a, kind="call", guest=guest_a, summary="Confirmed airport pick-up")
    contact = last_contact(guest=guest_a)
    assert contact.actor_name == "Alice" and contact.days_ago == 0


def test_consent_history_is_kept(guest_a, frontdesk_a):
    consent_set(actor=frontdesk_a, guest=guest_a, channel="email", granted=True, source="check-in form")
    consent_set(actor=frontdesk_a, guest=guest_a, channel="email", granted=False, source="unsubscribe")
    card = guest_card(guest=guest_a, user=frontdesk_a)
    assert card.consents["email"] is False and card.consents["sms"] is None
    assert guest_a.consents.count() == 2


def test_every_change_lands_on_the_timeline(guest_a, frontdesk_a):
    preference_add(actor=frontdesk_a, guest=guest_a, category="view", value="Sea view")
    kinds = list(Activity.objects.filter(guest=guest_a).values_list("kind", flat=True))
    assert "profile" in kinds and "preference" in kinds


def test_history_records_changes(guest_a, frontdesk_a):
    guest_update(actor=frontdesk_a, guest=guest_a, email="changed@example.cn")
    assert guest_a.history.count() >= 2


def test_company_rank_within_property(frontdesk_a, property_a):
    from concierge.guests.selectors import company_property_ranks
    from concierge.guests.services import company_create

    big = company_create(actor=frontdesk_a, properties=[property_a], name_en="Big Co")
    small = company_create(actor=frontdesk_a, properties=[property_a], name_en="Small Co")
    today = dt.date.today()
    for company, revenue in ((big, "9000"), (small, "1000")):
        stay_create(actor=frontdesk_a, guest=None, company=company, property=property_a, status="checked_out",
                    arrival=today - dt.timedelta(days=20), departure=today - dt.timedelta(days=18),
                    room_revenue=revenue)
    assert company_property_ranks(company=big, user=frontdesk_a)[0]["rank"] == 1
    small_rank = company_property_ranks(company=small, user=frontdesk_a)[0]
    assert (small_rank["rank"], small_rank["companies"], small_rank["property_code"]) == (2, 2, "SHA")
