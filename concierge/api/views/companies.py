"""Company and contact endpoints."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from concierge.api.base import ConciergeApi, visible_or_404
from concierge.api.errors import ErrorResponse409Serializer
from concierge.api.fields import property_or_default
from concierge.api.serializers.companies import (
    CompanyCreateInputSerializer,
    CompanyDetailOutputSerializer,
    CompanyListOutputSerializer,
    CompanyUpdateInputSerializer,
    ContactCreateInputSerializer,
    ContactOutputSerializer,
    ContactUpdateInputSerializer,
)
from concierge.guests.filters import CompanyFilterSet, ContactFilterSet
from concierge.guests.models import Company, Contact
from concierge.guests.services import company_create, company_update, contact_create, contact_update


def _company_detail(user: Any, pk: int) -> Company:
    return (
        Company.objects.visible_to(user)
        .select_related("owner", "parent", "industry")
        .prefetch_related("properties", "tags")
        .get(pk=pk)
    )


@extend_validation_errors(["invalid_phone"], field_name="phone", methods=["post"])
@extend_validation_errors(["required"], field_name="properties", methods=["post"])  # property_or_default
@extend_validation_errors(["required"], field_name="name_zh", methods=["post"])  # neither name_zh nor name_en
class CompanyListCreateApi(ConciergeApi):
    filterset_class = CompanyFilterSet

    def get_queryset(self) -> QuerySet:
        return Company.objects.visible_to(self.request.user).select_related("owner", "industry").prefetch_related(
            "tags"
        )

    @extend_schema(tags=["companies"], summary="List companies", responses=CompanyListOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(self.filter_queryset(self.get_queryset()), CompanyListOutputSerializer)

    @extend_schema(tags=["companies"], summary="Create a company", request=CompanyCreateInputSerializer,
                   responses={201: CompanyDetailOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = CompanyCreateInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        properties = values.pop("properties", [])
        if not properties:
            fallback = property_or_default(request.user, None, field="properties")
            properties = [fallback] if fallback else []
        company = company_create(actor=request.user, properties=properties, **values)
        return Response(CompanyDetailOutputSerializer(_company_detail(request.user, company.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_validation_errors(["invalid_phone"], field_name="phone", methods=["patch"])
class CompanyDetailApi(ConciergeApi):
    @extend_schema(tags=["companies"], summary="A company", responses=CompanyDetailOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        company = visible_or_404(Company.objects.all(), request.user, pk)
        return Response(CompanyDetailOutputSerializer(_company_detail(request.user, company.pk)).data)

    @extend_schema(tags=["companies"], summary="Change a company (send `version` to avoid overwriting others)",
                   request=CompanyUpdateInputSerializer,
                   responses={200: CompanyDetailOutputSerializer, 409: ErrorResponse409Serializer})
    def patch(self, request: Request, pk: int) -> Response:
        company = visible_or_404(Company.objects.all(), request.user, pk)
        serializer = CompanyUpdateInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version", None)
        if values.get("parent") is not None and values["parent"].pk == company.pk:
            raise serializers.ValidationError(
                {"parent": [serializers.ErrorDetail(_("A company cannot be its own parent."), code="invalid")]}
            )
        company = company_update(actor=request.user, company=company, expected_version=version, **values)
        return Response(CompanyDetailOutputSerializer(_company_detail(request.user, company.pk)).data)


def _contacts(user: Any) -> QuerySet:
    return Contact.objects.visible_to(user).select_related("company", "guest")


@extend_validation_errors(["invalid_phone"], field_name="phone", methods=["post"])
class ContactListCreateApi(ConciergeApi):
    filterset_class = ContactFilterSet

    def get_queryset(self) -> QuerySet:
        return _contacts(self.request.user)

    @extend_schema(tags=["contacts"], summary="List contacts (?company=)", responses=ContactOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(self.filter_queryset(self.get_queryset()), ContactOutputSerializer)

    @extend_schema(tags=["contacts"], summary="Add a contact to a company", request=ContactCreateInputSerializer,
                   responses={201: ContactOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = ContactCreateInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        contact = contact_create(actor=request.user, **serializer.validated_data)
        return Response(ContactOutputSerializer(_contacts(request.user).get(pk=contact.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_validation_errors(["invalid_phone"], field_name="phone", methods=["patch"])
class ContactDetailApi(ConciergeApi):
    @extend_schema(tags=["contacts"], summary="A contact", responses=ContactOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ContactOutputSerializer(visible_or_404(_contacts(request.user), request.user, pk)).data)

    @extend_schema(tags=["contacts"], summary="Change a contact (send `version` to avoid overwriting others)",
                   request=ContactUpdateInputSerializer,
                   responses={200: ContactOutputSerializer, 409: ErrorResponse409Serializer})
    def patch(self, request: Request, pk: int) -> Response:
        contact = visible_or_404(Contact.objects.all(), request.user, pk)
        serializer = ContactUpdateInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version")
        contact = contact_update(actor=request.user, contact=contact, expected_version=version, **values)
        return Response(ContactOutputSerializer(_contacts(request.user).get(pk=contact.pk)).data)
