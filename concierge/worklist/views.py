"""Task pages: my tasks, new task, task detail (complete, reassign, cancel), calendar feed settings and the feed.

Tasks are fetched through `selectors.tasks_visible(user)` (own tasks; managers: tasks about what they can see).
The feed is read without login by calendar apps: the secret token in the URL is the credential.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.web.helpers import apply_service_errors, paginate, render_page_or_partial
from concierge.worklist import selectors, services
from concierge.worklist.forms import ReassignForm, TaskFilterForm, TaskForm
from concierge.worklist.models import Task, TaskStatus

PAGE_SIZE = 25


def _task_for(request: HttpRequest, pk: int) -> Task:
    """The one place task pages fetch a task: visible to the user, else 404."""
    task = selectors.tasks_visible(request.user).filter(pk=pk).first()
    if task is None:
        raise Http404(_("task"))
    return task


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    form = TaskFilterForm(request.GET or None)
    scope, status = "mine", TaskStatus.OPEN
    if form.is_valid():
        scope = form.cleaned_data["scope"] or "mine"
        status = form.cleaned_data["status"] if "status" in request.GET else TaskStatus.OPEN
    qs = selectors.tasks_visible(request.user)
    if scope == "mine":
        qs = qs.filter(assignee_id=request.user.pk)
    elif scope == "created":
        qs = qs.filter(created_by_id=request.user.pk)
    if status:
        qs = qs.filter(status=status)
    page = paginate(request, qs.order_by("due_on", "id"), per_page=PAGE_SIZE)
    context = {"form": form, "page": page, "today": timezone.localdate(), "status": status}
    return render_page_or_partial(request, "worklist/task_list.html", "worklist/partials/task_table.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest) -> HttpResponse:
    initial = {"company": request.GET.get("company"), "due_on": timezone.localdate()}
    form = TaskForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task, _created = services.task_create(
                title=data["title"], kind=data["kind"], due_on=data["due_on"],
                assignee=data["assignee"] or request.user, company=data["company"], notes=data["notes"],
                source="manual", created_by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Task “%(title)s” created.") % {"title": task.title})
            nxt = request.POST.get("next") or ""
            return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else "worklist:task_list")
    company = form.fields["company"].queryset.filter(pk=request.GET.get("company") or 0).first() \
        if (request.GET.get("company") or "").isdigit() else None
    return render(request, "worklist/task_form.html", {"form": form, "company": company},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_for(request, pk)
    return render(request, "worklist/task_detail.html",
                  {"task": task, "reassign_form": ReassignForm(user=request.user, initial={"assignee": task.assignee})})


@login_required
@require_POST
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    task = services.task_complete(task=_task_for(request, pk), actor=request.user)
    if request.htmx:
        return render(request, "worklist/partials/task_row.html", {"task": task, "today": timezone.localdate()})
    messages.success(request, _("Task done: %(title)s") % {"title": task.title})
    return redirect(request.POST.get("next") or reverse("worklist:task_list"))


@login_required
@require_POST
def task_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    task = services.task_cancel(task=_task_for(request, pk), actor=request.user)
    messages.info(request, _("Task cancelled: %(title)s") % {"title": task.title})
    return redirect("worklist:task_detail", pk=task.pk)


@login_required
@require_POST
def task_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_for(request, pk)
    form = ReassignForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.task_reassign(task=task, assignee=form.cleaned_data["assignee"], actor=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Task given to %(name)s.") % {"name": form.cleaned_data["assignee"]})
            return redirect("worklist:task_detail", pk=task.pk)
    return render(request, "worklist/task_detail.html", {"task": task, "reassign_form": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(user=request.user)
            messages.info(request, _("The calendar link no longer works."))
        else:
            services.calendar_feed_issue(user=request.user)
            messages.success(request, _("New calendar link created; the old one no longer works."))
        return redirect("worklist:calendar_settings")
    feed = selectors.live_feed(request.user)
    url = request.build_absolute_uri(reverse("worklist:calendar_feed", args=[feed.token])) if feed else ""
    return render(request, "worklist/calendar_settings.html", {"feed": feed, "feed_url": url})


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar file for a secret token (no login: calendar apps cannot sign in). Revoked tokens are 404."""
    feed = selectors.feed_for_token(token)
    if feed is None:
        raise Http404(_("calendar"))
    feed.__class__.objects.filter(pk=feed.pk).update(last_read_at=timezone.now())
    body = selectors.calendar_ics(user=feed.user, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="concierge-tasks.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
