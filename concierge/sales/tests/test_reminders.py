"""The nightly visit reminders from the agreed contact frequency."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concierge.guests.services import interaction_log
from concierge.sales.services import contact_reminders_create
from concierge.sales.tasks import contact_reminders
from concierge.sales.tests.conftest import backdate
from concierge.worklist.models import Task

pytestmark = pytest.mark.django_db


def test_running_the_job_twice_creates_one_reminder_for_the_owner(company, rep):
    backdate(company, 45)  # agreed every 30 days, never contacted: due 15 days ago
    first = contact_reminders()
    second = contact_reminders()
    assert (first["created"], second["created"]) == (1, 0)
    task = Task.objects.get(company=company)
    assert task.assignee == rep and task.kind == "visit" and task.source == "contact_policy"
    assert task.due_on == timezone.localdate() - dt.timedelta(days=15)
    assert "Acme Trading" in task.title


def test_a_recent_contact_means_no_reminder(company, rep2):
    backdate(company, 45)
    interaction_log(actor=rep2, kind="call", summary="Checked their spring plans", company=company,
                    occurred_at=timezone.now() - dt.timedelta(days=3))
    assert contact_reminders_create()["created"] == 0
    assert not Task.objects.filter(company=company).exists()


def test_notes_do_not_count_as_contact(company, rep):
    backdate(company, 45)
    interaction_log(actor=rep, kind="note", summary="Internal note", company=company)
    assert contact_reminders_create()["created"] == 1


def test_contacting_the_account_closes_the_open_reminder_and_the_next_one_is_due_later(company, rep):
    backdate(company, 45)
    contact_reminders_create()
    interaction_log(actor=rep, kind="visit", summary="Visited the travel manager", company=company)
    result = contact_reminders_create()
    assert result["closed"] == 1 and result["created"] == 0
    assert Task.objects.get(company=company).status == "done"
    later = contact_reminders_create(today=timezone.localdate() + dt.timedelta(days=31))
    assert later["created"] == 1
    assert Task.objects.filter(company=company, status="open").get().due_on == \
        timezone.localdate() + dt.timedelta(days=30)


def test_lost_accounts_and_accounts_without_frequency_get_no_reminder(make_company, rep):
    lost = make_company("Gone", owner=rep, contact_frequency_days=7, status="lost", status_reason="moved away")
    free = make_company("Free", owner=rep)
    backdate(lost, 60)
    backdate(free, 60)
    assert contact_reminders_create()["created"] == 0


def test_the_job_is_scheduled_nightly():
    from django.conf import settings

    entries = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values()
               if entry["task"] == "concierge.sales.tasks.contact_reminders"]
    assert len(entries) == 1
