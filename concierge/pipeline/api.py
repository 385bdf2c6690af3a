"""REST API of the pipeline: /api/v1/opportunities/ (CRUD, move, win, lose), /api/v1/forecast/, /api/v1/scorecards/.

Same permission functions and services as the pages: reps see and change their own opportunities and scorecard;
sales managers, managers and administrators all within their properties. A stale `version` answers 409
"stale_version". Included from concierge/api/urls.py (url names in the "api" namespace).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from concierge.api.base import ConciergeApi
from concierge.api.errors import ErrorResponse409Serializer
from concierge.api.fields import TextChoicesField
from concierge.pipeline import selectors, services
from concierge.pipeline.choices import LostReason, OpportunityStatus
from concierge.pipeline.models import Opportunity, Stage
from concierge.pipeline.permissions import can_edit_opportunity, can_use_pipeline, is_sales_manager, visible_reps


class OpportunityOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    company = serializers.IntegerField(source="company_id")
    contact = serializers.IntegerField(source="contact_id", allow_null=True)
    owner = serializers.IntegerField(source="owner_id")
    property = serializers.IntegerField(source="property_id", allow_null=True)
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    probability = serializers.IntegerField()
    weighted_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    expected_close = serializers.DateField(allow_null=True)
    stage = serializers.IntegerField(source="stage_id", allow_null=True)
    status = TextChoicesField(OpportunityStatus)
    lost_reason = serializers.CharField()
    lost_reason_text = serializers.CharField()
    closed_on = serializers.DateField(allow_null=True)
    version = serializers.IntegerField(help_text=_("Send it back with changes; a stale version answers 409."))
    created_at = serializers.DateTimeField()


class OpportunityCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    company = serializers.IntegerField()
    contact = serializers.IntegerField(required=False, allow_null=True)
    owner = serializers.IntegerField(required=False, help_text=_("Sales managers only; default: you."))
    property = serializers.IntegerField(required=False, allow_null=True)
    value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    currency = serializers.CharField(max_length=3, default="CNY")
    probability = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True)
    expected_close = serializers.DateField(required=False, allow_null=True)
    stage = serializers.IntegerField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class OpportunityUpdateInputSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    title = serializers.CharField(max_length=200, required=False)
    contact = serializers.IntegerField(required=False, allow_null=True)
    owner = serializers.IntegerField(required=False)
    property = serializers.IntegerField(required=False, allow_null=True)
    value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    currency = serializers.CharField(max_length=3, required=False)
    probability = serializers.IntegerField(min_value=0, max_value=100, required=False)
    expected_close = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class MoveInputSerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    version = serializers.IntegerField()
    lost_reason = serializers.ChoiceField(choices=LostReason.choices, required=False, allow_blank=True, default="")
    lost_reason_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class WinInputSerializer(serializers.Serializer):
    version = serializers.IntegerField()


class LoseInputSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    lost_reason = serializers.ChoiceField(choices=LostReason.choices)
    lost_reason_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ForecastRowSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    value_sum = serializers.DecimalField(max_digits=18, decimal_places=2)
    weighted = serializers.DecimalField(max_digits=18, decimal_places=2)


class ForecastMonthSerializer(ForecastRowSerializer):
    month = serializers.DateField()


class ForecastOwnerSerializer(ForecastRowSerializer):
    owner = serializers.IntegerField(source="owner_id")


class ForecastPropertySerializer(ForecastRowSerializer):
    property = serializers.IntegerField(source="property_id", allow_null=True)


class ConversionSerializer(serializers.Serializer):
    stage = serializers.IntegerField(source="stage.pk")
    reached = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True,
                                    help_text=_("Percent of those reaching this stage that reached the next."))


class ForecastOutputSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    count = serializers.IntegerField()
    total_value = serializers.DecimalField(max_digits=18, decimal_places=2)
    total_weighted = serializers.DecimalField(max_digits=18, decimal_places=2)
    by_month = ForecastMonthSerializer(many=True)
    by_owner = ForecastOwnerSerializer(many=True)
    by_property = ForecastPropertySerializer(many=True)
    conversion = ConversionSerializer(many=True)


class FiguresSerializer(serializers.Serializer):
    revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    room_nights = serializers.IntegerField()
    new_accounts = serializers.IntegerField()
    contracts_signed = serializers.IntegerField()
    visits = serializers.IntegerField()
    pipeline_added = serializers.DecimalField(max_digits=18, decimal_places=2)
    won_value = serializers.DecimalField(max_digits=18, decimal_places=2)


class AttainmentSerializer(serializers.Serializer):
    revenue = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    room_nights = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    new_accounts = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    contracts_signed = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    visits = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    pipeline_added = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    won_value = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)


class ScorecardSerializer(serializers.Serializer):
    rep = serializers.IntegerField(source="rep.pk")
    username = serializers.CharField(source="rep.username")
    month = serializers.DateField()
    actual = FiguresSerializer()
    target = FiguresSerializer(allow_null=True)
    attainment = AttainmentSerializer()


def _require(user: Any) -> None:
    if not can_use_pipeline(user):
        raise PermissionDenied(_("The pipeline is for sales staff."))


def _opportunity_or_404(user: Any, pk: Any) -> Opportunity:
    _require(user)
    try:
        return Opportunity.objects.visible_to(user).get(pk=int(pk))
    except (Opportunity.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _editable(user: Any, pk: Any) -> Opportunity:
    opportunity = _opportunity_or_404(user, pk)
    if not can_edit_opportunity(user, opportunity):
        raise PermissionDenied(_("You cannot change this opportunity."))
    return opportunity


def _resolve(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Turn ids into objects the user may use (404-free: a bad id is a field error)."""
    from concierge.guests.models import Company, Contact
    from concierge.properties.models import Property

    out = dict(data)
    lookups = {"company": Company.objects.visible_to(user), "contact": Contact.objects.visible_to(user),
               "owner": visible_reps(user), "stage": Stage.objects.filter(is_active=True)}
    ids = user.property_ids()
    lookups["property"] = Property.objects.all() if ids is None else Property.objects.filter(pk__in=ids)
    for name, qs in lookups.items():
        if out.get(name) is None:
            continue
        obj = qs.filter(pk=out[name]).first()
        if obj is None:
            raise serializers.ValidationError({name: [_("Unknown or not allowed.")]})
        out[name] = obj
    if "owner" in out and not is_sales_manager(user) and out["owner"].pk != user.pk:
        raise serializers.ValidationError({"owner": [_("Only sales managers assign opportunities to others.")]})
    return out


