"""Tasks through the pages and the API: mine, create, complete, reassign; others' tasks are 404 to reps."""
from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from concierge.worklist.models import Task
from concierge.worklist.services import task_create

pytestmark = pytest.mark.django_db


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_lists_my_open_tasks(rep, rep2):
    task_create(title="Mine", assignee=rep, due_on=timezone.localdate())
    task_create(title="Ray's", assignee=rep2)
    body = _api(rep).get("/api/v1/tasks/").json()
    assert [t["title"] for t in body["results"]] == ["Mine"]


def test_the_api_creates_completes_and_reassigns(rep, rep2):
    api = _api(rep)
    created = api.post("/api/v1/tasks/", {"title": "Send proposal", "kind": "email", "due_on": "2030-01-05"},
                       format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["assignee"]["id"] == rep.pk
    moved = api.post(f"/api/v1/tasks/{pk}/reassign/", {"assignee": rep2.pk}, format="json")
    assert moved.status_code == 200 and moved.json()["assignee"]["id"] == rep2.pk
    done = api.post(f"/api/v1/tasks/{pk}/complete/")  # still visible to its creator
    assert done.status_code == 200 and done.json()["status"] == "done"


def test_a_rep_cannot_touch_a_colleagues_task_in_page_or_api(client, rep, rep2):
    task, _ = task_create(title="Ray's", assignee=rep2)
    assert _api(rep).post(f"/api/v1/tasks/{task.pk}/complete/").status_code == 404
    client.force_login(rep)
    assert client.post(reverse("worklist:task_complete", args=[task.pk])).status_code == 404
    assert Task.objects.get(pk=task.pk).status == "open"


def test_a_sales_manager_may_complete_a_reps_task(client, rep, sales_manager):
    task, _ = task_create(title="Rita's", assignee=rep)
    client.force_login(sales_manager)
    assert client.post(reverse("worklist:task_complete", args=[task.pk])).status_code == 302
    assert Task.objects.get(pk=task.pk).status == "done"


def test_the_pages_create_list_and_reassign(client, rep, rep2):
    client.force_login(rep)
    response = client.post(reverse("worklist:task_create"), {"title": "Call Acme", "kind": "call",
                                                             "due_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    task = Task.objects.get(title="Call Acme")
    assert task.assignee == rep and task.created_by == rep
    assert "Call Acme" in client.get(reverse("worklist:task_list")).content.decode()
    client.post(reverse("worklist:task_reassign", args=[task.pk]), {"assignee": rep2.pk})
    task.refresh_from_db()
    assert task.assignee == rep2 and "Reassigned" in task.notes


def test_an_empty_title_is_an_error_naming_the_field(client, rep):
    client.force_login(rep)
    response = client.post(reverse("worklist:task_create"), {"title": "", "kind": "call"})
    assert response.status_code == 400 and "title" in response.context["form"].errors
