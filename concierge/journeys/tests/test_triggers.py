"""Each trigger enrols the right guests, once per occurrence, and never merged, unsuitable or erased profiles."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from freezegun import freeze_time

from concierge.journeys.models import JourneyRun
from concierge.journeys.services import journey_enrol, journeys_evaluate
from concierge.journeys.tests.conftest import guest, journey, stay
from concierge.journeys import triggers

pytestmark = pytest.mark.django_db

NOW = "2026-06-15 09:00:00+08:00"


def keys(j):
    return sorted(JourneyRun.objects.filter(journey=j).values_list("occurrence_key", flat=True))


def guests_of(j):
    return set(JourneyRun.objects.filter(journey=j).values_list("guest_id", flat=True))


@freeze_time(NOW)
def test_birthday_in_n_days_enrols_guests_born_on_that_day_with_the_year_in_the_key(frontdesk_a, property_a):
    today = guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15))
    in_three = guest(frontdesk_a, property_a, birthday=dt.date(1990, 6, 18))
    guest(frontdesk_a, property_a, birthday=dt.date(1990, 7, 18))
    j0 = journey("birthday", {"days": 0})
    j3 = journey("birthday", {"days": 3})

    assert journey_enrol(journey=j0).created == 1
    assert journey_enrol(journey=j3).created == 1

    assert keys(j0) == [f"birthday:2026:{today.pk}"]
    assert guests_of(j3) == {in_three.pk}


@freeze_time("2027-02-28 09:00:00+08:00")
def test_a_29_february_birthday_is_celebrated_on_the_28th_in_a_common_year(frontdesk_a, property_a):
    leap = guest(frontdesk_a, property_a, birthday=dt.date(1988, 2, 29))
    j = journey("birthday", {"days": 0})

    journey_enrol(journey=j)

    assert guests_of(j) == {leap.pk}


def test_enrolling_twice_creates_each_run_once(frontdesk_a, property_a):
    with freeze_time(NOW):
        g = guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15))
        j = journey("birthday", {"days": 0})
        first = journey_enrol(journey=j)
        second = journey_enrol(journey=j)
    assert (first.created, second.created) == (1, 0)
    with freeze_time("2027-06-15 09:00:00+08:00"):  # next year's birthday is a new occurrence
        assert journey_enrol(journey=j).created == 1
    assert keys(j) == [f"birthday:2026:{g.pk}", f"birthday:2027:{g.pk}"]


@freeze_time(NOW)
def test_merged_unsuitable_and_erased_guests_are_never_enrolled(frontdesk_a, property_a):
    ok = guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15))
    unsuitable = guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15))
    erased = guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15))
    merged = guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15))
    type(ok).objects.filter(pk=unsuitable.pk).update(status="unsuitable")
    type(ok).objects.filter(pk=erased.pk).update(status="erased")
    type(ok).objects.filter(pk=merged.pk).update(merged_into=ok)
    j = journey("birthday", {"days": 0})

    journey_enrol(journey=j)

    assert guests_of(j) == {ok.pk}


@freeze_time(NOW)
def test_checkout_plus_hours_enrols_stays_whose_checkout_time_has_passed(frontdesk_a, property_a):
    g1, g2, g3 = (guest(frontdesk_a, property_a) for _ in range(3))
    yesterday = stay(g1, property_a, arrival=dt.date(2026, 6, 12), nights=2)  # departed 14 June
    today = stay(g2, property_a, arrival=dt.date(2026, 6, 13), nights=2)  # departs 15 June 12:00 + 2 h: not yet
    stay(g3, property_a, arrival=dt.date(2026, 5, 1), nights=2)  # long ago: outside the window
    stay(g3, property_a, arrival=dt.date(2026, 6, 12), nights=2, status="cancelled")
    j = journey("checkout", {"hours": 2, "window_days": 2})

    journey_enrol(journey=j)

    assert keys(j) == [f"stay:{yesterday.pk}"]
    with freeze_time("2026-06-15 14:30:00+08:00"):
        journey_enrol(journey=j)
    assert keys(j) == sorted([f"stay:{yesterday.pk}", f"stay:{today.pk}"])


@freeze_time(NOW)
def test_pre_arrival_enrols_reserved_stays_arriving_within_n_days(frontdesk_a, property_a):
    g1, g2, g3 = (guest(frontdesk_a, property_a) for _ in range(3))
    soon = stay(g1, property_a, arrival=dt.date(2026, 6, 18), status="reserved")
    stay(g2, property_a, arrival=dt.date(2026, 6, 25), status="reserved")  # too far ahead
    stay(g3, property_a, arrival=dt.date(2026, 6, 17), status="cancelled")
    j = journey("pre_arrival", {"days": 3})

    journey_enrol(journey=j)

    assert keys(j) == [f"arrival:{soon.pk}"]
    assert JourneyRun.objects.get(journey=j).stay_id == soon.pk


@freeze_time(NOW)
def test_no_stay_for_n_months_enrols_guests_who_just_crossed_the_threshold(frontdesk_a, property_a):
    lapsed, recent, older = (guest(frontdesk_a, property_a) for _ in range(3))
    Guest = type(lapsed)
    Guest.objects.filter(pk=lapsed.pk).update(last_stay_on=dt.date(2024, 6, 12))
    Guest.objects.filter(pk=recent.pk).update(last_stay_on=dt.date(2025, 6, 12))
    Guest.objects.filter(pk=older.pk).update(last_stay_on=dt.date(2023, 1, 1))  # lapsed long before the window
    j = journey("no_stay", {"months": 24, "window_days": 7})

    journey_enrol(journey=j)

    assert keys(j) == [f"lapsed:{lapsed.pk}:2024-06-12"]


@freeze_time(NOW)
def test_first_stay_enrols_only_a_guests_first_checked_out_stay(frontdesk_a, property_a):
    newcomer, regular = guest(frontdesk_a, property_a), guest(frontdesk_a, property_a)
    first = stay(newcomer, property_a, arrival=dt.date(2026, 6, 12), nights=2)
    stay(regular, property_a, arrival=dt.date(2025, 1, 10))
    stay(regular, property_a, arrival=dt.date(2026, 6, 12), nights=2)
    j = journey("first_stay", {"window_days": 3})

    journey_enrol(journey=j)

    assert keys(j) == [f"first:{first.pk}"]


@freeze_time(NOW)
def test_tier_change_enrols_upgrades_and_can_leave_out_downgrades(frontdesk_a, property_a, hotel_group):
    from concierge.loyalty.demo import programme_seed
    from concierge.loyalty.models import TierChange
    from concierge.loyalty.services import membership_enrol

    programme = programme_seed(group=hotel_group)
    tiers = list(programme.tiers.order_by("order"))
    up, down = guest(frontdesk_a, property_a), guest(frontdesk_a, property_a)
    m_up = membership_enrol(actor=frontdesk_a, guest=up, programme=programme)
    m_down = membership_enrol(actor=frontdesk_a, guest=down, programme=programme)
    upgrade = TierChange.objects.create(membership=m_up, kind="upgrade", from_tier=tiers[0], to_tier=tiers[1],
                                        effective_on=dt.date(2026, 6, 15))
    TierChange.objects.create(membership=m_down, kind="downgrade", from_tier=tiers[1], to_tier=tiers[0],
                              effective_on=dt.date(2026, 6, 15))
    upgrades = journey("tier_change", {"direction": "upgrade", "window_days": 2})
    any_change = journey("tier_change", {"direction": "", "window_days": 2})

    journey_enrol(journey=upgrades)
    journey_enrol(journey=any_change)

    assert keys(upgrades) == [f"tier:{upgrade.pk}"]
    assert guests_of(any_change) == {up.pk, down.pk}


@freeze_time(NOW)
def test_complaint_resolved_enrols_resolved_complaints_once_per_case(frontdesk_a, property_a):
    from concierge.cases.models import Case

    g, other = guest(frontdesk_a, property_a), guest(frontdesk_a, property_a)
    resolved = Case.objects.create(property=property_a, guest=g, case_type="complaint", status="resolved",
                                   subject="Cold pastry", resolved_at=timezone.now())
    Case.objects.create(property=property_a, guest=other, case_type="complaint", status="in_progress",
                        subject="Noise")
    Case.objects.create(property=property_a, guest=other, case_type="inquiry", status="resolved",
                        subject="Parking", resolved_at=timezone.now())
    j = journey("complaint_resolved", {"window_days": 2})

    journey_enrol(journey=j)
    journey_enrol(journey=j)

    assert keys(j) == [f"case:{resolved.pk}"]


def test_contract_trigger_reports_not_available_until_contracts_exist(db):
    trigger = triggers.get("contract_expiring")
    j = journey("contract_expiring", {"days": 30})
    if triggers._contract_model() is None:
        assert trigger.unavailable()
        assert journey_enrol(journey=j).error == trigger.unavailable()
    else:
        assert trigger.unavailable() == ""
        assert journey_enrol(journey=j).error == ""


@freeze_time(NOW)
def test_a_property_journey_enrols_only_guests_of_that_property(frontdesk_a, frontdesk_b, property_a, property_b):
    at_a = guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15))
    guest(frontdesk_b, property_b, birthday=dt.date(1980, 6, 15))
    j = journey("birthday", {"days": 0}, property=property_a)

    journey_enrol(journey=j)

    assert guests_of(j) == {at_a.pk}


@freeze_time(NOW)
def test_the_condition_limits_enrolment_by_saved_segment_or_inline_definition(frontdesk_a, property_a):
    from concierge.segments.models import Segment

    vip = guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15), email="vip@example.cn")
    guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15))
    type(vip).objects.filter(pk=vip.pk).update(tier="gold")
    definition = {"op": "and", "items": [{"field": "tier", "operator": "in", "value": ["gold"]}]}
    inline = journey("birthday", {"days": 0}, condition=definition)
    saved = journey("birthday", {"days": 0}, segment=Segment.objects.create(name="Gold", definition=definition))

    journeys_evaluate()

    assert guests_of(inline) == {vip.pk}
    assert guests_of(saved) == {vip.pk}


def test_trigger_params_are_checked_with_the_field_named():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        triggers.get("checkout").clean_params({"hours": "soon", "window_days": 0})
    assert set(exc.value.message_dict) == {"hours", "window_days"}
    assert triggers.get("no_stay").clean_params({}) == {"months": 24, "window_days": 7}
