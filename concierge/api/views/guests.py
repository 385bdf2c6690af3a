"""Guest endpoints: list/search, create, detail, update, check-in card, exact look-up."""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from concierge.api.base import ConciergeApi, guest_or_404
from concierge.api.errors import ErrorResponse409Serializer
from concierge.api.fields import property_or_default
from concierge.api.serializers.guests import (
    GuestCardOutputSerializer,
    GuestCreateInputSerializer,
    GuestDetailOutputSerializer,
    GuestListOutputSerializer,
    GuestLookupInputSerializer,
    GuestSummaryOutputSerializer,
    GuestUpdateInputSerializer,
    PossibleDuplicatesResponseSerializer,
)
from concierge.core.choices import AuditAction
from concierge.core.services import audit_record
from concierge.dedupe.services import duplicate_warning_override, guest_duplicate_candidates
from concierge.guests.filters import GuestFilterSet
from concierge.guests.models import Guest
from concierge.guests.selectors import guest_card, guest_ids_by_id_number, guests_by_phone
from concierge.guests.services import guest_create, guest_update

GUEST_TAG = ["guests"]


def _detail_queryset(user: Any) -> QuerySet:
    return (
        Guest.objects.visible_to(user)
        .select_related("company", "owner")
        .prefetch_related("tags", "properties", "documents")
    )


def _audit_view(request: Request, guest: Guest, what: str) -> None:
    audit_record(actor=request.user, action=AuditAction.VIEW, guest=guest, field=what, detail="api",
                 ip_address=request.META.get("REMOTE_ADDR"))


@extend_validation_errors(["invalid_phone"], field_name="phone", methods=["post"])
@extend_validation_errors(["invalid_id", "invalid_id_checksum", "invalid_id_birthday"],
                          field_name="id_documents.INDEX.number", methods=["post"])
@extend_validation_errors(["required"], field_name="property", methods=["post"])  # property_or_default
@extend_validation_errors(["required"], field_name="family_name", methods=["post"])  # no name at all
class GuestListCreateApi(ConciergeApi):
    filterset_class = GuestFilterSet

    def get_queryset(self) -> QuerySet:
        return Guest.objects.visible_to(self.request.user).live().select_related("company", "owner").prefetch_related(
            "tags"
        )

    @extend_schema(tags=GUEST_TAG, summary="List guests (with ?search=, ranked like the check-in search)",
                   responses=GuestListOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(self.filter_queryset(self.get_queryset()), GuestListOutputSerializer)

    @extend_schema(
        tags=GUEST_TAG, summary="Create a guest profile (409 with likely existing profiles unless `force`)",
        description=(
            "Before saving, the values are compared with the existing profiles you may see. If any scores at "
            "least the review threshold, nothing is saved and the answer is **409** with the error code "
            "`possible_duplicates` and the `candidates` (id, display name, score 0–1, reasons in words). "
            "Use one of them, or send the same body again with `\"force\": true` to create anyway; that is "
            "recorded in the audit log (`create_anyway`) and on the new profile's timeline."
        ),
        request=GuestCreateInputSerializer,
        responses={201: GuestDetailOutputSerializer, 409: PossibleDuplicatesResponseSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = GuestCreateInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        force = values.pop("force", False)
        property_ = property_or_default(request.user, values.pop("property", None))
        candidates = guest_duplicate_candidates(user=request.user, values=values)
        if candidates and not force:
            body = {
                "type": "client_error",
                "errors": [{"code": "possible_duplicates", "attr": None,
                            "detail": _("This guest may already have a profile. Send \"force\": true to create "
                                        "anyway.")}],
                "candidates": candidates,
            }
            return Response(PossibleDuplicatesResponseSerializer(body).data, status=status.HTTP_409_CONFLICT)
        with transaction.atomic():
            guest = guest_create(actor=request.user, property=property_, **values)
            if candidates:
                duplicate_warning_override(actor=request.user, guest=guest,
                                           candidate_ids=[c.guest.pk for c in candidates],
                                           ip_address=request.META.get("REMOTE_ADDR"))
        guest = _detail_queryset(request.user).get(pk=guest.pk)
        return Response(GuestDetailOutputSerializer(guest).data, status=status.HTTP_201_CREATED)


@extend_validation_errors(["invalid_phone"], field_name="phone", methods=["patch"])
class GuestDetailApi(ConciergeApi):
    @extend_schema(tags=GUEST_TAG, summary="A guest profile (a merged profile's id gives the survivor)",
                   responses=GuestDetailOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        guest = guest_or_404(request.user, pk)
        _audit_view(request, guest, "profile")
        return Response(GuestDetailOutputSerializer(_detail_queryset(request.user).get(pk=guest.pk)).data)

    @extend_schema(tags=GUEST_TAG, summary="Change profile fields (send `version` to avoid overwriting others)",
                   request=GuestUpdateInputSerializer,
                   responses={200: GuestDetailOutputSerializer, 409: ErrorResponse409Serializer})
    def patch(self, request: Request, pk: int) -> Response:
        guest = guest_or_404(request.user, pk)
        serializer = GuestUpdateInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version", None)
        guest = guest_update(actor=request.user, guest=guest, expected_version=version, **values)
        return Response(GuestDetailOutputSerializer(_detail_queryset(request.user).get(pk=guest.pk)).data)


class GuestCardApi(ConciergeApi):
    @extend_schema(tags=GUEST_TAG, summary="The check-in card: alerts, preferences, stays, totals, consents",
                   responses=GuestCardOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        guest = guest_or_404(request.user, pk)
        guest = Guest.objects.select_related("company", "owner").get(pk=guest.pk)
        card = guest_card(guest=guest, user=request.user)
        _audit_view(request, guest, "card")
        return Response(GuestCardOutputSerializer(card).data)


@extend_validation_errors(["invalid_phone"], field_name="phone", methods=["get"])
@extend_validation_errors(["phone_or_id_number"], field_name="non_field_errors", methods=["get"])
class GuestLookupApi(ConciergeApi):
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        tags=GUEST_TAG, summary="Exact look-up by phone (any format) or ID number",
        parameters=[GuestLookupInputSerializer],  # its fields are the query parameters, its codes the 400s
        responses=GuestSummaryOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        serializer = GuestLookupInputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        phone = serializer.validated_data.get("phone", "").strip()
        if phone:
            guests = guests_by_phone(user=request.user, phone=phone)
        else:
            ids = guest_ids_by_id_number(user=request.user, number=serializer.validated_data["id_number"])
            guests = Guest.objects.visible_to(request.user).live().filter(pk__in=ids)
        guests = guests.select_related("company").order_by(F("last_stay_on").desc(nulls_last=True), "-id")
        return Response(GuestSummaryOutputSerializer(guests, many=True).data)

