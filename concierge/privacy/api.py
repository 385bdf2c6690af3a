"""REST API for personal-data requests: export everything held about a guest, erase a guest (managers, admins)."""
from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from concierge.api.base import ConciergeApi, visible_or_404
from concierge.guests.models import Guest
from concierge.privacy import services
from concierge.privacy.permissions import can_handle_personal_data_requests
from concierge.web.helpers import client_ip


class EraseInputSerializer(serializers.Serializer):
    confirm = serializers.IntegerField(help_text="The guest id again, to confirm.")
    note = serializers.CharField(max_length=300, help_text="The request: date, channel, reference.")


class ErasureOutputSerializer(serializers.Serializer):
    erasure_id = serializers.IntegerField()
    guest_id = serializers.IntegerField()
    erased_at = serializers.DateTimeField()
    counts = serializers.DictField(child=serializers.IntegerField())


def _require(request: Request) -> None:
    if not can_handle_personal_data_requests(request.user):
        raise PermissionDenied(_("Only managers and administrators handle personal-data requests."))


class GuestPersonalDataApi(ConciergeApi):
    @extend_schema(tags=["privacy"], summary="Everything held about a guest (machine-readable, audited)",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> ApiResponse:
        _require(request)
        guest = visible_or_404(Guest.objects.all(), request.user, pk)
        return ApiResponse(services.guest_export(guest=guest, actor=request.user, ip_address=client_ip(request)))


class GuestEraseApi(ConciergeApi):
    serializer_class = EraseInputSerializer

    @extend_schema(tags=["privacy"], summary="Erase a guest's personal data (anonymise; stays kept)",
                   request=EraseInputSerializer, responses={200: ErasureOutputSerializer})
    def post(self, request: Request, pk: int) -> ApiResponse:
        _require(request)
        guest = visible_or_404(Guest.objects.all(), request.user, pk)
        data = EraseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["confirm"] != guest.pk:
            raise serializers.ValidationError({"confirm": [_("Give the guest id again to confirm.")]})
        erasure = services.guest_erase(guest=guest, actor=request.user, note=data.validated_data["note"],
                                       ip_address=client_ip(request))
        guest.refresh_from_db()
        return ApiResponse(ErasureOutputSerializer({"erasure_id": erasure.pk, "guest_id": guest.pk,
                                                    "erased_at": guest.erased_at, "counts": erasure.counts}).data)


urlpatterns = [
    path("guests/<int:pk>/personal-data/", GuestPersonalDataApi.as_view(), name="guest-personal-data"),
    path("guests/<int:pk>/erase/", GuestEraseApi.as_view(), name="guest-erase"),
]
