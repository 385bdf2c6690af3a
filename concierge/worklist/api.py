"""REST API of tasks (/api/v1/tasks/…): my tasks, create, complete, reassign. Same rules as the pages: a task is
reached through `selectors.tasks_visible(user)` (own tasks; managers: tasks about what they can see), else 404.
Included from concierge/api/urls.py (url names in the "api" namespace)."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from concierge.api.base import ConciergeApi
from concierge.api.fields import StaffUserField, TextChoicesField
from concierge.api.serializers.common import UserRefSerializer
from concierge.guests.models import Company, Guest
from concierge.worklist import selectors, services
from concierge.worklist.models import Task, TaskKind, TaskStatus


class TaskOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = TextChoicesField(TaskKind)
    status = TextChoicesField(TaskStatus)
    due_on = serializers.DateField(allow_null=True)
    assignee = UserRefSerializer(allow_null=True)
    company = serializers.IntegerField(source="company_id", allow_null=True)
    guest = serializers.IntegerField(source="guest_id", allow_null=True)
    notes = serializers.CharField()
    source = serializers.CharField(help_text=_("Module that created it: manual, contact_policy, journey, …"))
    created_at = serializers.DateTimeField()
    done_at = serializers.DateTimeField(allow_null=True)


class TaskCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    kind = TextChoicesField(TaskKind, default=TaskKind.FOLLOW_UP)
    due_on = serializers.DateField(required=False, allow_null=True)
    assignee = StaffUserField(required=False, allow_null=True, help_text=_("Default: yourself."))
    company = serializers.IntegerField(required=False, allow_null=True)
    guest = serializers.IntegerField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class TaskReassignInputSerializer(serializers.Serializer):
    assignee = StaffUserField()


def _task_or_404(user: Any, pk: Any) -> Task:
    task = selectors.tasks_visible(user).filter(pk=pk).first()
    if task is None:
        raise NotFound()
    return task


class TaskListCreateApi(ConciergeApi):
    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Task.objects.none()
        params = self.request.query_params
        status_value = params.get("status", TaskStatus.OPEN)
        if status_value and status_value not in TaskStatus.values:
            raise serializers.ValidationError({"status": [_("Choose open, done or cancelled (or leave it empty).")]})
        qs = selectors.tasks_visible(self.request.user)
        if params.get("scope", "mine") == "mine":
            qs = qs.filter(assignee_id=self.request.user.pk)
        if status_value:
            qs = qs.filter(status=status_value)
        due_before = params.get("due_before")
        if due_before:
            qs = qs.filter(due_on__lte=serializers.DateField().to_internal_value(due_before))
        return qs.order_by("due_on", "id")

    @extend_schema(tags=["tasks"], summary="My tasks (scope=all: every task I may see)",
                   parameters=[OpenApiParameter("scope", OpenApiTypes.STR, enum=["mine", "all"]),
                               OpenApiParameter("status", OpenApiTypes.STR, enum=["open", "done", "cancelled", ""]),
                               OpenApiParameter("due_before", OpenApiTypes.DATE)],
                   responses=TaskOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(self.get_queryset(), TaskOutputSerializer)

    @extend_schema(tags=["tasks"], summary="Create a task", request=TaskCreateInputSerializer,
                   responses={201: TaskOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = TaskCreateInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        company = guest = None
        if data.get("company"):
            company = Company.objects.visible_to(request.user).filter(pk=data["company"]).first()
            if company is None:
                raise serializers.ValidationError({"company": [_("No such company.")]})
        if data.get("guest"):
            guest = Guest.objects.visible_to(request.user).filter(pk=data["guest"]).first()
            if guest is None:
                raise serializers.ValidationError({"guest": [_("No such guest.")]})
        task, _created = services.task_create(
            title=data["title"], kind=data["kind"], due_on=data.get("due_on"),
            assignee=data.get("assignee") or request.user, company=company, guest=guest, notes=data["notes"],
            source="manual", created_by=request.user)
        return Response(TaskOutputSerializer(task).data, status=status.HTTP_201_CREATED)


class TaskDetailApi(ConciergeApi):
    queryset = Task.objects.none()  # for the schema; tasks come from selectors.tasks_visible

    @extend_schema(tags=["tasks"], summary="A task", responses=TaskOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(TaskOutputSerializer(_task_or_404(request.user, pk)).data)


class TaskCompleteApi(ConciergeApi):
    queryset = Task.objects.none()  # for the schema; tasks come from selectors.tasks_visible

    @extend_schema(tags=["tasks"], summary="Mark a task done", request=None, responses=TaskOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        task = services.task_complete(task=_task_or_404(request.user, pk), actor=request.user)
        return Response(TaskOutputSerializer(task).data)


class TaskReassignApi(ConciergeApi):
    queryset = Task.objects.none()  # for the schema; tasks come from selectors.tasks_visible

    @extend_schema(tags=["tasks"], summary="Give an open task to a colleague", request=TaskReassignInputSerializer,
                   responses=TaskOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        task = _task_or_404(request.user, pk)
        serializer = TaskReassignInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        task = services.task_reassign(task=task, assignee=serializer.validated_data["assignee"], actor=request.user)
        return Response(TaskOutputSerializer(task).data)


urlpatterns = [
    path("tasks/", TaskListCreateApi.as_view(), name="task-list"),
    path("tasks/<int:pk>/", TaskDetailApi.as_view(), name="task-detail"),
    path("tasks/<int:pk>/complete/", TaskCompleteApi.as_view(), name="task-complete"),
    path("tasks/<int:pk>/reassign/", TaskReassignApi.as_view(), name="task-reassign"),
]
