"""Stay endpoints."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from concierge.api.base import ConciergeApi, visible_or_404
from concierge.api.serializers.stays import StayCreateInputSerializer, StayOutputSerializer, StayUpdateInputSerializer
from concierge.stays.filters import StayFilterSet
from concierge.stays.models import Stay
from concierge.stays.services import stay_create, stay_update


def _stays(user: Any) -> QuerySet:
    return Stay.objects.visible_to(user).select_related("guest", "company", "property")


class StayListCreateApi(ConciergeApi):
    filterset_class = StayFilterSet

    def get_queryset(self) -> QuerySet:
        return _stays(self.request.user)

    @extend_schema(tags=["stays"], summary="List stays", responses=StayOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(self.filter_queryset(self.get_queryset()), StayOutputSerializer)

    @extend_schema(tags=["stays"], summary="Record a stay (reservation, in-house or history)",
                   request=StayCreateInputSerializer, responses={201: StayOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = StayCreateInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        # 0 nights lets stay_create count them from the dates (the model's default of 1 would not).
        values.setdefault("room_nights", 0)
        stay = stay_create(actor=request.user, **values)
        return Response(StayOutputSerializer(_stays(request.user).get(pk=stay.pk)).data, status=status.HTTP_201_CREATED)


class StayDetailApi(ConciergeApi):
    @extend_schema(tags=["stays"], summary="A stay", responses=StayOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(StayOutputSerializer(visible_or_404(_stays(request.user), request.user, pk)).data)

    @extend_schema(tags=["stays"], summary="Change a stay (status, dates, room, revenue)",
                   request=StayUpdateInputSerializer, responses=StayOutputSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        stay = visible_or_404(Stay.objects.all(), request.user, pk)
        serializer = StayUpdateInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        stay = stay_update(actor=request.user, stay=stay, **serializer.validated_data)
        return Response(StayOutputSerializer(_stays(request.user).get(pk=stay.pk)).data)
