"""Service-centre endpoints: screen pop, cases and their workflow, knowledge-base search, lost & found, numbers.

Same services and selectors as the web pages; domain ValidationErrors become 400s with their codes
(illegal_transition, resolve_needs_resolution, use_reopen, wrong_property…) through ConciergeApi.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from concierge.api.base import ConciergeApi, visible_or_404
from concierge.api.fields import property_or_default
from concierge.cases import selectors, services
from concierge.cases.api.serializers import (
    ArticleDetailOutputSerializer,
    ArticleHitOutputSerializer,
    CaseAssignInputSerializer,
    CaseCreateInputSerializer,
    CaseDetailOutputSerializer,
    CaseListOutputSerializer,
    CaseReopenInputSerializer,
    CaseResolveInputSerializer,
    CaseRespondInputSerializer,
    CaseTransitionInputSerializer,
    CaseUpdateInputSerializer,
    KbSearchInputSerializer,
    LostItemCreateInputSerializer,
    LostItemOutputSerializer,
    MetricsInputSerializer,
    MetricsOutputSerializer,
    ScreenPopInputSerializer,
    ScreenPopOutputSerializer,
)
from concierge.cases.filters import CaseFilterSet, LostItemFilterSet
from concierge.cases.models import Article, Case, LostItem
from concierge.core.choices import AuditAction
from concierge.core.services import audit_record

CASE_TAG = ["service"]


def _ip(request: Request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _case(request: Request, pk: Any) -> Case:
    return visible_or_404(selectors.case_detail_queryset(user=request.user), request.user, pk)


def _case_response(request: Request, case: Case, status_code: int = status.HTTP_200_OK) -> Response:
    fresh = selectors.case_detail_queryset(user=request.user).get(pk=case.pk)
    return Response(CaseDetailOutputSerializer(fresh).data, status=status_code)


@extend_validation_errors(["invalid_phone"], field_name="phone", methods=["get"])
class ScreenPopApi(ConciergeApi):
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        tags=CASE_TAG, summary="Screen pop: who is calling (guest or company card, open cases, stays, articles)",
        parameters=[ScreenPopInputSerializer], responses=ScreenPopOutputSerializer,
    )
    def get(self, request: Request) -> Response:
        serializer = ScreenPopInputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        pop = selectors.screen_pop(user=request.user, phone=serializer.validated_data["phone"],
                                   guest_id=serializer.validated_data.get("guest"))
        if pop.guest is not None:
            audit_record(actor=request.user, action=AuditAction.VIEW, guest=pop.guest, field="screen_pop",
                         detail=f"{pop.phone} (api)", ip_address=_ip(request))
        elif pop.company is not None:
            audit_record(actor=request.user, action=AuditAction.VIEW, company=pop.company, field="screen_pop",
                         detail=f"{pop.phone} (api)", ip_address=_ip(request))
        return Response(ScreenPopOutputSerializer(pop).data)


@extend_validation_errors(["wrong_property"], field_name="owner", methods=["post"])
@extend_validation_errors(["stay_property", "stay_guest"], field_name="stay", methods=["post"])
@extend_validation_errors(["required"], field_name="property", methods=["post"])  # property_or_default
class CaseListCreateApi(ConciergeApi):
    filterset_class = CaseFilterSet

    def get_queryset(self) -> QuerySet:
        return selectors.case_list(user=self.request.user)

    @extend_schema(tags=CASE_TAG, summary="List cases of your properties (filters as on the web list)",
                   responses=CaseListOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(self.filter_queryset(self.get_queryset()), CaseListOutputSerializer)

    @extend_schema(tags=CASE_TAG, summary="Open a case (due times from the SLA policy and business hours)",
                   request=CaseCreateInputSerializer, responses={201: CaseDetailOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = CaseCreateInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        property_ = values.pop("property", None)
        if property_ is None and values.get("stay") is not None:
            property_ = values["stay"].property
        property_ = property_or_default(request.user, property_)
        case = services.case_create(actor=request.user, property=property_, **values)
        return _case_response(request, case, status.HTTP_201_CREATED)


class CaseDetailApi(ConciergeApi):
    @extend_schema(tags=CASE_TAG, summary="A case with its history (views of VIP/flagged guests' cases are audited)",
                   responses=CaseDetailOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        case = _case(request, pk)
        services.case_view_audit(actor=request.user, case=case, via="api", ip_address=_ip(request))
        return Response(CaseDetailOutputSerializer(case).data)

    @extend_schema(tags=CASE_TAG, summary="Change a case's description fields (type/priority recompute due times)",
                   request=CaseUpdateInputSerializer, responses=CaseDetailOutputSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        case = _case(request, pk)
        serializer = CaseUpdateInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        case = services.case_update(actor=request.user, case=case, **serializer.validated_data)
        return _case_response(request, case)


@extend_validation_errors(["wrong_property", "case_done"], field_name="owner", methods=["post"])
class CaseAssignApi(ConciergeApi):
    @extend_schema(tags=CASE_TAG, summary="Assign a case to someone working at its property",
                   request=CaseAssignInputSerializer, responses=CaseDetailOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        case = _case(request, pk)
        serializer = CaseAssignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_assign(actor=request.user, case=case, owner=serializer.validated_data["owner"])
        return _case_response(request, case)


@extend_validation_errors(["illegal_transition", "same_status", "resolve_needs_resolution", "use_reopen",
                           "owner_required"], field_name="status", methods=["post"])
class CaseTransitionApi(ConciergeApi):
    @extend_schema(tags=CASE_TAG, summary="Move a case along the workflow; illegal moves are refused (400)",
                   request=CaseTransitionInputSerializer, responses=CaseDetailOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        case = _case(request, pk)
        serializer = CaseTransitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_transition(actor=request.user, case=case, **serializer.validated_data)
        return _case_response(request, case)


@extend_validation_errors(["case_done"], field_name="note", methods=["post"])
class CaseRespondApi(ConciergeApi):
    @extend_schema(tags=CASE_TAG, summary="Log a response to the guest (stops the first-response clock)",
                   request=CaseRespondInputSerializer, responses=CaseDetailOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        case = _case(request, pk)
        serializer = CaseRespondInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_respond(actor=request.user, case=case, **serializer.validated_data)
        return _case_response(request, case)


@extend_validation_errors(["illegal_transition"], field_name="status", methods=["post"])
class CaseResolveApi(ConciergeApi):
    @extend_schema(tags=CASE_TAG, summary="Resolve a case; for complaints this runs the closed loop",
                   request=CaseResolveInputSerializer, responses=CaseDetailOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        case = _case(request, pk)
        serializer = CaseResolveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_resolve(actor=request.user, case=case, **serializer.validated_data)
        return _case_response(request, case)


@extend_validation_errors(["not_done"], field_name="status", methods=["post"])
class CaseReopenApi(ConciergeApi):
    @extend_schema(tags=CASE_TAG, summary="Reopen a resolved or closed case",
                   request=CaseReopenInputSerializer, responses=CaseDetailOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        case = _case(request, pk)
        serializer = CaseReopenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_reopen(actor=request.user, case=case, **serializer.validated_data)
        return _case_response(request, case)


class KbSearchApi(ConciergeApi):
    pagination_class = None
    filter_backends: list = []

    @extend_schema(tags=CASE_TAG, summary="Search published knowledge-base articles (Chinese or English)",
                   parameters=[KbSearchInputSerializer], responses=ArticleHitOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        serializer = KbSearchInputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        hits = selectors.kb_search(query=data["q"], user=request.user, language=data.get("language"),
                                   limit=data["limit"])
        return Response(ArticleHitOutputSerializer(hits, many=True).data)


class ArticleDetailApi(ConciergeApi):
    @extend_schema(tags=CASE_TAG, summary="A knowledge-base article with both language versions",
                   responses=ArticleDetailOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        queryset = Article.objects.select_related("category", "property", "root_cause").prefetch_related(
            "translations", "tags")
        return Response(ArticleDetailOutputSerializer(visible_or_404(queryset, request.user, pk)).data)


@extend_validation_errors(["required"], field_name="property", methods=["post"])  # property_or_default
class LostItemListCreateApi(ConciergeApi):
    filterset_class = LostItemFilterSet

    def get_queryset(self) -> QuerySet:
        return LostItem.objects.visible_to(self.request.user).select_related("property", "guest")

    @extend_schema(tags=CASE_TAG, summary="Lost & found items of your properties",
                   responses=LostItemOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(self.filter_queryset(self.get_queryset()), LostItemOutputSerializer)

    @extend_schema(tags=CASE_TAG, summary="Log a found item (matched to the guest of that room and date)",
                   request=LostItemCreateInputSerializer, responses={201: LostItemOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = LostItemCreateInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        property_ = property_or_default(request.user, values.pop("property", None))
        if property_ is None:
            raise serializers.ValidationError(
                {"property": [serializers.ErrorDetail(_("Choose one of your properties."), code="required")]})
        item = services.lost_item_create(actor=request.user, property=property_, **values)
        return Response(LostItemOutputSerializer(self.get_queryset().get(pk=item.pk)).data,
                        status=status.HTTP_201_CREATED)


class ServiceMetricsApi(ConciergeApi):
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        tags=CASE_TAG, summary="Time to first response / resolve, breach and reopen rates, closed-loop report",
        parameters=[MetricsInputSerializer],
        responses=MetricsOutputSerializer,
    )
    def get(self, request: Request) -> Response:
        serializer = MetricsInputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        date_to = data.get("date_to") or timezone.localdate()
        date_from = data.get("date_from") or (date_to - dt.timedelta(days=365))
        rows = selectors.case_metrics(user=request.user, group_by=data["group_by"], date_from=date_from,
                                      date_to=date_to, case_type=data.get("case_type"))
        loop = selectors.loop_report(user=request.user, date_from=date_from, date_to=date_to)
        return Response(MetricsOutputSerializer({"group_by": data["group_by"], "date_from": date_from,
                                                 "date_to": date_to, "rows": rows, "loop": loop}).data)
