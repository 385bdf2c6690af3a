"""REST API of the Contracts module (/api/v1/contracts/…), included from concierge/api/urls.py ("api" namespace).

Contracts are reached through `Contract.objects.visible_to(user)` (404 otherwise); writes check
`permissions.can_manage_contract` / `can_manage_company_contracts` (403 otherwise) — the same rules as the pages.
Updates carry `version`; a stale one answers 409 "stale_version".
"""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from concierge.api.base import ConciergeApi
from concierge.api.errors import ErrorResponse409Serializer
from concierge.api.fields import TextChoicesField, UserPropertyField, VisibleRelatedField
from concierge.contracts import documents, selectors, services
from concierge.contracts.choices import ContractKind, ContractStatus, PaymentTerms
from concierge.contracts.models import Contract
from concierge.contracts.permissions import can_create_contracts, can_manage_company_contracts, can_manage_contract
from concierge.guests.models import Company

TAGS = ["contracts"]

# --- serializers ------------------------------------------------------------------------------------------------


class RateSerializer(serializers.Serializer):
    property = serializers.IntegerField(source="property_id")
    room_type = serializers.CharField(max_length=40)
    season_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    season_start = serializers.DateField()
    season_end = serializers.DateField()
    rate = serializers.DecimalField(max_digits=10, decimal_places=2)
    breakfast_included = serializers.BooleanField(required=False, default=False)


class ContractOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    company = serializers.IntegerField(source="company_id")
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    kind = TextChoicesField(ContractKind)
    status = TextChoicesField(ContractStatus)
    properties = serializers.SerializerMethodField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    sent_on = serializers.DateField(allow_null=True)
    signed_on = serializers.DateField(allow_null=True)
    activated_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    end_reason = serializers.CharField()
    currency = serializers.CharField()
    commission_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    allotment_per_night = serializers.IntegerField(allow_null=True)
    room_night_commitment = serializers.IntegerField(allow_null=True)
    payment_terms = TextChoicesField(PaymentTerms)
    terms = serializers.CharField()
    renewal_of = serializers.IntegerField(source="renewal_of_id", allow_null=True)
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    def get_properties(self, obj: Contract) -> list[int]:
        return sorted(p.pk for p in obj.properties.all())


class ContractDetailOutputSerializer(ContractOutputSerializer):
    rates = RateSerializer(many=True, source="rates.all")
    production = serializers.SerializerMethodField()

    def get_production(self, obj: Contract) -> dict[str, Any]:
        p = selectors.contract_production(obj)
        return {"stays": p.stays, "room_nights": p.room_nights, "room_revenue": str(p.room_revenue),
                "commitment": p.commitment, "expected_by_today": p.expected_by_today, "percent": p.percent}


class ContractInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = TextChoicesField(ContractKind, required=False)
    owner = serializers.IntegerField(required=False, allow_null=True)
    properties = UserPropertyField(many=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    currency = serializers.CharField(max_length=3, required=False)
    commission_percent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100,
                                                  required=False)
    allotment_per_night = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    room_night_commitment = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    payment_terms = TextChoicesField(PaymentTerms, required=False)
    terms = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    rates = RateSerializer(many=True, required=False)


class ContractCreateInputSerializer(ContractInputSerializer):
    company = VisibleRelatedField(Company)


