"""REST API of the Journeys module (/api/v1/journeys/…): list, detail with steps, and the runs of a journey with
their events (paginated). Included from concierge/api/urls.py (url names in the "api" namespace).

The role check is the web pages' (`journeys.permissions.can_manage_journeys`); rows are property-scoped.
"""
from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from concierge.api.base import ConciergeApi
from concierge.journeys import triggers
from concierge.journeys.choices import RunState
from concierge.journeys.models import Journey, JourneyRun, JourneyRunEvent
from concierge.journeys.permissions import can_manage_journeys

TAGS = ["journeys"]


class StepOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = serializers.CharField()
    params = serializers.JSONField()


class JourneyOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    trigger_kind = serializers.CharField()
    trigger_params = serializers.JSONField()
    trigger_description = serializers.SerializerMethodField()
    segment_id = serializers.IntegerField(allow_null=True)
    condition = serializers.JSONField()
    property_id = serializers.IntegerField(allow_null=True, help_text=_("Empty: the whole group."))
    enabled = serializers.BooleanField()
    version = serializers.IntegerField()
    active_runs = serializers.IntegerField()
    completed_runs = serializers.IntegerField()
    last_evaluated_at = serializers.DateTimeField(allow_null=True)

    def get_trigger_description(self, journey: Journey) -> str:
        return triggers.describe(journey)


class JourneyDetailOutputSerializer(JourneyOutputSerializer):
    steps = StepOutputSerializer(many=True, source="ordered_steps")


class EventOutputSerializer(serializers.Serializer):
    step_id = serializers.IntegerField(allow_null=True)
    step_kind = serializers.CharField()
    outcome = serializers.CharField()
    message_id = serializers.IntegerField(allow_null=True)
    task_id = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()
    detail = serializers.JSONField()
    created_at = serializers.DateTimeField()


class RunOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    guest_id = serializers.IntegerField(allow_null=True)
    company_id = serializers.IntegerField(allow_null=True)
    stay_id = serializers.IntegerField(allow_null=True)
    property_id = serializers.IntegerField(allow_null=True)
    occurrence_key = serializers.CharField()
    state = serializers.CharField()
    position = serializers.IntegerField(help_text=_("Index of the next step."))
    next_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    enrolled_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    events = EventOutputSerializer(many=True)


def _require(user: Any) -> None:
    if not can_manage_journeys(user):
        raise PermissionDenied(_("Your role cannot use journeys."))


def _journeys(user: Any) -> QuerySet:
    _require(user)
    return Journey.objects.visible_to(user).annotate(
        active_runs=Count("runs", filter=Q(runs__state__in=[RunState.ACTIVE, RunState.WAITING])),
        completed_runs=Count("runs", filter=Q(runs__state=RunState.COMPLETED)),
    ).order_by("name", "id")


def _journey_or_404(user: Any, pk: Any) -> Journey:
    journey = _journeys(user).filter(pk=pk).first()
    if journey is None:
        raise NotFound()
    return journey


class JourneyListApi(ConciergeApi):
    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Journey.objects.none()
        return _journeys(self.request.user)

    @extend_schema(tags=TAGS, summary="List journeys", responses=JourneyOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(self.get_queryset(), JourneyOutputSerializer)


class JourneyDetailApi(ConciergeApi):
    @extend_schema(tags=TAGS, summary="A journey with its steps", responses=JourneyDetailOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        journey = _journey_or_404(request.user, pk)
        journey.ordered_steps = list(journey.steps.order_by("position", "id"))  # type: ignore[attr-defined]
        return Response(JourneyDetailOutputSerializer(journey).data)


class JourneyRunsApi(ConciergeApi):
    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return JourneyRun.objects.none()
        journey = _journey_or_404(self.request.user, self.kwargs["pk"])
        runs = (JourneyRun.objects.visible_to(self.request.user).filter(journey=journey)
                .prefetch_related(Prefetch("events", queryset=JourneyRunEvent.objects.order_by("created_at", "id")))
                .order_by("-enrolled_at", "-id"))
        state = self.request.query_params.get("state")
        if state:
            runs = runs.filter(state=state)
        guest = self.request.query_params.get("guest")
        if guest and guest.isdecimal():
            runs = runs.filter(guest_id=int(guest))
        return runs

    @extend_schema(tags=TAGS, summary="Runs of a journey (who was enrolled, and what each step did), paginated",
                   parameters=[OpenApiParameter("state", str, enum=RunState.values),
                               OpenApiParameter("guest", int, description="Only this guest's runs.")],
                   responses=RunOutputSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        return self.paginated(self.get_queryset(), RunOutputSerializer)


urlpatterns = [
    path("journeys/", JourneyListApi.as_view(), name="journey-list"),
    path("journeys/<int:pk>/", JourneyDetailApi.as_view(), name="journey-detail"),
    path("journeys/<int:pk>/runs/", JourneyRunsApi.as_view(), name="journey-runs"),
]