class OpportunityListApi(ConciergeApi):
    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Opportunity.objects.none()
        _require(self.request.user)
        params = self.request.query_params
        filters = {k: params.get(k) for k in ("stage", "status", "owner", "property", "company", "q") if params.get(k)}
        for k in ("stage", "owner", "property", "company"):
            if k in filters and not str(filters[k]).isdecimal():
                raise serializers.ValidationError({k: [_("Enter an id (a whole number).")]})
        return selectors.opportunity_list(user=self.request.user, filters=filters)

    @extend_schema(tags=["pipeline"], summary="List opportunities you may see",
                   parameters=[OpenApiParameter(n, OpenApiTypes.STR) for n in
                               ("stage", "status", "owner", "property", "company", "q")],
                   responses=OpportunityOutputSerializer(many=True))
    def get(self, request: Request) -> ApiResponse:
        return self.paginated(self.get_queryset(), OpportunityOutputSerializer)

    @extend_schema(tags=["pipeline"], summary="Open an opportunity", request=OpportunityCreateInputSerializer,
                   responses={201: OpportunityOutputSerializer})
    def post(self, request: Request) -> ApiResponse:
        _require(request.user)
        serializer = OpportunityCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = _resolve(request.user, serializer.validated_data)
        data.setdefault("owner", request.user)
        opportunity = services.opportunity_create(actor=request.user, **data)
        return ApiResponse(OpportunityOutputSerializer(opportunity).data, status=status.HTTP_201_CREATED)


class OpportunityDetailApi(ConciergeApi):
    queryset = Opportunity.objects.none()  # for the schema generator only; objects come through the scope

    @extend_schema(tags=["pipeline"], summary="An opportunity", responses=OpportunityOutputSerializer)
    def get(self, request: Request, pk: int) -> ApiResponse:
        return ApiResponse(OpportunityOutputSerializer(_opportunity_or_404(request.user, pk)).data)

    @extend_schema(tags=["pipeline"], summary="Change an opportunity (not its stage)",
                   request=OpportunityUpdateInputSerializer,
                   responses={200: OpportunityOutputSerializer, 409: ErrorResponse409Serializer})
    def patch(self, request: Request, pk: int) -> ApiResponse:
        opportunity = _editable(request.user, pk)
        serializer = OpportunityUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = _resolve(request.user, serializer.validated_data)
        version = data.pop("version", None)
        if version is None:
            raise serializers.ValidationError({"version": [_("This field is required.")]})
        opportunity = services.opportunity_update(actor=request.user, opportunity=opportunity, version=version, **data)
        return ApiResponse(OpportunityOutputSerializer(opportunity).data)

    @extend_schema(tags=["pipeline"], summary="Delete an opportunity (sales managers only)", responses={204: None})
    def delete(self, request: Request, pk: int) -> ApiResponse:
        opportunity = _opportunity_or_404(request.user, pk)
        if not is_sales_manager(request.user):
            raise PermissionDenied(_("Only sales managers delete opportunities; mark it lost instead."))
        opportunity.delete()
        return ApiResponse(status=status.HTTP_204_NO_CONTENT)


