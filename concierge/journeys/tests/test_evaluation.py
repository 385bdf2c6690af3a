"""Evaluation: steps act once per run (twice-run and concurrent jobs included), waits, suppression, email, tasks."""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from freezegun import freeze_time

from concierge.journeys.models import JourneyRun, JourneyRunEvent
from concierge.journeys.services import journeys_evaluate
from concierge.journeys.tests.conftest import SEND, guest, journey, stay
from concierge.messaging.models import Message
from concierge.messaging.services import send_queued

NOW = "2026-06-15 10:00:00+08:00"


@pytest.fixture
def inbox(settings: Any) -> Iterator[Any]:
    from concierge.surveys.tests.smtp import smtp_server

    with smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.CONCIERGE_BASE_URL = "https://crm.example.cn"
        yield server


@pytest.mark.django_db
@freeze_time(NOW)
def test_a_birthday_greeting_reaches_a_real_smtp_server_once_with_a_chinese_subject(
        inbox, frontdesk_a, property_a, email_template, no_quiet_hours):
    g = guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15), email="wang.fang@example.cn")
    j = journey("birthday", {"days": 0}, steps=[SEND])

    journeys_evaluate()
    journeys_evaluate()  # the job runs again: nothing new
    send_queued()
    send_queued()

    assert inbox.count() == 1
    mail = inbox.messages[0]
    assert mail["Subject"].strip() == "王芳，生日快乐！"
    assert "尊敬的王芳：祝您生日快乐！" in mail.get_body(preferencelist=("plain",)).get_content()
    run = JourneyRun.objects.get(journey=j)
    assert run.state == "completed"
    event = JourneyRunEvent.objects.get(run=run)
    assert event.message.idempotency_key == f"journey-run:{run.pk}:step:{event.step_id}"
    assert event.message.status == "sent"
    assert event.message.source == "journey" and event.message.guest_id == g.pk


@pytest.mark.django_db
@freeze_time(NOW)
def test_a_suppressed_guest_gets_no_message_and_the_reason_is_recorded(frontdesk_a, property_a, email_template,
                                                                      no_quiet_hours):
    from concierge.messaging.tests.factories import grant

    g = guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15))
    grant(g, "email", granted=False, source="unsubscribe link")
    journey("birthday", {"days": 0}, steps=[SEND])

    journeys_evaluate()
    send_queued()

    message = Message.objects.get(guest=g)
    assert (message.status, message.reason) == ("suppressed", "unsubscribed")


@pytest.mark.django_db
def test_a_guest_who_became_unsuitable_leaves_the_run_before_the_next_step(frontdesk_a, property_a, email_template):
    with freeze_time(NOW):
        g = guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15))
        j = journey("birthday", {"days": 0}, steps=[("wait", {"days": 1, "hours": 0}), SEND])
        journeys_evaluate()
    type(g).objects.filter(pk=g.pk).update(status="unsuitable")
    with freeze_time("2026-06-16 11:00:00+08:00"):
        journeys_evaluate()
    run = JourneyRun.objects.get(journey=j)
    assert run.state == "exited"
    assert "unsuitable" in run.reason
    assert not Message.objects.filter(guest=g).exists()


@pytest.mark.django_db
def test_a_wait_step_holds_the_run_until_its_time(frontdesk_a, property_a, email_template):
    with freeze_time(NOW):
        g = guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15))
        j = journey("birthday", {"days": 0}, steps=[("wait", {"days": 2, "hours": 3}), SEND])
        journeys_evaluate()
        run = JourneyRun.objects.get(journey=j)
        assert (run.state, run.position) == ("waiting", 1)
        assert run.next_at.isoformat() == "2026-06-17T05:00:00+00:00"
        assert not Message.objects.filter(guest=g).exists()
    with freeze_time("2026-06-17 12:59:00+08:00"):
        journeys_evaluate()
        assert not Message.objects.filter(guest=g).exists()
    with freeze_time("2026-06-17 13:00:00+08:00"):
        journeys_evaluate()
        journeys_evaluate()
    run.refresh_from_db()
    assert run.state == "completed"
    assert Message.objects.filter(guest=g).count() == 1
    assert list(run.events.values_list("step_kind", "outcome")) == [("wait", "waiting"), ("send_message", "done")]


