"""REST API for customer value (/api/v1/analytics/…): Pareto, value ranking, RFM grid and cell members,
region / province / industry breakdowns, and "refresh now".

Included from concierge/api/urls.py under "analytics/", so url names live in the "api" namespace
(api:analytics-pareto, ...). Access is decided like the web screens: value roles only (403), scopes the user
may see (404 otherwise).
"""
from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from concierge.analytics import selectors, services
from concierge.analytics.models import CustomerValue
from concierge.analytics.permissions import can_refresh_value, can_view_value
from concierge.api.base import ConciergeApi

# --- input ------------------------------------------------------------------------------------------------------


class ScopeInputSerializer(serializers.Serializer):
    scope = serializers.CharField(required=False, allow_blank=True, help_text=_(
        '"group" (group-wide roles) or a property code; default: the first scope you may see.'))


class CellInputSerializer(ScopeInputSerializer):
    r = serializers.IntegerField(min_value=1, max_value=5, help_text=_("Recency score, 5 = most recent."))
    f = serializers.IntegerField(min_value=1, max_value=5, help_text=_("Frequency score, 5 = most stays."))


class BreakdownInputSerializer(ScopeInputSerializer):
    dimension = serializers.ChoiceField(choices=list(selectors.DIMENSIONS), required=False, default="region")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                    help_text=_("Default: this year."))


# --- output -----------------------------------------------------------------------------------------------------


class ScopeOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    refreshed_at = serializers.DateTimeField(allow_null=True)


class DecileSerializer(serializers.Serializer):
    decile = serializers.IntegerField()
    customers = serializers.IntegerField()
    customer_share = serializers.FloatField(help_text=_("Cumulative share of customers (%)."))
    revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    revenue_share = serializers.FloatField()
    cumulative_share = serializers.FloatField()


class ParetoOutputSerializer(serializers.Serializer):
    scope = ScopeOutputSerializer()
    customers = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    profit = serializers.DecimalField(max_digits=18, decimal_places=2)
    top20_share = serializers.FloatField(allow_null=True, help_text=_("Share of revenue (%) from the top 20%."))
    deciles = DecileSerializer(many=True)
    curve = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()),
                                  help_text=_("Points [customers %, cumulative revenue %]."))


class GuestBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class ValueRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(source="value_rank")
    guest = GuestBriefSerializer()
    stays = serializers.IntegerField()
    room_nights = serializers.IntegerField()
    room_revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
    other_revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
    total_revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
    profit = serializers.DecimalField(max_digits=16, decimal_places=2)
    first_stay_on = serializers.DateField(allow_null=True)
    last_stay_on = serializers.DateField(allow_null=True)
    recency_days = serializers.IntegerField(allow_null=True)
    r_score = serializers.IntegerField()
    f_score = serializers.IntegerField()
    m_score = serializers.IntegerField()
    rfm_cell = serializers.CharField()
    cumulative_share = serializers.DecimalField(max_digits=7, decimal_places=6, allow_null=True)


class RfmCellSerializer(serializers.Serializer):
    r = serializers.IntegerField()
    f = serializers.IntegerField()
    customers = serializers.IntegerField()
    avg_monetary = serializers.DecimalField(max_digits=18, decimal_places=2)
    revenue = serializers.DecimalField(max_digits=18, decimal_places=2)


class RfmGridOutputSerializer(serializers.Serializer):
    scope = ScopeOutputSerializer()
    cells = RfmCellSerializer(many=True)


class BreakdownRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    room_revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    nights = serializers.IntegerField()
    stays = serializers.IntegerField()
    customers = serializers.IntegerField()
    adr = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    prev_revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    prev_nights = serializers.IntegerField()
    revenue_growth = serializers.FloatField(allow_null=True, help_text=_("% vs the previous year."))
    nights_growth = serializers.FloatField(allow_null=True)


class BreakdownOutputSerializer(serializers.Serializer):
    scope = ScopeOutputSerializer()
    dimension = serializers.CharField()
    year = serializers.IntegerField()
    rows = BreakdownRowSerializer(many=True)
    total = BreakdownRowSerializer(allow_null=True)


class RefreshOutputSerializer(serializers.Serializer):
    queued = serializers.BooleanField()


# --- views ------------------------------------------------------------------------------------------------------


