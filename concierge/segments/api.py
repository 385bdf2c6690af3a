"""REST API for segments (/api/v1/segments/…): list, create, read, update (409 on a stale version), delete,
count a definition, and the members of a saved segment (paginated).

Included from concierge/api/urls.py, so the url names live in the "api" namespace (api:segment-list, ...).
The role checks are the web pages' (`segments.permissions`).
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from concierge.api.base import ConciergeApi
from concierge.api.errors import ErrorResponse409Serializer
from concierge.api.fields import JsonInputField
from concierge.api.serializers.common import UserRefSerializer
from concierge.segments import selectors, services
from concierge.segments.conditions import describe_definition
from concierge.segments.models import Segment
from concierge.segments.permissions import can_manage_segments, can_view_segments

TAGS = ["segments"]
DEFINITION_HELP = _('A tree: {"op": "and"|"or", "items": [{"field": …, "operator": …, "value": …} | <group>]}. '
                    "See docs/segments.md for the fields.")


class SegmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    definition = serializers.JSONField()
    description_of_definition = serializers.SerializerMethodField()
    shared = serializers.BooleanField()
    created_by = UserRefSerializer(allow_null=True)
    last_count = serializers.IntegerField(allow_null=True, help_text=_("Members when last counted."))
    counted_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_description_of_definition(self, segment: Segment) -> str:
        return describe_definition(segment.definition)


class SegmentCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    definition = JsonInputField(help_text=DEFINITION_HELP)
    shared = serializers.BooleanField(required=False, default=True)


class SegmentUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    definition = JsonInputField(required=False, help_text=DEFINITION_HELP)
    shared = serializers.BooleanField(required=False)
    version = serializers.IntegerField(required=False, help_text=_("The version you read; 409 if it changed since."))


class SegmentCountInputSerializer(serializers.Serializer):
    definition = JsonInputField(help_text=DEFINITION_HELP)


class SegmentCountOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class SegmentMemberOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    province = serializers.CharField()
    country = serializers.CharField()
    tier = serializers.CharField()
    status = serializers.CharField()
    last_stay_on = serializers.DateField(allow_null=True)


def _require_view(user: Any) -> None:
    if not can_view_segments(user):
        raise PermissionDenied(_("Your role cannot use segments."))


def _require_manage(user: Any) -> None:
    if not can_manage_segments(user):
        raise PermissionDenied(_("Your role cannot change segments."))


def _segment_or_404(user: Any, pk: Any) -> Segment:
    _require_view(user)
    segment = selectors.segments_for(user).filter(pk=pk).first()
    if segment is None:
        raise NotFound()
    return segment


class SegmentListApi(ConciergeApi):
    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Segment.objects.none()
        _require_view(self.request.user)
        return selectors.segments_for(self.request.user).order_by("name", "id")

    @extend_schema(tags=TAGS, summary="List segments", responses=SegmentOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(self.get_queryset(), SegmentOutputSerializer)

    @extend_schema(tags=TAGS, summary="Create a segment", request=SegmentCreateInputSerializer,
                   responses={201: SegmentOutputSerializer})
    def post(self, request: Request) -> Response:
        _require_manage(request.user)
        serializer = SegmentCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        segment = services.segment_create(actor=request.user, **serializer.validated_data)
        return Response(SegmentOutputSerializer(segment).data, status=status.HTTP_201_CREATED)


class SegmentDetailApi(ConciergeApi):
    @extend_schema(tags=TAGS, summary="A segment", responses=SegmentOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(SegmentOutputSerializer(_segment_or_404(request.user, pk)).data)

    def _update(self, request: Request, pk: int) -> Response:
        segment = _segment_or_404(request.user, pk)
        _require_manage(request.user)
        serializer = SegmentUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version", None)
        segment = services.segment_update(actor=request.user, segment=segment, expected_version=version, **values)
        return Response(SegmentOutputSerializer(segment).data)

    @extend_schema(tags=TAGS, summary="Change a segment (send `version` to avoid overwriting others)",
                   request=SegmentUpdateInputSerializer,
                   responses={200: SegmentOutputSerializer, 409: ErrorResponse409Serializer})
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, pk)

    @extend_schema(tags=TAGS, summary="Change a segment (send `version` to avoid overwriting others)",
                   request=SegmentUpdateInputSerializer,
                   responses={200: SegmentOutputSerializer, 409: ErrorResponse409Serializer})
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, pk)

    @extend_schema(tags=TAGS, summary="Delete a segment", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        segment = _segment_or_404(request.user, pk)
        _require_manage(request.user)
        services.segment_delete(actor=request.user, segment=segment)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SegmentCountApi(ConciergeApi):
    @extend_schema(tags=TAGS, summary="Count the guests a definition holds (within your properties)",
                   request=SegmentCountInputSerializer, responses=SegmentCountOutputSerializer)
    def post(self, request: Request) -> Response:
        _require_view(request.user)
        serializer = SegmentCountInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            count = selectors.count_definition(serializer.validated_data["definition"], request.user)
        except ValidationError as exc:
            raise ValidationError({"definition": exc.messages}) from exc
        return Response({"count": count})


class SegmentMembersApi(ConciergeApi):
    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Segment.objects.none()
        segment = _segment_or_404(self.request.user, self.kwargs["pk"])
        return selectors.segment_members(segment, self.request.user).order_by("id")

    @extend_schema(tags=TAGS, summary="Members of a segment (guests you may see), paginated",
                   responses=SegmentMemberOutputSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        return self.paginated(self.get_queryset(), SegmentMemberOutputSerializer)


urlpatterns = [
    path("segments/", SegmentListApi.as_view(), name="segment-list"),
    path("segments/count/", SegmentCountApi.as_view(), name="segment-count"),
    path("segments/<int:pk>/", SegmentDetailApi.as_view(), name="segment-detail"),
    path("segments/<int:pk>/members/", SegmentMembersApi.as_view(), name="segment-members"),
]