@pytest.mark.django_db
@freeze_time(NOW)
def test_a_disabled_journey_neither_enrols_nor_advances(frontdesk_a, property_a, email_template):
    guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15))
    j = journey("birthday", {"days": 0}, steps=[SEND], enabled=False)

    journeys_evaluate()

    assert not JourneyRun.objects.filter(journey=j).exists()


@pytest.mark.django_db
@freeze_time(NOW)
def test_win_back_creates_one_task_for_the_guests_owner_else_the_fallback(frontdesk_a, property_a, email_template,
                                                                         manager):
    from concierge.worklist.models import Task

    owned, unowned = guest(frontdesk_a, property_a), guest(frontdesk_a, property_a)
    Guest = type(owned)
    Guest.objects.filter(pk=owned.pk).update(owner=frontdesk_a, last_stay_on=dt.date(2024, 6, 12))
    Guest.objects.filter(pk=unowned.pk).update(last_stay_on=dt.date(2024, 6, 13))
    journey("no_stay", {"months": 24, "window_days": 7}, fallback_owner=manager,
            steps=[SEND, ("create_task", {"title": "Call the guest", "due_days": 7})])

    journeys_evaluate()
    journeys_evaluate()

    tasks = {t.guest_id: t for t in Task.objects.filter(source="journey")}
    assert len(tasks) == 2
    assert tasks[owned.pk].assignee == frontdesk_a
    assert tasks[unowned.pk].assignee == manager
    assert tasks[owned.pk].due_on == dt.date(2026, 6, 22)
    run = JourneyRun.objects.get(guest=owned)
    assert tasks[owned.pk].dedupe_key.startswith(f"journey-run:{run.pk}:step:")


@pytest.mark.django_db
@freeze_time(NOW)
def test_points_are_awarded_once_to_members_and_skipped_with_a_reason_for_others(frontdesk_a, property_a,
                                                                                hotel_group, email_template):
    from concierge.loyalty.demo import programme_seed
    from concierge.loyalty.selectors import membership_balance
    from concierge.loyalty.services import membership_enrol

    programme = programme_seed(group=hotel_group)
    member, outsider = (guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15)) for _ in range(2))
    membership = membership_enrol(actor=frontdesk_a, guest=member, programme=programme)
    start = membership_balance(membership)
    journey("birthday", {"days": 0}, steps=[("award_points", {"points": 300, "reason": "Birthday gift"}),
                                            ("add_tag", {"tag": "birthday 2026"})])

    journeys_evaluate()
    # Even if a run were processed again (crash, manual reset), the event row guards the points.
    JourneyRun.objects.update(state="active", position=0, next_at=dt.datetime(2026, 6, 15, tzinfo=dt.UTC))
    journeys_evaluate()

    assert membership_balance(membership) == start + 300
    skipped = JourneyRunEvent.objects.get(run__guest=outsider, step_kind="award_points")
    assert (skipped.outcome, skipped.reason) == ("skipped", "The guest is not a loyalty member.")
    assert list(member.tags.values_list("name", flat=True)) == ["birthday 2026"]


@pytest.mark.django_db
@freeze_time(NOW)
def test_the_post_stay_message_carries_a_survey_link_for_the_stay(frontdesk_a, property_a, email_template):
    from concierge.surveys.models import Invitation, Survey

    survey = Survey.objects.create(name="Post-stay", kind="post_stay", status="active", title_zh="调查",
                                   title_en="Survey")
    g = guest(frontdesk_a, property_a)
    s = stay(g, property_a, arrival=dt.date(2026, 6, 12), nights=2)
    journey("checkout", {"hours": 2, "window_days": 2},
            steps=[("send_message", {"template_code": "greeting", "channel": "email", "survey_id": survey.pk})])

    journeys_evaluate()

    invitation = Invitation.objects.get(survey=survey, stay=s)
    assert invitation.status == "sent"  # the journey's message carries it; the survey dispatcher must not mail it
    message = Message.objects.get(guest=g)
    from concierge.surveys.services.inviting import invitation_link

    assert invitation_link(invitation) in message.body