class OpportunityMoveApi(ConciergeApi):
    queryset = Opportunity.objects.none()  # for the schema generator only; objects come through the scope

    @extend_schema(tags=["pipeline"], summary="Move an opportunity to another stage", request=MoveInputSerializer,
                   responses={200: OpportunityOutputSerializer, 409: ErrorResponse409Serializer})
    def post(self, request: Request, pk: int) -> ApiResponse:
        opportunity = _editable(request.user, pk)
        serializer = MoveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = _resolve(request.user, serializer.validated_data)
        opportunity = services.opportunity_move(actor=request.user, opportunity=opportunity, **data)
        return ApiResponse(OpportunityOutputSerializer(opportunity).data)


class OpportunityWinApi(ConciergeApi):
    queryset = Opportunity.objects.none()  # for the schema generator only; objects come through the scope

    @extend_schema(tags=["pipeline"], summary="Mark an opportunity won", request=WinInputSerializer,
                   responses={200: OpportunityOutputSerializer, 409: ErrorResponse409Serializer})
    def post(self, request: Request, pk: int) -> ApiResponse:
        opportunity = _editable(request.user, pk)
        serializer = WinInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        opportunity = services.opportunity_win(actor=request.user, opportunity=opportunity,
                                               version=serializer.validated_data["version"])
        return ApiResponse(OpportunityOutputSerializer(opportunity).data)


class OpportunityLoseApi(ConciergeApi):
    queryset = Opportunity.objects.none()  # for the schema generator only; objects come through the scope

    @extend_schema(tags=["pipeline"], summary="Mark an opportunity lost (reason required)",
                   request=LoseInputSerializer,
                   responses={200: OpportunityOutputSerializer, 409: ErrorResponse409Serializer})
    def post(self, request: Request, pk: int) -> ApiResponse:
        opportunity = _editable(request.user, pk)
        serializer = LoseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        opportunity = services.opportunity_lose(actor=request.user, opportunity=opportunity,
                                                **serializer.validated_data)
        return ApiResponse(OpportunityOutputSerializer(opportunity).data)


def _month_param(request: Request, name: str) -> dt.date:
    raw = request.query_params.get(name)
    if not raw:
        return timezone.localdate().replace(day=1)
    try:
        return dt.date.fromisoformat(raw if len(raw) > 7 else f"{raw}-01").replace(day=1)
    except ValueError:
        raise serializers.ValidationError({name: [_("Enter a month as YYYY-MM.")]}) from None


class ForecastApi(ConciergeApi):
    queryset = Opportunity.objects.none()  # for the schema generator only; objects come through the scope

    @extend_schema(tags=["pipeline"], summary="Weighted forecast by month, owner and property, and stage conversion",
                   parameters=[OpenApiParameter("start", OpenApiTypes.STR, description="YYYY-MM"),
                               OpenApiParameter("months", OpenApiTypes.INT)],
                   responses=ForecastOutputSerializer)
    def get(self, request: Request) -> ApiResponse:
        _require(request.user)
        start = _month_param(request, "start")
        months = request.query_params.get("months", "6")
        if not months.isdecimal() or not 1 <= int(months) <= 24:
            raise serializers.ValidationError({"months": [_("Enter a number of months from 1 to 24.")]})
        result = selectors.forecast(user=request.user, start=start, months=int(months))
        data = ForecastOutputSerializer({**result.__dict__,
                                         "conversion": selectors.conversion_rates(user=request.user)}).data
        return ApiResponse(data)


class ScorecardApi(ConciergeApi):
    queryset = Opportunity.objects.none()  # for the schema generator only; objects come through the scope
    pagination_class = None  # one card per rep, a plain list (the schema said "paginated": found by schemathesis)

    @extend_schema(tags=["pipeline"], summary="Monthly scorecards of the reps you may see",
                   parameters=[OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM"),
                               OpenApiParameter("rep", OpenApiTypes.INT)],
                   responses=ScorecardSerializer(many=True))
    def get(self, request: Request) -> ApiResponse:
        _require(request.user)
        month = _month_param(request, "month")
        reps = visible_reps(request.user)
        rep = request.query_params.get("rep")
        if rep:
            if not rep.isdecimal():
                raise serializers.ValidationError({"rep": [_("Enter a user id (a whole number).")]})
            reps = reps.filter(pk=int(rep))
        cards = selectors.scorecards(reps=reps, month=month)
        return ApiResponse(ScorecardSerializer(cards, many=True).data)


urlpatterns = [
    path("opportunities/", OpportunityListApi.as_view(), name="opportunity-list"),
    path("opportunities/<int:pk>/", OpportunityDetailApi.as_view(), name="opportunity-detail"),
    path("opportunities/<int:pk>/move/", OpportunityMoveApi.as_view(), name="opportunity-move"),
    path("opportunities/<int:pk>/win/", OpportunityWinApi.as_view(), name="opportunity-win"),
    path("opportunities/<int:pk>/lose/", OpportunityLoseApi.as_view(), name="opportunity-lose"),
    path("forecast/", ForecastApi.as_view(), name="forecast"),
    path("scorecards/", ScorecardApi.as_view(), name="scorecards"),
]
