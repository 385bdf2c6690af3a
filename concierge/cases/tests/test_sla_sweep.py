"""The scheduled SLA sweep: breaches escalate to the department head once, however often it runs."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from freezegun import freeze_time

from concierge.cases.choices import CaseStatus, EventKind
from concierge.cases.models import Case, CaseEvent
from concierge.cases.services import case_assign, case_respond, case_transition, sla_sweep
from concierge.cases.tasks import sla_sweep as sla_sweep_task
from concierge.cases.tests.factories import make_case, make_head
from concierge.core.models import Activity

pytestmark = pytest.mark.django_db

OPENED = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai


@pytest.fixture
def breached(service_a, property_a, guest_a, head_a):
    """An engineering complaint (urgent: respond in 15 min, resolve in 4 h) nobody touched."""
    make_head(property_a, "engineering", head_a)
    with freeze_time(OPENED):
        return make_case(service_a, property_a, guest=guest_a, priority="urgent", department="engineering")


def test_a_breach_is_escalated_once_even_when_the_sweep_runs_twice(
        breached, head_a, mailoutbox, django_capture_on_commit_callbacks):
    with freeze_time(OPENED + dt.timedelta(minutes=20)), django_capture_on_commit_callbacks(execute=True):
        first = sla_sweep()
    with freeze_time(OPENED + dt.timedelta(minutes=21)), django_capture_on_commit_callbacks(execute=True):
        second = sla_sweep()
    assert (first.response_breaches, first.resolution_breaches, first.escalated) == (1, 0, 1)
    assert (second.response_breaches, second.resolution_breaches, second.escalated) == (0, 0, 0)
    breached.refresh_from_db()
    assert breached.response_breached and not breached.resolution_breached
    assert breached.escalated_to == head_a
    assert CaseEvent.objects.filter(case=breached, kind=EventKind.ESCALATED).count() == 1
    assert Activity.objects.filter(guest=breached.guest, data__event="sla_breach").count() == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["hugo@hotel.example"]
    assert breached.reference in mailoutbox[0].body and "first response overdue" in mailoutbox[0].body


def test_the_resolution_breach_is_escalated_separately_later(breached, service_a, mailoutbox,
                                                             django_capture_on_commit_callbacks):
    with freeze_time(OPENED + dt.timedelta(minutes=5)):
        case_respond(actor=service_a, case=breached, note="On it.")
    with freeze_time(OPENED + dt.timedelta(hours=3, minutes=30)), django_capture_on_commit_callbacks(execute=True):
        soon = sla_sweep()
    with freeze_time(OPENED + dt.timedelta(hours=5)), django_capture_on_commit_callbacks(execute=True):
        late = sla_sweep()
        again = sla_sweep()
    assert soon.due_soon == 1 and soon.response_breaches == 0
    assert late.resolution_breaches == 1 and late.response_breaches == 0
    assert again.resolution_breaches == 0 and again.due_soon == 0
    breached.refresh_from_db()
    assert breached.resolution_breached and not breached.response_breached
    # The owner (Sam, no email address) is reminded in the history; the head gets one escalation digest.
    assert CaseEvent.objects.filter(case=breached, kind=EventKind.DUE_SOON).count() == 1
    assert [m.to for m in mailoutbox] == [["hugo@hotel.example"]]
    assert "resolution overdue" in mailoutbox[0].body


def test_cases_waiting_on_the_guest_do_not_breach_their_resolution(breached, service_a):
    with freeze_time(OPENED + dt.timedelta(minutes=5)):
        case = case_transition(actor=service_a, case=breached, status=CaseStatus.IN_PROGRESS)
        case_transition(actor=service_a, case=case, status=CaseStatus.WAITING)
    with freeze_time(OPENED + dt.timedelta(days=3)):
        result = sla_sweep()
    assert result.resolution_breaches == 0


def test_a_breach_without_a_department_head_is_flagged_and_listed(service_a, property_a, client):
    with freeze_time(OPENED):
        case = make_case(service_a, property_a, priority="urgent", department="fnb")
    with freeze_time(OPENED + dt.timedelta(hours=5)):
        result = sla_sweep()
    assert result.without_head == 2 and result.escalated == 0
    case.refresh_from_db()
    assert case.response_breached and case.resolution_breached and case.escalated_to is None
    client.force_login(service_a)
    page = client.get(reverse("cases:breach_list")).content.decode()
    assert case.reference in page and "no department head" in page


def test_resolved_cases_are_left_alone(breached, service_a):
    from concierge.cases.services import case_resolve
    from concierge.cases.tests.factories import root_cause

    with freeze_time(OPENED + dt.timedelta(minutes=5)):
        case_resolve(actor=service_a, case=breached, resolution="Done.", root_cause=root_cause(),
                     guest_told_via="phone")
    with freeze_time(OPENED + dt.timedelta(days=2)):
        result = sla_sweep()
    assert (result.response_breaches, result.resolution_breaches, result.due_soon) == (0, 0, 0)


def test_the_due_soon_reminder_goes_to_the_owner_once(service_a, property_a, mailoutbox,
                                                     django_capture_on_commit_callbacks):
    service_a.email = "sam@hotel.example"
    service_a.save()
    with freeze_time(OPENED):
        case = make_case(service_a, property_a, priority="urgent", case_type="request")  # resolve in 120 min
        case_assign(actor=service_a, case=case, owner=service_a)
    with freeze_time(OPENED + dt.timedelta(minutes=70)), django_capture_on_commit_callbacks(execute=True):
        assert sla_sweep().due_soon == 1
        assert sla_sweep().due_soon == 0
    reminders = [m for m in mailoutbox if m.to == ["sam@hotel.example"]]
    assert len(reminders) == 1 and case.reference in reminders[0].body


def test_the_celery_task_runs_the_sweep(breached):
    with freeze_time(OPENED + dt.timedelta(minutes=20)):
        assert sla_sweep_task.apply().get() == {
            "response_breaches": 1, "resolution_breaches": 0, "due_soon": 0, "escalated": 1, "without_head": 0}
    assert Case.objects.get(pk=breached.pk).response_escalated_at is not None


def test_the_sweep_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "concierge.cases.tasks.sla_sweep" in tasks


def test_a_backlog_is_taken_in_batches_oldest_first(service_a, property_a):
    with freeze_time(OPENED):
        older = make_case(service_a, property_a, priority="urgent")
    with freeze_time(OPENED + dt.timedelta(minutes=1)):
        newer = make_case(service_a, property_a, priority="urgent")
    with freeze_time(OPENED + dt.timedelta(hours=1)):
        first = sla_sweep(batch=1)
        second = sla_sweep(batch=1)
        third = sla_sweep(batch=1)
    assert (first.response_breaches, second.response_breaches, third.response_breaches) == (1, 1, 0)
    assert Case.objects.get(pk=older.pk).response_escalated_at is not None
    assert Case.objects.filter(pk=newer.pk, response_breached=True).exists()
