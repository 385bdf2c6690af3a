"""Revealing a guest's full ID-document numbers through the API: POST only, role-checked, every reveal audited.

Every other endpoint returns ID numbers masked only. The rule is the web's (`web.permissions.can_reveal_id`),
so the UI and the API let the same roles through.
"""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from concierge.api.base import ConciergeApi, guest_or_404
from concierge.core.choices import AuditAction
from concierge.core.services import audit_record
from concierge.guests.models import IdentityDocument
from concierge.web.permissions import can_reveal_id


class RevealIdInputSerializer(serializers.Serializer):
    document = serializers.IntegerField(required=False, min_value=1,
                                        help_text=_("One ID document of the guest; all of them when left out."))


class RevealedDocumentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    doc_type = serializers.CharField()
    number = serializers.CharField(help_text=_("The full number; this reveal was recorded in the audit log."))
    number_masked = serializers.CharField()


class RevealIdOutputSerializer(serializers.Serializer):
    documents = RevealedDocumentOutputSerializer(many=True)


class GuestRevealIdApi(ConciergeApi):
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        tags=["guests"], summary="Reveal full ID numbers (front desk, service agents, managers, administrators)",
        description="Returns the full number of one ID document (`document`) or of all the guest's documents. "
                    "Each reveal is recorded in the audit log (`reveal`, field `id_number`). Other roles get 403 "
                    "and nothing is recorded as revealed.",
        request=RevealIdInputSerializer, responses=RevealIdOutputSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        guest = guest_or_404(request.user, pk)
        if not can_reveal_id(request.user):
            # The attempt is recorded, but as a refusal: nothing was revealed.
            audit_record(actor=request.user, action=AuditAction.REVEAL_DENIED, guest=guest, field="id_number",
                         detail="api", ip_address=request.META.get("REMOTE_ADDR"))
            raise PermissionDenied(_("Your role may not reveal full ID numbers."))
        serializer = RevealIdInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        documents = IdentityDocument.objects.filter(guest=guest).order_by("pk")
        if "document" in serializer.validated_data:
            documents = documents.filter(pk=serializer.validated_data["document"])
            if not documents.exists():
                raise NotFound()
        revealed: list[dict[str, Any]] = []
        for document in documents:
            # Recorded before the number leaves, one entry per document.
            audit_record(actor=request.user, action=AuditAction.REVEAL, guest=guest, field="id_number",
                         detail=f"api: {document.get_doc_type_display()}", ip_address=request.META.get("REMOTE_ADDR"))
            revealed.append({"id": document.pk, "doc_type": document.doc_type, "number": document.number,
                             "number_masked": document.number_masked})
        return Response(RevealIdOutputSerializer({"documents": revealed}).data)
