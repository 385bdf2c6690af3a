"""Earning from checked-out stays: rates per revenue type and per night, bonus rules, reversal, idempotence."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from concierge.loyalty.models import BonusRule, Membership, PointTransaction
from concierge.loyalty.selectors import membership_balance
from concierge.loyalty.services import stay_points_sync, stays_reconcile
from concierge.stays.models import Stay
from concierge.stays.services import stay_update

pytestmark = pytest.mark.django_db


def _earns(stay):
    return PointTransaction.objects.filter(stay=stay, kind="earn").order_by("stay_revision")


def test_checked_out_stay_earns_per_revenue_type_and_per_night(member, checked_out_stay, guest_a):
    # 1000 room × 1 + 200 F&B × 1 + 101 other × 0.5 (floored) + 2 nights × 100
    stay = checked_out_stay(guest_a, room="1000", fnb="200", other="101", nights=2)
    row = _earns(stay).get()
    assert row.points == 1000 + 200 + 50 + 200
    assert row.qualifying_points == row.points and row.nights == 2
    assert row.occurred_on == stay.departure
    assert row.expires_on == dt.date(2028, 3, 3)
    assert membership_balance(member) == 1450


def test_a_reserved_stay_earns_nothing(member, checked_out_stay, guest_a):
    stay = checked_out_stay(guest_a, status="reserved")
    assert not _earns(stay).exists()


def test_checking_out_through_stay_update_earns(member, checked_out_stay, guest_a, frontdesk_a,
                                                 django_capture_on_commit_callbacks):
    stay = checked_out_stay(guest_a, status="in_house", room="500", nights=1)
    assert not _earns(stay).exists()
    with django_capture_on_commit_callbacks(execute=True):
        stay_update(actor=frontdesk_a, stay=stay, status="checked_out")
    assert _earns(stay).get().points == 600


def test_earning_is_idempotent(member, checked_out_stay, guest_a):
    stay = checked_out_stay(guest_a)
    assert stay_points_sync(stay_id=stay.pk) == "unchanged"
    assert stay_points_sync(stay_id=stay.pk) == "unchanged"
    assert _earns(stay).count() == 1
    assert stays_reconcile() == {}


def test_cancelling_a_checked_out_stay_reverses_the_points(member, checked_out_stay, guest_a, frontdesk_a,
                                                            django_capture_on_commit_callbacks):
    stay = checked_out_stay(guest_a, room="1000", nights=1)
    with django_capture_on_commit_callbacks(execute=True):
        stay_update(actor=frontdesk_a, stay=stay, status="cancelled")
    reversal = PointTransaction.objects.get(kind="reverse")
    assert reversal.reverses == _earns(stay).get()
    assert reversal.points == -1100 and reversal.nights == -1 and reversal.occurred_on == stay.departure
    assert membership_balance(member) == 0


def test_correcting_revenue_reverses_and_earns_again(member, checked_out_stay, guest_a, frontdesk_a,
                                                      django_capture_on_commit_callbacks):
    stay = checked_out_stay(guest_a, room="1000", nights=1)
    with django_capture_on_commit_callbacks(execute=True):
        stay_update(actor=frontdesk_a, stay=stay, room_revenue=Decimal("1500"), adr=Decimal("0"))
    first, second = _earns(stay)
    assert (first.stay_revision, second.stay_revision) == (1, 2)
    assert first.reversal.points == -1100
    assert second.points == 1600
    assert membership_balance(member) == 1600


def test_the_first_stay_bonus_applies_to_the_earliest_stay_only(member, checked_out_stay, guest_a, programme):
    BonusRule.objects.create(programme=programme, kind="first_stay", name_zh="首住", name_en="First stay",
                             fixed_points=1000)
    first = checked_out_stay(guest_a, arrival=dt.date(2026, 1, 5), room="100", nights=1)
    second = checked_out_stay(guest_a, arrival=dt.date(2026, 2, 5), room="100", nights=1)
    assert _earns(first).get().points == 200 + 1000
    assert _earns(first).get().qualifying_points == 200  # bonus points do not count toward tiers
    assert _earns(second).get().points == 200


def test_the_birthday_month_multiplies_points(member, checked_out_stay, guest_a, programme):
    BonusRule.objects.create(programme=programme, kind="birthday_month", name_zh="生日", name_en="Birthday",
                             multiplier=Decimal("2"))
    # guest_a was born on 31 December
    december = checked_out_stay(guest_a, arrival=dt.date(2025, 12, 30), room="100", nights=3)
    march = checked_out_stay(guest_a, arrival=dt.date(2026, 3, 1), room="100", nights=1)
    assert _earns(december).get().points == (100 + 300) * 2
    assert _earns(march).get().points == 200


def test_a_campaign_multiplies_points_in_its_window_and_property(member, checked_out_stay, guest_a, programme,
                                                                 property_a, property_b):
    BonusRule.objects.create(programme=programme, kind="campaign", name_zh="春季", name_en="Spring x3",
                             multiplier=Decimal("3"), starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 31),
                             property=property_a)
    inside = checked_out_stay(guest_a, arrival=dt.date(2026, 3, 10), room="100", nights=1)
    outside = checked_out_stay(guest_a, arrival=dt.date(2026, 4, 10), room="100", nights=1)
    elsewhere = checked_out_stay(guest_a, arrival=dt.date(2026, 3, 10), room="100", nights=1, prop=property_b)
    assert _earns(inside).get().points == 600
    assert _earns(outside).get().points == 200
    assert _earns(elsewhere).get().points == 200


def test_a_checked_out_guest_is_enrolled_automatically(programme, checked_out_stay, guest_a):
    stay = checked_out_stay(guest_a, room="100", nights=1)
    membership = Membership.objects.get(guest=guest_a)
    assert membership.tier.code == "member"
    assert _earns(stay).get().membership == membership
    guest_a.refresh_from_db()
    assert guest_a.tier == "会员"


def test_reconciliation_catches_stays_written_without_signals(member, checked_out_stay, guest_a):
    stay = checked_out_stay(guest_a, status="in_house", room="100", nights=1)
    Stay.objects.filter(pk=stay.pk).update(status="checked_out")  # a bulk import: no signal
    assert stays_reconcile() == {"earned": 1}
    Stay.objects.filter(pk=stay.pk).update(status="cancelled")
    assert stays_reconcile() == {"reversed": 1}
    assert membership_balance(member) == 0
