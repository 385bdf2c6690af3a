"""REST API of the Campaigns module (/api/v1/campaigns/…), included from concierge/api/urls.py ("api" namespace).

list / create, read / update (409 on a stale `version`), actions send (now), schedule, cancel, and the report.
The role checks are the web pages' (`campaigns.permissions`): marketing, managers and administrators manage;
sales roles read; others get 403. Campaigns of a hotel the user does not work at are 404.
"""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from concierge.api.base import ConciergeApi
from concierge.api.errors import ErrorResponse409Serializer
from concierge.api.fields import TextChoicesField
from concierge.campaigns import selectors, services
from concierge.campaigns.models import Campaign, CampaignKind, CampaignStatus
from concierge.campaigns.permissions import can_manage_campaigns, can_view_campaigns
from concierge.messaging.choices import Channel
from concierge.messaging.models import MessageTemplate

TAGS = ["campaigns"]


class VariantSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=10)
    template = serializers.PrimaryKeyRelatedField(queryset=MessageTemplate.objects.all(),
                                                  help_text=_("Message template id (messaging templates)."))
    share_percent = serializers.IntegerField(min_value=0, max_value=100)


class CampaignOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.CharField()
    channel = serializers.CharField()
    status = serializers.CharField()
    property = serializers.IntegerField(source="property_id", allow_null=True)
    segment = serializers.IntegerField(source="segment_id", allow_null=True)
    snapshot = serializers.IntegerField(source="snapshot_id", allow_null=True)
    audience_count = serializers.IntegerField()
    scheduled_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    offer_code = serializers.CharField()
    offer_url = serializers.CharField()
    tracking_enabled = serializers.BooleanField()
    attribution_window_days = serializers.IntegerField()
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    variants = serializers.SerializerMethodField()
    version = serializers.IntegerField()

    def get_variants(self, obj: Campaign) -> list[dict[str, Any]]:
        return [{"label": v.label, "template": v.template_id, "share_percent": v.share_percent}
                for v in obj.variants.all()]


class CampaignInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    kind = TextChoicesField(CampaignKind, required=False)
    channel = TextChoicesField(Channel, required=False, allow_blank=True)
    property = serializers.IntegerField(required=False, allow_null=True, help_text=_("Empty: group-wide."))
    segment = serializers.IntegerField(required=False, allow_null=True)
    scheduled_at = serializers.DateTimeField(required=False, allow_null=True)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)
    cost = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, min_value=0)
    currency = serializers.CharField(max_length=3, required=False)
    offer_code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    offer_url = serializers.URLField(max_length=400, required=False, allow_blank=True)
    tracking_enabled = serializers.BooleanField(required=False)
    attribution_window_days = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    variants = VariantSerializer(many=True, required=False)


class CampaignUpdateInputSerializer(CampaignInputSerializer):
    name = serializers.CharField(max_length=200, required=False)
    version = serializers.IntegerField(required=False, help_text=_("The version you read; 409 if it changed since."))


class ScheduleInputSerializer(serializers.Serializer):
    send_at = serializers.DateTimeField()


class VariantReportSerializer(serializers.Serializer):
    label = serializers.CharField()
    template = serializers.CharField()
    share_percent = serializers.IntegerField()
    recipients = serializers.IntegerField()
    sent = serializers.IntegerField()
    suppressed = serializers.IntegerField()
    suppressed_by_reason = serializers.DictField(child=serializers.IntegerField())
    failed = serializers.IntegerField()
    queued = serializers.IntegerField()
    bounced = serializers.IntegerField()
    opens = serializers.IntegerField(help_text=_("Unique opens (messages opened at least once)."))
    clicks = serializers.IntegerField(help_text=_("Unique clicks (messages with at least one click)."))
    unsubscribes = serializers.IntegerField()
    open_rate = serializers.FloatField()
    click_rate = serializers.FloatField()
    unsubscribe_rate = serializers.FloatField()


class ReportOutputSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    status = serializers.CharField()
    audience = serializers.IntegerField()
    enqueued = serializers.IntegerField()
    variants = VariantReportSerializer(many=True)


def _require_view(user: Any) -> None:
    if not can_view_campaigns(user):
        raise PermissionDenied(_("Your role cannot use campaigns."))


def _require_manage(user: Any) -> None:
    if not can_manage_campaigns(user):
        raise PermissionDenied(_("Your role cannot change campaigns."))


def _campaign_or_404(user: Any, pk: Any) -> Campaign:
    _require_view(user)
    campaign = selectors.campaigns_for(user).filter(pk=pk).first()
    if campaign is None:
        raise NotFound()
    return campaign


def _values(user: Any, data: dict[str, Any]) -> tuple[dict[str, Any], list[Any] | None]:
    """Serializer data -> service keyword arguments (ids resolved within what the user may see)."""
    from concierge.properties.models import Property
    from concierge.segments.selectors import segments_for

    values = dict(data)
    variants = values.pop("variants", None)
    values.pop("version", None)
    if values.get("property") is not None:
        property_ids = user.property_ids()
        prop = Property.objects.filter(pk=values["property"]).first()
        if prop is None or (property_ids is not None and prop.pk not in property_ids):
            raise serializers.ValidationError({"property": [_("Unknown hotel.")]})
        values["property"] = prop
    if values.get("segment") is not None:
        segment = segments_for(user).filter(pk=values["segment"]).first()
        if segment is None:
            raise serializers.ValidationError({"segment": [_("Unknown segment.")]})
        values["segment"] = segment
    if variants is not None:
        variants = [services.VariantInput(label=v["label"], template=v["template"], share_percent=v["share_percent"])
                    for v in variants]
    return values, variants


