"""SLA due times in business hours, per property and in its own time zone (frozen time)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from freezegun import freeze_time

from concierge.cases.choices import CaseStatus
from concierge.cases.models import BusinessHours, SlaPolicy
from concierge.cases.services import case_resolve, case_respond, case_transition
from concierge.cases.sla import BusinessCalendar, sla_policy_for
from concierge.cases.tests.factories import make_case, root_cause

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE_HOURS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def local(zone: ZoneInfo, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zone)


@pytest.fixture
def new_york(property_b):
    """Property B moved to New York with office hours Monday to Friday 09:00–17:00."""
    property_b.timezone = "America/New_York"
    property_b.save()
    BusinessHours.objects.create(property=property_b, weekly=OFFICE_HOURS)
    return property_b


def test_the_default_hours_carry_the_clock_over_to_the_next_morning(property_a):
    calendar = BusinessCalendar.for_property(property_a)  # 08:00–22:00 every day
    opened = local(SHANGHAI, 2026, 3, 2, 21, 30)
    assert calendar.add_minutes(opened, 60) == local(SHANGHAI, 2026, 3, 3, 8, 30)
    assert calendar.add_minutes(local(SHANGHAI, 2026, 3, 2, 3, 0), 0) == local(SHANGHAI, 2026, 3, 2, 8, 0)
    assert calendar.minutes_between(opened, local(SHANGHAI, 2026, 3, 3, 8, 30)) == 60


def test_office_hours_skip_the_weekend_and_holidays(new_york):
    calendar = BusinessCalendar.for_property(new_york)
    friday_4pm = local(NEW_YORK, 2026, 3, 13, 16, 0)
    assert calendar.add_minutes(friday_4pm, 120) == local(NEW_YORK, 2026, 3, 16, 10, 0)
    BusinessHours.objects.filter(property=new_york).update(holidays=["2026-03-16"])
    calendar = BusinessCalendar.for_property(new_york)
    assert calendar.add_minutes(friday_4pm, 120) == local(NEW_YORK, 2026, 3, 17, 10, 0)


def test_the_clock_follows_the_property_zone_across_daylight_saving(new_york):
    # 2026-03-08 02:00: New York moves from EST (UTC-5) to EDT (UTC-4) over the weekend.
    calendar = BusinessCalendar.for_property(new_york)
    friday = local(NEW_YORK, 2026, 3, 6, 16, 0)
    due = calendar.add_minutes(friday, 120)
    assert due == local(NEW_YORK, 2026, 3, 9, 10, 0)
    assert due.astimezone(dt.UTC) == dt.datetime(2026, 3, 9, 14, 0, tzinfo=dt.UTC)
    assert friday.astimezone(dt.UTC) == dt.datetime(2026, 3, 6, 21, 0, tzinfo=dt.UTC)


def test_a_midnight_close_and_split_shifts_are_supported(property_a):
    BusinessHours.objects.create(property=property_a, weekly={
        "mon": [["08:00", "12:00"], ["14:00", "24:00"]], "tue": [["00:00", "24:00"]]})
    calendar = BusinessCalendar.for_property(property_a)
    assert calendar.add_minutes(local(SHANGHAI, 2026, 3, 2, 11, 0), 120) == local(SHANGHAI, 2026, 3, 2, 15, 0)
    assert calendar.add_minutes(local(SHANGHAI, 2026, 3, 2, 23, 0), 120) == local(SHANGHAI, 2026, 3, 3, 1, 0)


def test_business_hours_are_validated(property_a):
    hours = BusinessHours(property=property_a, weekly={"mon": [["18:00", "09:00"]]})
    with pytest.raises(ValidationError):
        hours.full_clean()
    with pytest.raises(ValidationError):
        BusinessHours(property=property_a, weekly={"funday": [["09:00", "17:00"]]}).full_clean()
    with pytest.raises(ValidationError):
        BusinessHours(property=property_a, weekly={}).full_clean()


def test_a_property_policy_overrides_the_group_default(property_a, property_b):
    SlaPolicy.objects.create(property=property_a, case_type="complaint", priority="normal",
                             first_response_minutes=10, resolution_minutes=120)
    assert sla_policy_for(property_=property_a, case_type="complaint", priority="normal").first_response_minutes == 10
    assert sla_policy_for(property_=property_b, case_type="complaint", priority="normal").first_response_minutes == 60


def test_due_times_of_a_case_opened_late_in_shanghai(service_a, property_a):
    with freeze_time(local(SHANGHAI, 2026, 3, 2, 21, 30)):
        case = make_case(service_a, property_a, priority="normal")  # complaint: 60 min / 1,440 min
    assert case.first_response_due_at == local(SHANGHAI, 2026, 3, 3, 8, 30)
    # 1,440 business minutes = 24 h: 30 min on Monday, 14 h on Tuesday, the last 9 h 30 min on Wednesday.
    assert case.resolution_due_at == local(SHANGHAI, 2026, 3, 4, 17, 30)


def test_due_times_of_a_case_in_new_york_use_new_york_hours(manager, new_york):
    with freeze_time(local(NEW_YORK, 2026, 3, 6, 16, 30)):
        case = make_case(manager, new_york, priority="high")  # complaint high: 30 min / 480 min
    assert case.first_response_due_at == local(NEW_YORK, 2026, 3, 6, 17, 0)
    assert case.resolution_due_at == local(NEW_YORK, 2026, 3, 9, 16, 30)


def test_response_and_resolution_are_measured_in_business_minutes_and_late_ones_breach(service_a, property_a):
    with freeze_time(local(SHANGHAI, 2026, 3, 2, 21, 30)):
        case = make_case(service_a, property_a, priority="urgent", case_type="inquiry")  # 15 / 60 min
    with freeze_time(local(SHANGHAI, 2026, 3, 3, 8, 10)):
        case = case_respond(actor=service_a, case=case, note="Called back.")
    assert case.first_response_minutes == 40
    assert case.response_breached is True
    with freeze_time(local(SHANGHAI, 2026, 3, 3, 8, 20)):
        case = case_resolve(actor=service_a, case=case, resolution="Answered.")
    assert case.resolution_minutes == 50 and case.resolution_breached is False


def test_waiting_on_the_guest_pauses_the_resolution_clock(service_a, property_a, guest_a):
    with freeze_time(local(SHANGHAI, 2026, 3, 2, 10, 0)):
        case = make_case(service_a, property_a, guest=guest_a, priority="urgent")  # complaint urgent: 15 / 240
        case = case_transition(actor=service_a, case=case, status=CaseStatus.IN_PROGRESS)
        due = case.resolution_due_at
    with freeze_time(local(SHANGHAI, 2026, 3, 2, 11, 0)):
        case = case_transition(actor=service_a, case=case, status=CaseStatus.WAITING)
    with freeze_time(local(SHANGHAI, 2026, 3, 2, 13, 0)):
        case = case_transition(actor=service_a, case=case, status=CaseStatus.IN_PROGRESS)
    assert case.paused_minutes == 120
    assert case.resolution_due_at == due + dt.timedelta(hours=2)
    with freeze_time(local(SHANGHAI, 2026, 3, 2, 14, 0)):
        case = case_resolve(actor=service_a, case=case, resolution="Fixed.", root_cause=root_cause(),
                            guest_told_via="phone")
    assert case.resolution_minutes == 120  # 4 h open, 2 h of it waiting on the guest
    assert case.resolution_breached is False


def test_the_reference_data_comes_back_after_a_flush(capsys):
    from django.core.management import call_command

    SlaPolicy.objects.all().delete()
    call_command("service_reference_data")
    assert SlaPolicy.objects.filter(property__isnull=True).count() == 20
    assert "20 SLA policies" in capsys.readouterr().out
