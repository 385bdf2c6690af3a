"""REST API for lifetime value (/api/v1/clv/…, /api/v1/guests/<id>/clv/), scoped like the web pages.

Included from concierge/api/urls.py, so the url names live in the "api" namespace (api:clv-fit-list, ...).
"""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from concierge.api.base import ConciergeApi, guest_or_404
from concierge.api.fields import TextChoicesField
from concierge.api.serializers.common import GuestRefSerializer, PropertyRefSerializer, UserRefSerializer
from concierge.clv import selectors
from concierge.clv.choices import ChurnReason, TimeUnit
from concierge.clv.models import ChurnRisk, GuestClv
from concierge.clv.permissions import can_view_churn_risk, can_view_clv_models, owns_accounts_only

TAGS = ["lifetime value"]


class ClvFitOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    property = PropertyRefSerializer(allow_null=True, help_text=_("Empty for the group-wide fit."))
    calibration_end = serializers.DateField()
    time_unit = TextChoicesField(TimeUnit)
    customers = serializers.IntegerField()
    repeat_customers = serializers.IntegerField()
    r = serializers.FloatField(allow_null=True)
    alpha = serializers.FloatField(allow_null=True)
    a = serializers.FloatField(allow_null=True)
    b = serializers.FloatField(allow_null=True)
    log_likelihood = serializers.FloatField(allow_null=True)
    p = serializers.FloatField(allow_null=True)
    q = serializers.FloatField(allow_null=True)
    gamma = serializers.FloatField(allow_null=True)
    annual_discount_rate = serializers.FloatField()
    horizon_months = serializers.IntegerField()
    fitted_at = serializers.DateTimeField()
    seconds = serializers.FloatField()
    error = serializers.CharField()


class ReasonOutputSerializer(serializers.Serializer):
    code = TextChoicesField(ChurnReason)
    label = serializers.CharField()
    detail = serializers.CharField()


class GuestClvOutputSerializer(serializers.Serializer):
    guest = GuestRefSerializer()
    property = PropertyRefSerializer(allow_null=True, help_text=_("Empty for group-wide scores."))
    frequency = serializers.IntegerField(help_text=_("Repeat stay days in the calibration period."))
    recency = serializers.FloatField()
    age = serializers.FloatField(help_text=_("T: time since the first stay, in the fit's time unit."))
    monetary = serializers.FloatField(help_text=_("Mean revenue of the repeat stay days."))
    p_alive = serializers.FloatField()
    previous_p_alive = serializers.FloatField(allow_null=True)
    expected_stays = serializers.FloatField(help_text=_("Expected stays in the next 12 months."))
    expected_spend = serializers.FloatField()
    clv = serializers.FloatField()
    total_value = serializers.FloatField()
    last_stay_on = serializers.DateField(allow_null=True)
    churn_risk = TextChoicesField(ChurnRisk)
    reasons = ReasonOutputSerializer(many=True, source="reasons_display")
    owner = serializers.SerializerMethodField()
    refreshed_at = serializers.DateTimeField()

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_owner(self, row: GuestClv) -> dict[str, Any] | None:
        guest = row.guest
        owner = guest.owner or (guest.company.owner if guest.company_id else None)
        return UserRefSerializer(owner).data if owner else None


class ChurnRiskInputSerializer(serializers.Serializer):
    scope = serializers.CharField(required=False, help_text=_('"group" or a property id (default: your first scope).'))
    risk = serializers.ChoiceField(choices=[ChurnRisk.HIGH.value, ChurnRisk.MEDIUM.value], required=False)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Your role cannot see lifetime value."))


class ClvFitListApi(ConciergeApi):
    pagination_class = None
    filter_backends: list = []

    @extend_schema(tags=TAGS, summary="The latest fit of every scope you may see (group-wide and per property)",
                   responses=ClvFitOutputSerializer(many=True))
    def get(self, request: Request) -> ApiResponse:
        _require(can_view_clv_models(request.user))
        return ApiResponse(ClvFitOutputSerializer(selectors.latest_fits(user=request.user), many=True).data)


class ChurnRiskListApi(ConciergeApi):
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return GuestClv.objects.none()
        user = self.request.user
        _require(can_view_churn_risk(user))
        params = ChurnRiskInputSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        scopes = selectors.scopes_for(user)
        wanted = params.validated_data.get("scope")
        if not wanted:
            scope = scopes[0] if scopes else None
            if not scopes:
                return GuestClv.objects.none()
        else:
            matches = [s for s in scopes
                       if (s is None and wanted == "group") or (s is not None and str(s.pk) == wanted)]
            if not matches:
                raise serializers.ValidationError({"scope": [_("Not a scope you may see.")]})
            scope = matches[0]
        return selectors.churn_risk_list(user=user, property=scope, risk=params.validated_data.get("risk"))

    @extend_schema(
        tags=TAGS, summary="Valuable guests at medium or high churn risk, with reasons and owner",
        parameters=[
            OpenApiParameter("scope", OpenApiTypes.STR, description='"group" or a property id.'),
            OpenApiParameter("risk", OpenApiTypes.STR, enum=["high", "medium"]),
        ],
        responses=GuestClvOutputSerializer(many=True),
    )
    def get(self, request: Request) -> ApiResponse:
        return self.paginated(self.get_queryset().select_related("property"), GuestClvOutputSerializer)


class GuestClvApi(ConciergeApi):
    pagination_class = None
    filter_backends: list = []

    @extend_schema(tags=TAGS, summary="A guest's lifetime value and churn risk in each scope you may see",
                   responses=GuestClvOutputSerializer(many=True))
    def get(self, request: Request, pk: int) -> ApiResponse:
        guest = guest_or_404(request.user, pk)
        user = request.user
        allowed = can_view_clv_models(user) or (owns_accounts_only(user) and guest.owner_id == user.pk)
        _require(allowed)
        rows = (GuestClv.objects.visible_to(user).filter(guest=guest)
                .select_related("guest", "guest__owner", "guest__company__owner", "property")
                .order_by("property__code"))
        return ApiResponse(GuestClvOutputSerializer(rows, many=True).data)


urlpatterns = [
    path("clv/fits/", ClvFitListApi.as_view(), name="clv-fit-list"),
    path("clv/churn-risk/", ChurnRiskListApi.as_view(), name="clv-churn-risk"),
    path("guests/<int:pk>/clv/", GuestClvApi.as_view(), name="guest-clv"),
]