def _out(campaign: Campaign) -> dict[str, Any]:
    return CampaignOutputSerializer(Campaign.objects.prefetch_related("variants").get(pk=campaign.pk)).data


# The service's rules (campaigns.services._validate) answer code `invalid` on these fields.
@extend_validation_errors(["invalid"], field_name="channel", methods=["post"])
@extend_validation_errors(["invalid"], field_name="variants", methods=["post"])
class CampaignListApi(ConciergeApi):
    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Campaign.objects.none()
        _require_view(self.request.user)
        qs = selectors.campaigns_for(self.request.user).prefetch_related("variants").order_by("-created_at", "-id")
        wanted = self.request.query_params.get("status")
        if wanted in CampaignStatus.values:
            qs = qs.filter(status=wanted)
        return qs

    @extend_schema(tags=TAGS, summary="List campaigns (filter: ?status=)",
                   responses=CampaignOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(self.get_queryset(), CampaignOutputSerializer)

    @extend_schema(tags=TAGS, summary="Create a campaign", request=CampaignInputSerializer,
                   responses={201: CampaignOutputSerializer})
    def post(self, request: Request) -> Response:
        _require_manage(request.user)
        serializer = CampaignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values, variants = _values(request.user, serializer.validated_data)
        campaign = services.campaign_create(actor=request.user, variants=variants, **values)
        return Response(_out(campaign), status=status.HTTP_201_CREATED)


@extend_validation_errors(["invalid"], field_name="channel", methods=["patch"])
@extend_validation_errors(["invalid"], field_name="variants", methods=["patch"])
@extend_validation_errors(["invalid"], field_name="status", methods=["patch"])  # already sent: frozen
class CampaignDetailApi(ConciergeApi):
    @extend_schema(tags=TAGS, summary="A campaign", responses=CampaignOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_out(_campaign_or_404(request.user, pk)))

    @extend_schema(tags=TAGS, summary="Change a campaign (send `version` to avoid overwriting others)",
                   request=CampaignUpdateInputSerializer,
                   responses={200: CampaignOutputSerializer, 409: ErrorResponse409Serializer})
    def patch(self, request: Request, pk: int) -> Response:
        campaign = _campaign_or_404(request.user, pk)
        _require_manage(request.user)
        serializer = CampaignUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        version = serializer.validated_data.get("version")
        values, variants = _values(request.user, serializer.validated_data)
        campaign = services.campaign_update(actor=request.user, campaign=campaign, expected_version=version,
                                            variants=variants, **values)
        return Response(_out(campaign))


class CampaignSendApi(ConciergeApi):
    @extend_schema(tags=TAGS, summary="Send a draft or scheduled campaign now", request=None,
                   responses={202: CampaignOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        campaign = _campaign_or_404(request.user, pk)
        _require_manage(request.user)
        campaign = services.campaign_send_now(actor=request.user, campaign=campaign)
        return Response(_out(campaign), status=status.HTTP_202_ACCEPTED)


class CampaignScheduleApi(ConciergeApi):
    @extend_schema(tags=TAGS, summary="Schedule a campaign", request=ScheduleInputSerializer,
                   responses=CampaignOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        campaign = _campaign_or_404(request.user, pk)
        _require_manage(request.user)
        serializer = ScheduleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        campaign = services.campaign_schedule(actor=request.user, campaign=campaign,
                                              send_at=serializer.validated_data["send_at"])
        return Response(_out(campaign))


class CampaignCancelApi(ConciergeApi):
    @extend_schema(tags=TAGS, summary="Cancel a draft or scheduled campaign", request=None,
                   responses=CampaignOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        campaign = _campaign_or_404(request.user, pk)
        _require_manage(request.user)
        campaign = services.campaign_cancel(actor=request.user, campaign=campaign)
        return Response(_out(campaign))


class CampaignReportApi(ConciergeApi):
    @extend_schema(tags=TAGS, summary="Campaign report per variant", responses=ReportOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        campaign = _campaign_or_404(request.user, pk)
        progress = selectors.campaign_progress(campaign)
        data = {"campaign": campaign.pk, "status": campaign.status, "audience": progress.audience,
                "enqueued": progress.enqueued, "variants": selectors.campaign_report(campaign)}
        return Response(ReportOutputSerializer(data).data)


urlpatterns = [
    path("campaigns/", CampaignListApi.as_view(), name="campaign-list"),
    path("campaigns/<int:pk>/", CampaignDetailApi.as_view(), name="campaign-detail"),
    path("campaigns/<int:pk>/send/", CampaignSendApi.as_view(), name="campaign-send"),
    path("campaigns/<int:pk>/schedule/", CampaignScheduleApi.as_view(), name="campaign-schedule"),
    path("campaigns/<int:pk>/cancel/", CampaignCancelApi.as_view(), name="campaign-cancel"),
    path("campaigns/<int:pk>/report/", CampaignReportApi.as_view(), name="campaign-report"),
]
