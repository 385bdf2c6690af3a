"""The case workflow: legal moves, illegal ones refused with a clear error, history and timeline entries."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from freezegun import freeze_time

from concierge.cases.choices import CaseStatus, EventKind
from concierge.cases.services import (
    case_assign,
    case_reopen,
    case_resolve,
    case_respond,
    case_transition,
    case_update,
)
from concierge.cases.tests.factories import make_case, root_cause
from concierge.core.models import Activity

pytestmark = pytest.mark.django_db


def _error_codes(exc: ValidationError) -> set[str]:
    return {error.code for errors in exc.error_dict.values() for error in errors}


def test_a_new_case_is_new_with_due_times_and_lands_on_the_guest_timeline(service_a, property_a, guest_a):
    case = make_case(service_a, property_a, guest=guest_a)
    assert case.status == CaseStatus.NEW
    assert case.first_response_due_at > case.created_at
    assert case.resolution_due_at > case.first_response_due_at
    assert case.sla_policy.first_response_minutes == 60
    entry = Activity.objects.get(guest=guest_a, data__case_id=case.pk)
    assert case.reference in entry.summary and entry.property_id == property_a.pk
    assert [e.kind for e in case.events.all()] == [EventKind.CREATED]


def test_the_whole_happy_path_is_allowed(service_a, property_a, guest_a):
    case = make_case(service_a, property_a, guest=guest_a)
    case = case_assign(actor=service_a, case=case, owner=service_a)
    assert case.status == CaseStatus.ASSIGNED
    case = case_transition(actor=service_a, case=case, status=CaseStatus.IN_PROGRESS)
    assert case.first_responded_at is not None
    case = case_transition(actor=service_a, case=case, status=CaseStatus.WAITING)
    case = case_transition(actor=service_a, case=case, status=CaseStatus.IN_PROGRESS)
    case = case_resolve(actor=service_a, case=case, resolution="Replaced the fan motor.", root_cause=root_cause(),
                        guest_told_via="phone")
    assert case.status == CaseStatus.RESOLVED and case.resolved_at is not None
    case = case_transition(actor=service_a, case=case, status=CaseStatus.CLOSED)
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    kinds = list(case.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds[:4] == [EventKind.CREATED, EventKind.ASSIGNED, EventKind.STATUS, EventKind.STATUS]
    assert EventKind.RESOLVED in kinds
    # Every change is on the guest's timeline.
    events = set(Activity.objects.filter(guest=guest_a, data__case_id=case.pk).values_list("data__event", flat=True))
    assert {"created", "assigned", "status", "resolved", "loop_guest"} <= events


@pytest.mark.parametrize("path, target", [
    ([], CaseStatus.CLOSED),
    ([], CaseStatus.WAITING),
    ([CaseStatus.IN_PROGRESS], CaseStatus.ASSIGNED),
    ([CaseStatus.IN_PROGRESS], CaseStatus.NEW),
    ([CaseStatus.IN_PROGRESS, CaseStatus.WAITING], CaseStatus.CLOSED),
])
def test_illegal_transitions_are_refused_with_a_clear_error(service_a, property_a, path, target):
    case = make_case(service_a, property_a)
    for status in path:
        case = case_transition(actor=service_a, case=case, status=status)
    before = case.status
    with pytest.raises(ValidationError) as caught:
        case_transition(actor=service_a, case=case, status=target)
    assert _error_codes(caught.value) == {"illegal_transition"}
    message = " ".join(caught.value.messages)
    assert str(CaseStatus(before).label) in message and str(CaseStatus(target).label) in message
    assert "Allowed next" in message
    case.refresh_from_db()
    assert case.status == before


def test_a_resolved_case_cannot_be_set_back_to_in_progress_without_reopening(service_a, property_a):
    case = make_case(service_a, property_a, case_type="inquiry")
    case = case_resolve(actor=service_a, case=case, resolution="Answered on the phone.")
    with pytest.raises(ValidationError) as caught:
        case_transition(actor=service_a, case=case, status=CaseStatus.IN_PROGRESS)
    assert _error_codes(caught.value) == {"use_reopen"}
    with pytest.raises(ValidationError) as caught:
        case_resolve(actor=service_a, case=case, resolution="again")
    assert _error_codes(caught.value) == {"illegal_transition"}


def test_resolving_needs_the_resolve_action_and_for_complaints_a_root_cause(service_a, property_a, guest_a):
    case = make_case(service_a, property_a, guest=guest_a)
    with pytest.raises(ValidationError) as caught:
        case_transition(actor=service_a, case=case, status=CaseStatus.RESOLVED)
    assert _error_codes(caught.value) == {"resolve_needs_resolution"}
    with pytest.raises(ValidationError) as caught:
        case_resolve(actor=service_a, case=case, resolution="", root_cause=None)
    assert set(caught.value.message_dict) == {"resolution", "root_cause"}


def test_assigned_needs_an_owner_and_owners_must_work_at_the_property(service_a, property_a, frontdesk_b):
    case = make_case(service_a, property_a)
    with pytest.raises(ValidationError) as caught:
        case_transition(actor=service_a, case=case, status=CaseStatus.ASSIGNED)
    assert _error_codes(caught.value) == {"owner_required"}
    with pytest.raises(ValidationError) as caught:
        case_assign(actor=service_a, case=case, owner=frontdesk_b)
    assert _error_codes(caught.value) == {"wrong_property"}


def test_a_response_starts_the_work_and_takes_ownership(service_a, property_a, guest_a):
    case = make_case(service_a, property_a, guest=guest_a)
    case = case_respond(actor=service_a, case=case, note="Called back, engineer on the way.", channel="phone")
    assert case.status == CaseStatus.IN_PROGRESS and case.owner == service_a
    assert case.first_response_minutes is not None
    assert Activity.objects.filter(guest=guest_a, kind="call", data__event="response").exists()


def test_reopening_needs_a_reason_counts_and_restarts_the_resolution_clock(service_a, property_a):
    with freeze_time("2026-03-02 02:00:00"):  # 10:00 in Shanghai
        case = make_case(service_a, property_a, case_type="request")
        case = case_resolve(actor=service_a, case=case, resolution="Extra pillows delivered.")
    with freeze_time("2026-03-03 02:00:00"):
        with pytest.raises(ValidationError):
            case_reopen(actor=service_a, case=case, reason=" ")
        case = case_reopen(actor=service_a, case=case, reason="Guest says they never arrived.")
    assert case.status == CaseStatus.IN_PROGRESS and case.reopen_count == 1
    assert case.resolved_at is None
    assert case.resolution_due_at == dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC) + dt.timedelta(hours=12)


def test_a_new_priority_recomputes_the_due_times(service_a, property_a):
    with freeze_time("2026-03-02 02:00:00"):
        case = make_case(service_a, property_a, priority="normal")
        normal_due = case.first_response_due_at
        case = case_update(actor=service_a, case=case, priority="urgent")
    assert case.first_response_due_at == dt.datetime(2026, 3, 2, 2, 15, tzinfo=dt.UTC)
    assert case.first_response_due_at < normal_due


def test_a_case_can_be_anonymised_and_keeps_its_numbers(service_a, property_a, guest_a):
    case = make_case(service_a, property_a, guest=guest_a, description="张伟 in 1203 says the neighbours shout.")
    case = case_resolve(actor=service_a, case=case, resolution="Called 张伟 back.", root_cause=root_cause(),
                        guest_told_via="phone")
    case.anonymize()
    case.refresh_from_db()
    assert (case.description, case.resolution) == ("", "")
    assert case.resolution_minutes is not None and case.status == CaseStatus.RESOLVED
    assert not case.events.exclude(note="").exists()