class ContractUpdateInputSerializer(ContractInputSerializer):
    version = serializers.IntegerField(help_text=_("The version you read; a newer one on the server gives 409."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class TransitionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    effective_on = serializers.DateField(required=False, allow_null=True, default=None)
    signed_on = serializers.DateField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


# --- helpers ------------------------------------------------------------------------------------------------------


def _contract_or_404(user: Any, pk: Any) -> Contract:
    try:
        return selectors.contract_for(user, int(pk))
    except (Contract.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _service_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    if "owner" in values:
        from django.contrib.auth import get_user_model

        owner_id = values.pop("owner")
        user_model = get_user_model()
        owner = user_model.objects.filter(pk=owner_id, is_active=True).first() if owner_id else None
        if owner_id and owner is None:
            raise serializers.ValidationError({"owner": [_("No such active user.")]})
        values["owner"] = owner
    if "rates" in values:
        values["rates"] = [services.RateInput(**{("property_id" if k == "property" else k): v for k, v in r.items()})
                           for r in values["rates"]]
    return values


def _int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if not raw.isdecimal():
        raise serializers.ValidationError({name: [_("Enter a whole number.")]})
    return int(raw)


# --- views --------------------------------------------------------------------------------------------------------


class ContractListApi(ConciergeApi):
    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Contract.objects.none()
        params = self.request.query_params
        status_ = params.get("status", "")
        if status_ and status_ not in ContractStatus.values:
            raise serializers.ValidationError({"status": [_("Unknown status.")]})
        kind = params.get("kind", "")
        if kind and kind not in ContractKind.values:
            raise serializers.ValidationError({"kind": [_("Unknown kind.")]})
        qs = selectors.contracts_for(self.request.user).prefetch_related("properties")
        owner = _int_param(self.request, "owner")
        company = _int_param(self.request, "company")
        qs = selectors.contracts_filter(qs, status=status_, kind=kind,
                                        expiring_within=_int_param(self.request, "expiring_within"),
                                        q=params.get("q", ""))
        if owner is not None:
            qs = qs.filter(owner_id=owner)
        if company is not None:
            qs = qs.filter(company_id=company)
        return qs.order_by("end_date", "pk")

    @extend_schema(tags=TAGS, summary="List contracts you may see",
                   parameters=[OpenApiParameter("status", OpenApiTypes.STR), OpenApiParameter("kind", OpenApiTypes.STR),
                               OpenApiParameter("owner", OpenApiTypes.INT), OpenApiParameter("company", OpenApiTypes.INT),
                               OpenApiParameter("expiring_within", OpenApiTypes.INT,
                                                description="Signed/active contracts ending within N days"),
                               OpenApiParameter("q", OpenApiTypes.STR)],
                   responses=ContractOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(self.get_queryset(), ContractOutputSerializer)

    @extend_schema(tags=TAGS, summary="Create a draft contract", request=ContractCreateInputSerializer,
                   responses={201: ContractDetailOutputSerializer})
    def post(self, request: Request) -> Response:
        if not can_create_contracts(request.user):
            raise PermissionDenied()
        serializer = ContractCreateInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        values = _service_values(serializer.validated_data)
        company = values.pop("company")
        if not can_manage_company_contracts(request.user, company):
            raise PermissionDenied(_("You do not manage this account."))
        contract = services.contract_create(actor=request.user, company=company, **values)
        return Response(ContractDetailOutputSerializer(contract).data, status=status.HTTP_201_CREATED)


class ContractDetailApi(ConciergeApi):
    @extend_schema(tags=TAGS, summary="A contract with its rates and production", responses=ContractDetailOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ContractDetailOutputSerializer(_contract_or_404(request.user, pk)).data)

    @extend_schema(tags=TAGS, summary="Change a draft or sent contract (send `version`)",
                   request=ContractUpdateInputSerializer,
                   responses={200: ContractDetailOutputSerializer, 409: ErrorResponse409Serializer})
    def patch(self, request: Request, pk: int) -> Response:
        contract = _contract_or_404(request.user, pk)
        if not can_manage_contract(request.user, contract):
            raise PermissionDenied()
        serializer = ContractUpdateInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        values = _service_values(serializer.validated_data)
        version = values.pop("version")
        contract = services.contract_update(actor=request.user, contract=contract, expected_version=version, **values)
        return Response(ContractDetailOutputSerializer(contract).data)


def _action_view(action: str) -> type[ConciergeApi]:
    class ContractActionApi(ConciergeApi):
        @extend_schema(tags=TAGS, summary=f"Workflow action: {action}", request=TransitionInputSerializer,
                       responses={200: ContractDetailOutputSerializer, 409: ErrorResponse409Serializer},
                       operation_id=f"contracts_{action}")
        def post(self, request: Request, pk: int) -> Response:
            contract = _contract_or_404(request.user, pk)
            if not can_manage_contract(request.user, contract):
                raise PermissionDenied()
            serializer = TransitionInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            version = data.pop("version")
            contract = services.contract_action(actor=request.user, contract=contract, action=action,
                                                expected_version=version, **data)
            return Response(ContractDetailOutputSerializer(contract).data)

    ContractActionApi.__name__ = f"Contract{action.title()}Api"
    return ContractActionApi


class ContractRenewApi(ConciergeApi):
    @extend_schema(tags=TAGS, summary="Renew: a new draft for the next period with the rates copied", request=None,
                   responses={201: ContractDetailOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        contract = _contract_or_404(request.user, pk)
        if not can_manage_contract(request.user, contract):
            raise PermissionDenied()
        new = services.contract_renew(actor=request.user, contract=contract)
        return Response(ContractDetailOutputSerializer(new).data, status=status.HTTP_201_CREATED)


class ContractDocumentApi(ConciergeApi):
    @extend_schema(tags=TAGS, summary="The contract as DOCX (lang zh or en)",
                   parameters=[OpenApiParameter("lang", OpenApiTypes.STR, enum=list(documents.LANGUAGES))],
                   responses={(200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"):
                              OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request: Request, pk: int) -> HttpResponse:
        contract = _contract_or_404(request.user, pk)
        lang = request.query_params.get("lang", "zh")
        if lang not in documents.LANGUAGES:
            raise serializers.ValidationError({"lang": [_("Choose zh or en.")]})
        from concierge.core.choices import AuditAction
        from concierge.core.services import audit_record

        # Audited like every other download, before the document is built and sent.
        audit_record(actor=request.user, action=AuditAction.EXPORT, company=contract.company,
                     field="contract_document", detail=f"{contract.number} ({lang}) api",
                     ip_address=request.META.get("REMOTE_ADDR"))
        response = HttpResponse(
            documents.contract_docx(contract, lang=lang),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        response["Content-Disposition"] = f'attachment; filename="{documents.document_filename(contract, lang)}"'
        return response


urlpatterns = [
    path("contracts/", ContractListApi.as_view(), name="contract-list"),
    path("contracts/<int:pk>/", ContractDetailApi.as_view(), name="contract-detail"),
    path("contracts/<int:pk>/renew/", ContractRenewApi.as_view(), name="contract-renew"),
    path("contracts/<int:pk>/document/", ContractDocumentApi.as_view(), name="contract-document"),
    *[path(f"contracts/<int:pk>/{action}/", _action_view(action).as_view(), name=f"contract-{action}")
      for action in services.ACTIONS],
]