class CanViewValue(BasePermission):
    """Managers, administrators, marketing and sales managers; everyone else gets 403."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return can_view_value(request.user)


class ValueApi(ConciergeApi):
    permission_classes = [CanViewValue]

    def scope(self, serializer_class: type[serializers.Serializer] = ScopeInputSerializer) -> tuple[Any, dict]:
        params = serializer_class(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        scope = selectors.scope_for(self.request.user, params.validated_data.get("scope"))
        if scope is None:
            raise NotFound(_("Unknown scope."))
        return scope, params.validated_data

    @staticmethod
    def scope_data(scope: selectors.Scope, *, live: bool = False) -> dict[str, Any]:
        return {"key": scope.key, "label": scope.label,
                "refreshed_at": None if live else selectors.freshness(scope)}


class ParetoApi(ValueApi):
    @extend_schema(tags=["analytics"], summary="Pareto table and curve of a scope",
                   parameters=[ScopeInputSerializer], responses=ParetoOutputSerializer)
    def get(self, request: Request) -> ApiResponse:
        scope, _data = self.scope()
        result = selectors.pareto(scope)
        return ApiResponse(ParetoOutputSerializer({
            "scope": self.scope_data(scope), "customers": result.customers, "revenue": result.revenue,
            "profit": result.profit, "top20_share": result.top20_share, "deciles": result.deciles,
            "curve": [list(p) for p in result.curve]}).data)


class RankingApi(ValueApi):
    queryset = CustomerValue.objects.none()  # for the schema only; rows come from the selector

    @extend_schema(tags=["analytics"], summary="Customer value ranking of a scope (paginated)",
                   parameters=[ScopeInputSerializer], responses=ValueRowSerializer(many=True))
    def get(self, request: Request) -> ApiResponse:
        scope, _data = self.scope()
        return self.paginated(selectors.value_ranking(scope), ValueRowSerializer)


class RfmGridApi(ValueApi):
    @extend_schema(tags=["analytics"], summary="RFM grid (R × F) of a scope: customers and average revenue",
                   parameters=[ScopeInputSerializer], responses=RfmGridOutputSerializer)
    def get(self, request: Request) -> ApiResponse:
        scope, _data = self.scope()
        return ApiResponse(RfmGridOutputSerializer(
            {"scope": self.scope_data(scope), "cells": selectors.rfm_grid(scope)}).data)


class RfmMembersApi(ValueApi):
    queryset = CustomerValue.objects.none()  # for the schema only; rows come from the selector

    @extend_schema(tags=["analytics"], summary="Guests in one R × F cell (paginated)",
                   parameters=[CellInputSerializer], responses=ValueRowSerializer(many=True))
    def get(self, request: Request) -> ApiResponse:
        scope, data = self.scope(CellInputSerializer)
        return self.paginated(selectors.rfm_cell_members(scope, r=data["r"], f=data["f"]), ValueRowSerializer)


class BreakdownApi(ValueApi):
    @extend_schema(tags=["analytics"], summary="Revenue, nights, ADR, stays, customers and growth by region, "
                   "province or industry", parameters=[BreakdownInputSerializer], responses=BreakdownOutputSerializer)
    def get(self, request: Request) -> ApiResponse:
        scope, data = self.scope(BreakdownInputSerializer)
        year = data.get("year") or selectors.breakdown_years()[0]
        result = selectors.breakdown(user=request.user, scope=scope, dimension=data["dimension"], year=year)
        return ApiResponse(BreakdownOutputSerializer({
            "scope": {**self.scope_data(scope, live=True), "refreshed_at": result.refreshed_at},
            "dimension": result.dimension, "year": result.year,
            "rows": result.rows, "total": result.total}).data)


class RefreshApi(ValueApi):
    @extend_schema(tags=["analytics"], summary="Queue a refresh of the customer-value figures", request=None,
                   responses={202: RefreshOutputSerializer})
    def post(self, request: Request) -> ApiResponse:
        if not can_refresh_value(request.user):
            raise PermissionDenied(_("Your role cannot refresh customer value."))
        services.refresh_request(actor=request.user)
        return ApiResponse({"queued": True}, status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("pareto/", ParetoApi.as_view(), name="analytics-pareto"),
    path("ranking/", RankingApi.as_view(), name="analytics-ranking"),
    path("rfm/", RfmGridApi.as_view(), name="analytics-rfm"),
    path("rfm/members/", RfmMembersApi.as_view(), name="analytics-rfm-members"),
    path("breakdowns/", BreakdownApi.as_view(), name="analytics-breakdowns"),
    path("refresh/", RefreshApi.as_view(), name="analytics-refresh"),
]