@pytest.mark.django_db
@freeze_time(NOW)
def test_the_management_command_prints_json(frontdesk_a, property_a, email_template, capsys):
    guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15))
    j = journey("birthday", {"days": 0}, steps=[SEND])

    call_command("evaluate_journeys", "--json")

    import json

    out = json.loads(capsys.readouterr().out)
    assert out["journeys"] == [{"journey_id": j.pk, "created": 1, "candidates": 1, "seconds": out["journeys"][0][
        "seconds"], "error": ""}]
    assert out["advance"]["completed"] == 1


@pytest.mark.django_db
def test_seed_journeys_is_idempotent_and_enables_the_four_demo_journeys(db):
    from concierge.journeys.models import Journey

    call_command("seed_journeys")
    call_command("seed_journeys")

    assert Journey.objects.count() == 6
    assert set(Journey.objects.filter(enabled=True).values_list("builtin_code", flat=True)) == {
        "birthday", "post-stay", "pre-arrival", "win-back"}


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_evaluations_enrol_and_send_once(frontdesk_a, property_a, email_template):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL (SQLite serialises writers)")
    with freeze_time(NOW):
        guests = [guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15)) for _ in range(30)]
        j = journey("birthday", {"days": 0}, steps=[SEND, ("create_task", {"title": "Call", "due_days": 1})])
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        from django.db import connections

        try:
            barrier.wait()
            journeys_evaluate()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    # One freeze_time around both threads (it patches module globals, so the threads see it): freezegun is not
    # thread-safe when each thread starts and stops its own freeze.
    threads = [threading.Thread(target=worker) for _ in range(2)]
    with freeze_time(NOW):
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    assert errors == []
    assert JourneyRun.objects.filter(journey=j).count() == 30
    assert Message.objects.filter(source="journey").count() == 30
    assert set(Message.objects.values_list("guest_id", flat=True)) == {g.pk for g in guests}
    from concierge.worklist.models import Task

    assert Task.objects.filter(source="journey").count() == 30
    assert JourneyRunEvent.objects.filter(outcome="done").count() == 60
    assert set(JourneyRun.objects.values_list("state", flat=True)) == {"completed"}


@pytest.mark.django_db
@freeze_time(NOW)
def test_a_batch_links_a_message_queued_before_a_crash_instead_of_queueing_a_second(frontdesk_a, property_a,
                                                                                   email_template, no_quiet_hours):
    from concierge.journeys.services import journey_enrol, runs_advance
    from concierge.messaging.services import send_message

    first = guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15), email="a@example.cn")
    second = guest(frontdesk_a, property_a, birthday=dt.date(1981, 6, 15), email="b@example.cn")
    j = journey("birthday", {"days": 0}, steps=[SEND])
    journey_enrol(journey=j)
    run = JourneyRun.objects.get(journey=j, guest=first)
    step = j.steps.get()
    # A previous pass queued this run's message, then died before recording the step.
    earlier = send_message(guest=first, template_code=step.params["template_code"], channel="email",
                           idempotency_key=f"journey-run:{run.pk}:step:{step.pk}", source="journey",
                           source_id=j.pk, defer=True)

    result = runs_advance(batch_size=50)

    assert result.processed == 2 and result.actions == 2
    assert Message.objects.filter(guest=first).count() == 1
    events = {e.run.guest_id: e for e in JourneyRunEvent.objects.select_related("run", "message")}
    assert events[first.pk].message_id == earlier.pk
    assert events[second.pk].message.idempotency_key == (
        f"journey-run:{events[second.pk].run_id}:step:{step.pk}")
    assert events[second.pk].detail == {"status": "queued", "channel": "email"}
    assert events[second.pk].message.subject  # rendered like send_message renders it
