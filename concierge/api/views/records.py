"""Preferences, alerts, consents and timeline entries: records hung on a guest (or company)."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from concierge.api.base import ConciergeApi, guest_or_404, visible_or_404
from concierge.api.serializers.records import (
    AlertCreateInputSerializer,
    AlertOutputSerializer,
    ConsentCreateInputSerializer,
    ConsentOutputSerializer,
    PreferenceCreateInputSerializer,
    PreferenceOutputSerializer,
    TimelineCreateInputSerializer,
    TimelineCreateOutputSerializer,
    TimelineEntryOutputSerializer,
    TimelineListInputSerializer,
)
from concierge.guests.filters import AlertFilterSet, ConsentFilterSet, PreferenceFilterSet
from concierge.guests.models import Alert, Company, ConsentRecord, Preference
from concierge.guests.selectors import last_contact, timeline
from concierge.guests.services import (
    alert_add,
    alert_deactivate,
    consent_set,
    interaction_log,
    preference_add,
    preference_deactivate,
)

# --- preferences -----------------------------------------------------------------------------------------------


def _preferences(user: Any) -> QuerySet:
    return Preference.objects.visible_to(user).select_related("recorded_by")


class PreferenceListCreateApi(ConciergeApi):
    filterset_class = PreferenceFilterSet

    def get_queryset(self) -> QuerySet:
        return _preferences(self.request.user)

    @extend_schema(tags=["preferences"], summary="List preferences (?guest=; active ones unless ?is_active=false)",
                   responses=PreferenceOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(self.filter_queryset(self.get_queryset()), PreferenceOutputSerializer)

    @extend_schema(tags=["preferences"], summary="Record a preference", request=PreferenceCreateInputSerializer,
                   responses={201: PreferenceOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = PreferenceCreateInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        preference = preference_add(actor=request.user, **serializer.validated_data)
        return Response(PreferenceOutputSerializer(_preferences(request.user).get(pk=preference.pk)).data,
                        status=status.HTTP_201_CREATED)


class PreferenceDetailApi(ConciergeApi):
    @extend_schema(tags=["preferences"], summary="A preference", responses=PreferenceOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(PreferenceOutputSerializer(visible_or_404(_preferences(request.user), request.user, pk)).data)

    @extend_schema(tags=["preferences"], summary="Remove a preference (kept in history as inactive)",
                   responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        preference = visible_or_404(Preference.objects.select_related("guest"), request.user, pk)
        if preference.is_active:
            preference_deactivate(actor=request.user, preference=preference)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- alerts ----------------------------------------------------------------------------------------------------


def _alerts(user: Any) -> QuerySet:
    return Alert.objects.visible_to(user).select_related("created_by")


class AlertListCreateApi(ConciergeApi):
    filterset_class = AlertFilterSet

    def get_queryset(self) -> QuerySet:
        return _alerts(self.request.user)

    @extend_schema(tags=["alerts"], summary="List alerts (?guest=; active ones unless ?is_active=false)",
                   responses=AlertOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(self.filter_queryset(self.get_queryset()), AlertOutputSerializer)

    @extend_schema(tags=["alerts"], summary="Add an alert staff must see at check-in",
                   request=AlertCreateInputSerializer, responses={201: AlertOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = AlertCreateInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        alert = alert_add(actor=request.user, **serializer.validated_data)
        return Response(AlertOutputSerializer(_alerts(request.user).get(pk=alert.pk)).data,
                        status=status.HTTP_201_CREATED)


class AlertDetailApi(ConciergeApi):
    @extend_schema(tags=["alerts"], summary="An alert", responses=AlertOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(AlertOutputSerializer(visible_or_404(_alerts(request.user), request.user, pk)).data)

    @extend_schema(tags=["alerts"], summary="Clear an alert (kept in history as inactive)", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        alert = visible_or_404(Alert.objects.select_related("guest"), request.user, pk)
        if alert.is_active:
            alert_deactivate(actor=request.user, alert=alert)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- consents --------------------------------------------------------------------------------------------------


def _consents(user: Any) -> QuerySet:
    return ConsentRecord.objects.visible_to(user).select_related("recorded_by")


class ConsentListCreateApi(ConciergeApi):
    filterset_class = ConsentFilterSet

    def get_queryset(self) -> QuerySet:
        return _consents(self.request.user)

    @extend_schema(tags=["consents"], summary="Consent history (?guest=), newest first",
                   responses=ConsentOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(self.filter_queryset(self.get_queryset()), ConsentOutputSerializer)

    @extend_schema(tags=["consents"], summary="Record a consent decision for a channel",
                   request=ConsentCreateInputSerializer, responses={201: ConsentOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = ConsentCreateInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        record = consent_set(actor=request.user, **serializer.validated_data)
        return Response(ConsentOutputSerializer(_consents(request.user).get(pk=record.pk)).data,
                        status=status.HTTP_201_CREATED)


# --- timeline --------------------------------------------------------------------------------------------------


@extend_validation_errors(["guest_or_company"], field_name="non_field_errors", methods=["get"])
@extend_validation_errors(["required"], field_name="guest", methods=["post"])  # neither guest nor company
class TimelineApi(ConciergeApi):
    filter_backends: list = []  # the subject is a required parameter, not a filter
    @extend_schema(
        tags=["timeline"], summary="Timeline of a guest or a company, newest first",
        parameters=[TimelineListInputSerializer],  # its fields are the query parameters, its codes the 400s
        responses=TimelineEntryOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        serializer = TimelineListInputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        if "guest" in serializer.validated_data:
            entries = timeline(user=request.user, guest=guest_or_404(request.user, serializer.validated_data["guest"]))
        else:
            company = visible_or_404(Company.objects.all(), request.user, serializer.validated_data["company"])
            entries = timeline(user=request.user, company=company)
        return self.paginated(entries, TimelineEntryOutputSerializer)

    @extend_schema(
        tags=["timeline"], summary="Log a call, email, visit, meeting, message or note",
        description="The response carries `last_contact_before` so a client can warn "
                    "\"last contacted by X, N days ago\".",
        request=TimelineCreateInputSerializer, responses={201: TimelineCreateOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = TimelineCreateInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        # Read before writing: the warning is about the contact before this one.
        before = last_contact(guest=values.get("guest"), company=values.get("company"))
        entry = interaction_log(actor=request.user, **values)
        data = {"entry": entry, "last_contact_before": before}
        return Response(TimelineCreateOutputSerializer(data).data, status=status.HTTP_201_CREATED)
