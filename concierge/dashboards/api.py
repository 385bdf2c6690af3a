"""REST API of the dashboards (/api/v1/dashboards/…): the overview of a scope and the customer-flow ledger.

Same rules as the pages: `can_view_dashboards`, the user's properties, the group only for group-wide users.
Included from concierge/api/urls.py (names in the "api" namespace).
"""
from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from concierge.api.base import ConciergeApi
from concierge.api.fields import TextChoicesField, UserPropertyField
from concierge.dashboards import selectors
from concierge.dashboards.choices import FlowGroupBy
from concierge.dashboards.ledger import FLOW_ORDER, FlowLedger, customer_flow, resolve_lost_after_months
from concierge.dashboards.permissions import can_see_group, can_view_dashboards


class CanViewDashboards(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return can_view_dashboards(request.user)


def _scope(request: Request, prop: Any) -> Any:
    """The chosen property, else the group (group-wide users) — others must choose one of theirs."""
    if prop is None and not can_see_group(request.user):
        raise serializers.ValidationError({"property": [serializers.ErrorDetail(
            _("Choose one of your properties."), code="required")]})
    return prop


class DashboardScopeInputSerializer(serializers.Serializer):
    property = UserPropertyField(required=False, allow_null=True, help_text=_("Empty: the whole group."))
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text=_("Default: this year."))


class DashboardFlowInputSerializer(DashboardScopeInputSerializer):
    month = serializers.IntegerField(required=False, min_value=1, max_value=12)
    group_by = TextChoicesField(FlowGroupBy, required=False)


class DashboardFreshnessSerializer(serializers.Serializer):
    refreshed_at = serializers.DateTimeField(allow_null=True)
    refresh_pending = serializers.BooleanField()


class DashboardMonthSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    room_nights = serializers.IntegerField()
    last_year_revenue = serializers.DecimalField(max_digits=18, decimal_places=2, source="last_revenue")
    last_year_room_nights = serializers.IntegerField(source="last_room_nights")
    new_customers = serializers.IntegerField(source="new")
    lost_customers = serializers.IntegerField(source="lost")
    nps = serializers.FloatField(allow_null=True)
    nps_answers = serializers.IntegerField()


class DashboardAccountSerializer(serializers.Serializer):
    kind = serializers.CharField()
    rank = serializers.IntegerField()
    id = serializers.IntegerField(source="account_id")
    name = serializers.CharField()
    revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    stays = serializers.IntegerField()
    room_nights = serializers.IntegerField()


class DashboardOverviewOutputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    property = serializers.IntegerField(source="property.pk", allow_null=True, default=None)
    revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    room_nights = serializers.IntegerField()
    adr = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    active_customers = serializers.IntegerField()
    new_customers = serializers.IntegerField()
    lost_customers = serializers.IntegerField()
    nps = serializers.FloatField(allow_null=True)
    nps_answers = serializers.IntegerField()
    months = DashboardMonthSerializer(many=True)
    top_companies = DashboardAccountSerializer(many=True, source="companies")
    top_guests = DashboardAccountSerializer(many=True, source="guests")
    freshness = DashboardFreshnessSerializer()


class DashboardFlowCellSerializer(serializers.Serializer):
    customers = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=18, decimal_places=2)


class DashboardFlowRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    new = DashboardFlowCellSerializer()
    retained = DashboardFlowCellSerializer()
    won_back = DashboardFlowCellSerializer()
    lost = DashboardFlowCellSerializer(help_text=_("Revenue = revenue at stake: the 12 months up to their last stay."))


class DashboardFlowOutputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField(allow_null=True)
    property = serializers.IntegerField(allow_null=True)
    lost_after_months = serializers.IntegerField()
    group_by = serializers.CharField(allow_null=True)
    source = serializers.CharField(help_text=_('"materialised" or "live".'))
    refreshed_at = serializers.DateTimeField(allow_null=True)
    total = DashboardFlowRowSerializer()
    rows = DashboardFlowRowSerializer(many=True)


def flow_payload(ledger: FlowLedger) -> dict[str, Any]:
    def row(r: Any) -> dict[str, Any]:
        return {"key": None if r.key is None else str(r.key), "label": r.label,
                **{str(c.value): {"customers": r.cells[c].customers, "revenue": r.cells[c].revenue}
                   for c in FLOW_ORDER}}

    return {"year": ledger.year, "month": ledger.month,
            "property": ledger.property.pk if ledger.property is not None else None,
            "lost_after_months": ledger.lost_after_months, "group_by": ledger.group_by, "source": ledger.source,
            "refreshed_at": ledger.refreshed_at, "total": row(ledger.total), "rows": [row(r) for r in ledger.rows]}


@extend_validation_errors(["required"], field_name="property", methods=["get"])  # _scope: choose one
class OverviewApi(ConciergeApi):
    permission_classes = [CanViewDashboards]

    @extend_schema(tags=["dashboards"], summary="Management overview of a property or the group (materialised)",
                   parameters=[DashboardScopeInputSerializer], responses=DashboardOverviewOutputSerializer)
    def get(self, request: Request) -> Response:
        serializer = DashboardScopeInputSerializer(data=request.query_params, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        prop = _scope(request, serializer.validated_data.get("property"))
        ov = selectors.overview(year=serializer.validated_data.get("year") or timezone.localdate().year,
                                property=prop)
        fresh = selectors.freshness()
        ov.freshness = {"refreshed_at": fresh.refreshed_at, "refresh_pending": fresh.pending}
        return Response(DashboardOverviewOutputSerializer(ov).data)


@extend_validation_errors(["required"], field_name="property", methods=["get"])  # _scope: choose one
class FlowApi(ConciergeApi):
    permission_classes = [CanViewDashboards]

    @extend_schema(tags=["dashboards"], summary="Customer-flow ledger: new, retained, won back, lost",
                   parameters=[DashboardFlowInputSerializer], responses=DashboardFlowOutputSerializer)
    def get(self, request: Request) -> Response:
        serializer = DashboardFlowInputSerializer(data=request.query_params, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        prop = _scope(request, data.get("property"))
        year, month, group_by = data.get("year") or timezone.localdate().year, data.get("month"), data.get("group_by")
        n = resolve_lost_after_months(prop)
        ledger = selectors.materialised_flow(year=year, month=month, property=prop, group_by=group_by,
                                             lost_after_months=n)
        if ledger is None:
            ledger = customer_flow(year=year, month=month, property=prop, lost_after_months=n, group_by=group_by,
                                   user=request.user)
        return Response(DashboardFlowOutputSerializer(flow_payload(ledger)).data)


urlpatterns = [
    path("dashboards/overview/", OverviewApi.as_view(), name="dashboards-overview"),
    path("dashboards/flow/", FlowApi.as_view(), name="dashboards-flow"),
]
