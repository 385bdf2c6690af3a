"""Reads for tasks: a user's list, who may see/act on a task, and the iCalendar feed."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from concierge.worklist.models import CalendarFeed, Task, TaskStatus


def _is_manager(user: Any) -> bool:
    from concierge.sales.permissions import is_sales_manager

    return is_sales_manager(user)


def tasks_visible(user: Any) -> QuerySet:
    """Tasks a user may open: their own (assigned or created), and for managers every task within their properties
    whose subject (company or guest) they can see."""
    from concierge.guests.models import Company, Guest

    base = Task.objects.select_related("assignee", "company", "guest")
    own = Q(assignee_id=user.pk) | Q(created_by_id=user.pk)
    if not _is_manager(user):
        return base.filter(own)
    subject = (Q(company__isnull=True, guest__isnull=True) | Q(company__in=Company.objects.visible_to(user))
               | Q(guest__in=Guest.objects.visible_to(user)))
    return base.visible_to(user).filter(own | subject)


def tasks_mine(user: Any, *, status: str | None = TaskStatus.OPEN) -> QuerySet:
    qs = Task.objects.filter(assignee_id=user.pk).select_related("company", "guest")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("due_on", "id")


def tasks_due(user: Any, *, today: dt.date | None = None) -> dict[str, list[Task]]:
    today = today or timezone.localdate()
    open_tasks = tasks_mine(user).filter(due_on__lte=today)
    return {"overdue": list(open_tasks.filter(due_on__lt=today)), "today": list(open_tasks.filter(due_on=today))}


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed with this token whose user may still sign in, else None."""
    if not token:
        return None
    return (CalendarFeed.objects.select_related("user")
            .filter(token=token, revoked_at__isnull=True, user__is_active=True).first())


def live_feed(user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def calendar_ics(*, user: Any, base_url: str = "") -> bytes:
    """The user's open tasks with a due date as an iCalendar file: a VTODO (with DUE) and an all-day VEVENT each,
    so calendar apps that ignore to-dos still show them."""
    from icalendar import Calendar, Event, Todo

    cal = Calendar()
    cal.add("prodid", "-//Concierge CRM//Tasks//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Concierge – {user}")
    now = timezone.now()
    for task in tasks_mine(user).filter(due_on__isnull=False)[:2000]:
        about = task.company or task.guest
        description = "\n".join(p for p in (str(about) if about else "", task.notes) if p)
        todo = Todo()
        todo.add("uid", f"task-{task.pk}@concierge")
        todo.add("dtstamp", now)
        todo.add("summary", task.title)
        todo.add("due", task.due_on)
        todo.add("status", "NEEDS-ACTION")
        if description:
            todo.add("description", description)
        if base_url:
            todo.add("url", f"{base_url}/tasks/{task.pk}/")
        cal.add_component(todo)
        event = Event()
        event.add("uid", f"task-{task.pk}-day@concierge")
        event.add("dtstamp", now)
        event.add("summary", task.title)
        event.add("dtstart", task.due_on)
        event.add("dtend", task.due_on + dt.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        if description:
            event.add("description", description)
        cal.add_component(event)
    return cal.to_ical()
