"""Nightly tier evaluation: thresholds, the rolling 12-month window, grace before a downgrade, the change log."""
from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time

from concierge.core.models import Activity
from concierge.loyalty.models import Membership, TierChange
from concierge.loyalty.services import evaluate_tiers
from concierge.loyalty.signals import tier_changed

from .conftest import earn

pytestmark = pytest.mark.django_db


def _tier(member) -> str:
    return Membership.objects.select_related("tier").get(pk=member.pk).tier.code


def test_reaching_the_points_threshold_exactly_upgrades(member, tiers):
    earn(member, tiers["silver"].min_points - 1, on=dt.date(2026, 5, 1))
    evaluate_tiers(as_of=dt.date(2026, 5, 2))
    assert _tier(member) == "member"
    earn(member, 1, on=dt.date(2026, 5, 2))
    result = evaluate_tiers(as_of=dt.date(2026, 5, 2))
    assert result.upgrades == 1 and _tier(member) == "silver"


def test_nights_alone_qualify(member, tiers):
    earn(member, 10, on=dt.date(2026, 5, 1), nights=tiers["gold"].min_nights)
    evaluate_tiers(as_of=dt.date(2026, 5, 1))
    assert _tier(member) == "gold"  # straight past silver


def test_the_window_is_the_rolling_twelve_months(member, tiers):
    earn(member, tiers["silver"].min_points, on=dt.date(2025, 6, 15))
    evaluate_tiers(as_of=dt.date(2026, 6, 15))  # exactly 12 months later: outside the window
    assert _tier(member) == "member"
    evaluate_tiers(as_of=dt.date(2026, 6, 14))  # the day before: inside
    assert _tier(member) == "silver"


def test_the_job_defaults_to_today_in_the_hotel_time_zone(member, tiers):
    earn(member, tiers["silver"].min_points, on=dt.date(2025, 6, 15))
    with freeze_time("2026-06-14 16:30:00"):  # 00:30 on 15 June in Shanghai: the points have left the window
        evaluate_tiers()
    assert _tier(member) == "member"
    with freeze_time("2026-06-14 15:30:00"):  # 23:30 on 14 June in Shanghai
        evaluate_tiers()
    assert _tier(member) == "silver"


def test_a_downgrade_waits_for_the_grace_period(member, tiers, programme):
    assert programme.grace_months == 3
    earn(member, tiers["gold"].min_points, on=dt.date(2025, 3, 1))
    evaluate_tiers(as_of=dt.date(2025, 3, 1))
    assert _tier(member) == "gold"
    # 2026-03-01: the points left the window; grace starts, the tier stays
    result = evaluate_tiers(as_of=dt.date(2026, 3, 1))
    member.refresh_from_db()
    assert result.grace_started == 1 and result.downgrades == 0
    assert _tier(member) == "gold" and member.grace_until == dt.date(2026, 6, 1)
    evaluate_tiers(as_of=dt.date(2026, 5, 31))
    assert _tier(member) == "gold"
    result = evaluate_tiers(as_of=dt.date(2026, 6, 1))
    member.refresh_from_db()
    assert result.downgrades == 1 and _tier(member) == "member" and member.grace_until is None


def test_requalifying_during_grace_cancels_the_downgrade(member, tiers):
    earn(member, tiers["silver"].min_points, on=dt.date(2025, 3, 1))
    evaluate_tiers(as_of=dt.date(2025, 3, 1))
    evaluate_tiers(as_of=dt.date(2026, 3, 1))
    earn(member, tiers["silver"].min_points, on=dt.date(2026, 4, 1))
    result = evaluate_tiers(as_of=dt.date(2026, 4, 1))
    member.refresh_from_db()
    assert result.grace_cleared == 1 and member.grace_until is None
    evaluate_tiers(as_of=dt.date(2026, 7, 1))
    assert _tier(member) == "silver"


def test_each_change_is_logged_synced_and_signalled(member, tiers, guest_a, django_capture_on_commit_callbacks):
    received = []

    def listener(**kwargs):
        received.append(kwargs)

    tier_changed.connect(listener)
    try:
        earn(member, tiers["platinum"].min_points, on=dt.date(2026, 1, 1))
        with django_capture_on_commit_callbacks(execute=True):
            evaluate_tiers(as_of=dt.date(2026, 1, 2))
    finally:
        tier_changed.disconnect(listener)
    change = TierChange.objects.get()
    assert (change.kind, change.from_tier.code, change.to_tier.code) == ("upgrade", "member", "platinum")
    assert change.qualifying_points == tiers["platinum"].min_points
    guest_a.refresh_from_db()
    assert guest_a.tier == "白金卡"
    entry = Activity.objects.filter(guest=guest_a, data__membership_id=member.pk).latest("id")
    assert entry.display_summary == "Loyalty tier upgraded: Member → Platinum"
    assert received[0]["membership_id"] == member.pk and received[0]["kind"] == "upgrade"
    assert received[0]["to_tier_id"] == tiers["platinum"].pk


def test_a_second_run_changes_nothing(member, tiers):
    earn(member, tiers["gold"].min_points, on=dt.date(2026, 1, 1))
    evaluate_tiers(as_of=dt.date(2026, 1, 2))
    result = evaluate_tiers(as_of=dt.date(2026, 1, 2))
    assert (result.upgrades, result.downgrades, result.grace_started) == (0, 0, 0)
    assert TierChange.objects.count() == 1


def test_a_cancelled_stay_leaves_the_window_with_its_earning(member, tiers, checked_out_stay, guest_a, frontdesk_a,
                                                             django_capture_on_commit_callbacks):
    from concierge.stays.services import stay_update

    stay = checked_out_stay(guest_a, arrival=dt.date(2026, 1, 1), nights=tiers["silver"].min_nights, room="0")
    evaluate_tiers(as_of=dt.date(2026, 2, 1))
    assert _tier(member) == "silver"
    with django_capture_on_commit_callbacks(execute=True):
        stay_update(actor=frontdesk_a, stay=stay, status="cancelled")
    evaluate_tiers(as_of=dt.date(2026, 2, 2))
    member.refresh_from_db()
    assert member.grace_until == dt.date(2026, 5, 2)
