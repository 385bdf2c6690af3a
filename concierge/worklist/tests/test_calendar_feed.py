"""The per-user iCalendar feed: a secret URL, readable without login, parsed by the icalendar library, revocable."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from concierge.worklist.models import CalendarFeed
from concierge.worklist.services import calendar_feed_issue, calendar_feed_revoke, task_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(rep, rep2):
    today = timezone.localdate()
    mine, _ = task_create(title="Visit Acme", kind="visit", assignee=rep, due_on=today + dt.timedelta(days=2),
                          notes="Bring the 2027 rates")
    undated, _ = task_create(title="Someday", assignee=rep)
    theirs, _ = task_create(title="Ray's call", assignee=rep2, due_on=today)
    done, _ = task_create(title="Finished", assignee=rep, due_on=today)
    done.status = "done"
    done.save()
    return mine


def test_the_feed_parses_and_contains_my_open_dated_tasks(client, rep, tasks):
    feed = calendar_feed_issue(user=rep)
    response = client.get(reverse("worklist:calendar_feed", args=[feed.token]))  # no login
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    todos = calendar.walk("VTODO")
    events = calendar.walk("VEVENT")
    assert [str(t["SUMMARY"]) for t in todos] == ["Visit Acme"]
    assert todos[0].decoded("DUE") == tasks.due_on
    assert "Bring the 2027 rates" in str(todos[0]["DESCRIPTION"])
    assert [str(e["SUMMARY"]) for e in events] == ["Visit Acme"]
    assert events[0].decoded("DTSTART") == tasks.due_on
    assert events[0].decoded("DTEND") == tasks.due_on + dt.timedelta(days=1)


def test_a_revoked_token_stops_working_and_a_new_one_replaces_it(client, rep, tasks):
    old = calendar_feed_issue(user=rep)
    new = calendar_feed_issue(user=rep)
    assert client.get(reverse("worklist:calendar_feed", args=[old.token])).status_code == 404
    assert client.get(reverse("worklist:calendar_feed", args=[new.token])).status_code == 200
    calendar_feed_revoke(user=rep)
    assert client.get(reverse("worklist:calendar_feed", args=[new.token])).status_code == 404
    assert client.get(reverse("worklist:calendar_feed", args=["not-a-token"])).status_code == 404


def test_the_feed_of_a_deactivated_user_is_dead(client, rep, tasks):
    feed = calendar_feed_issue(user=rep)
    rep.is_active = False
    rep.save()
    assert client.get(reverse("worklist:calendar_feed", args=[feed.token])).status_code == 404


def test_the_settings_page_issues_and_revokes_the_address(client, rep, tasks):
    client.force_login(rep)
    client.post(reverse("worklist:calendar_settings"), {"action": "issue"})
    feed = CalendarFeed.objects.get(user=rep, revoked_at__isnull=True)
    page = client.get(reverse("worklist:calendar_settings")).content.decode()
    assert feed.token in page
    client.post(reverse("worklist:calendar_settings"), {"action": "revoke"})
    assert not CalendarFeed.objects.filter(user=rep, revoked_at__isnull=True).exists()
