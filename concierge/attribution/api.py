"""REST API of the Attribution module (/api/v1/attribution/…), included from concierge/api/urls.py.

Campaign ROI list and detail, lead import (upload → job id → status) and "refresh now". Open to marketing,
managers and administrators (`permissions.can_view_attribution`, the same check as the pages); campaigns are
reached through `visible_to(user)`.
"""
from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from concierge.api.base import ConciergeApi, visible_or_404
from concierge.api.fields import TextChoicesField
from concierge.attribution import selectors, services
from concierge.attribution.choices import LeadImportStatus
from concierge.attribution.models import LeadImport
from concierge.attribution.permissions import can_import_leads, can_view_attribution
from concierge.campaigns.models import Campaign


class CanViewAttribution(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return can_view_attribution(request.user)
        return can_import_leads(request.user)


# --- serializers ------------------------------------------------------------------------------------------------


class CampaignRoiOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    reached = serializers.IntegerField(help_text=_("Guests (and companies without a guest) sent, delivered or met."))
    responded = serializers.IntegerField()
    leads = serializers.IntegerField(source="lead_cards", help_text=_("Business cards imported against the campaign."))
    new_customers = serializers.IntegerField(help_text=_("Guests whose first stay is attributed to the campaign."))
    stays = serializers.IntegerField()
    room_nights = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    roi = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True,
                                   help_text=_("(revenue − cost) / cost; null when the cost is 0."))
    cost_per_new_customer = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    contracts = serializers.IntegerField()

    def to_representation(self, instance: Any) -> Any:
        figures = selectors.roi_figures(instance)
        instance.roi = figures["roi"]
        instance.cost_per_new_customer = figures["cost_per_new_customer"]
        return super().to_representation(instance)


class LeadUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("CSV or XLSX: card id, name, company, title, mobile, email, province, "
                                             "city, notes."))


class LeadImportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.IntegerField(source="campaign_id")
    status = TextChoicesField(LeadImportStatus)
    file_name = serializers.CharField()
    rows_total = serializers.IntegerField()
    rows_done = serializers.IntegerField()
    percent = serializers.IntegerField()
    created = serializers.IntegerField(source="created_count")
    matched = serializers.IntegerField(source="matched_count")
    skipped = serializers.IntegerField(source="skipped_count")
    errors_count = serializers.IntegerField(source="error_count")
    errors = serializers.ListField(child=serializers.DictField(), help_text=_("{row, field, label, message, raw}"))
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class AttributionRefreshOutputSerializer(serializers.Serializer):
    queued = serializers.BooleanField()


# --- views ------------------------------------------------------------------------------------------------------


class AttributionApi(ConciergeApi):
    permission_classes = [CanViewAttribution]


class CampaignRoiListApi(AttributionApi):
    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Campaign.objects.none()
        return selectors.campaigns_with_roi(self.request.user).order_by(
            F("starts_on").desc(nulls_last=True), "-created_at", "-id")

    @extend_schema(tags=["attribution"], summary="ROI of every campaign you may see",
                   responses=CampaignRoiOutputSerializer(many=True))
    def get(self, request: Request) -> ApiResponse:
        return self.paginated(self.get_queryset(), CampaignRoiOutputSerializer)


class CampaignRoiDetailApi(AttributionApi):
    @extend_schema(tags=["attribution"], summary="ROI of one campaign", responses=CampaignRoiOutputSerializer)
    def get(self, request: Request, pk: int) -> ApiResponse:
        try:
            campaign = selectors.campaign_with_roi(request.user, pk)
        except Campaign.DoesNotExist:
            raise NotFound() from None
        return ApiResponse(CampaignRoiOutputSerializer(campaign).data)


class LeadImportCreateApi(AttributionApi):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(tags=["attribution"], summary="Upload business cards for an offline campaign (validated, then "
                                                 "imported in the background)",
                   request={"multipart/form-data": LeadUploadInputSerializer},
                   responses={202: LeadImportOutputSerializer})
    def post(self, request: Request, pk: int) -> ApiResponse:
        campaign = visible_or_404(Campaign.objects.all(), request.user, pk)
        serializer = LeadUploadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lead_import = services.lead_import_upload(actor=request.user, campaign=campaign,
                                                  upload=serializer.validated_data["file"])
        return ApiResponse(LeadImportOutputSerializer(lead_import).data, status=status.HTTP_202_ACCEPTED)


class LeadImportDetailApi(AttributionApi):
    @extend_schema(tags=["attribution"], summary="Status and summary of a lead import",
                   responses=LeadImportOutputSerializer)
    def get(self, request: Request, pk: int) -> ApiResponse:
        lead_import = visible_or_404(LeadImport.objects.all(), request.user, pk)
        return ApiResponse(LeadImportOutputSerializer(lead_import).data)


class RefreshApi(AttributionApi):
    @extend_schema(tags=["attribution"], summary="Queue an attribution refresh", request=None,
                   responses={202: AttributionRefreshOutputSerializer})
    def post(self, request: Request) -> ApiResponse:
        services.attribution_refresh_request()
        return ApiResponse({"queued": True}, status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("attribution/campaigns/", CampaignRoiListApi.as_view(), name="attribution-campaign-list"),
    path("attribution/campaigns/<int:pk>/", CampaignRoiDetailApi.as_view(), name="attribution-campaign-detail"),
    path("attribution/campaigns/<int:pk>/lead-imports/", LeadImportCreateApi.as_view(),
         name="attribution-lead-import-create"),
    path("attribution/lead-imports/<int:pk>/", LeadImportDetailApi.as_view(), name="attribution-lead-import-detail"),
    path("attribution/refresh/", RefreshApi.as_view(), name="attribution-refresh"),
]
