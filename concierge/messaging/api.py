"""REST API for messaging (/api/v1/messaging/…): templates, a preview that sends nothing, the outbox.

Included from concierge/api/urls.py, so url names live in the "api" namespace (api:messaging-template-list, ...).
Sending is not exposed here: campaigns and journeys call `services.send_message` in-process.
"""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from concierge.api.base import ConciergeApi
from concierge.api.fields import TextChoicesField, VisibleGuestField
from concierge.api.serializers.common import GuestRefSerializer, PropertyRefSerializer
from concierge.guests.choices import Language
from concierge.messaging import selectors, services
from concierge.messaging.choices import Channel, MessageStatus, Purpose
from concierge.messaging.filters import MessageFilterSet
from concierge.messaging.models import Message
from concierge.messaging.permissions import can_manage_messaging
from concierge.messaging.rendering import CALLER_KEYS

# --- serializers ------------------------------------------------------------------------------------------------


class MessagingTemplateOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    channel = TextChoicesField(Channel)
    purpose = TextChoicesField(Purpose)
    subject_zh = serializers.CharField()
    subject_en = serializers.CharField()
    body_zh = serializers.CharField()
    body_en = serializers.CharField()
    provider_template_id = serializers.CharField()
    is_active = serializers.BooleanField()
    updated_at = serializers.DateTimeField()


class MessagingPreviewContextSerializer(serializers.Serializer):
    survey_url = serializers.CharField(required=False, allow_blank=True)
    offer_url = serializers.CharField(required=False, allow_blank=True)
    offer_code = serializers.CharField(required=False, allow_blank=True)


class MessagingPreviewInputSerializer(serializers.Serializer):
    guest = VisibleGuestField()
    template_code = serializers.SlugField()
    channel = TextChoicesField(Channel)
    language = TextChoicesField(Language, required=False, help_text=_("Default: the guest's language."))
    context = MessagingPreviewContextSerializer(required=False)


class MessagingPreviewOutputSerializer(serializers.Serializer):
    language = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    recipient = serializers.CharField()
    would_send = serializers.BooleanField(help_text=_("False when suppression would hold the message back now."))
    reason = serializers.CharField(help_text=_("Suppression reason code, empty when it would be sent."))
    not_before = serializers.DateTimeField(allow_null=True)


class MessagingMessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    guest = GuestRefSerializer(allow_null=True)
    property = PropertyRefSerializer(allow_null=True)
    channel = TextChoicesField(Channel)
    purpose = TextChoicesField(Purpose)
    template = serializers.CharField(source="template.code", allow_null=True, default=None)
    language = serializers.CharField()
    recipient = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    status = TextChoicesField(MessageStatus)
    reason = serializers.CharField(help_text=_("Suppression or failure reason code (empty when sent)."))
    error = serializers.CharField()
    not_before = serializers.DateTimeField(allow_null=True)
    provider_message_id = serializers.CharField()
    source = serializers.CharField()
    source_id = serializers.IntegerField(allow_null=True)
    idempotency_key = serializers.CharField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)


# --- views ------------------------------------------------------------------------------------------------------


class TemplateListApi(ConciergeApi):
    def get_queryset(self) -> QuerySet:
        return selectors.templates_all()

    @extend_schema(tags=["messaging"], summary="List message templates",
                   responses=MessagingTemplateOutputSerializer(many=True))
    def get(self, request: Request) -> ApiResponse:
        return self.paginated(self.get_queryset(), MessagingTemplateOutputSerializer)


class PreviewApi(ConciergeApi):
    @extend_schema(tags=["messaging"], summary="Render a template for a guest without sending it",
                   request=MessagingPreviewInputSerializer, responses=MessagingPreviewOutputSerializer)
    def post(self, request: Request) -> ApiResponse:
        if not can_manage_messaging(request.user):
            raise PermissionDenied(_("Your role cannot preview marketing messages."))
        serializer = MessagingPreviewInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        context: dict[str, Any] = {k: v for k, v in (data.get("context") or {}).items() if k in CALLER_KEYS}
        preview = services.preview_message(guest=data["guest"], template_code=data["template_code"],
                                           channel=data["channel"], context=context, language=data.get("language"))
        return ApiResponse(MessagingPreviewOutputSerializer({
            "language": preview.language, "subject": preview.subject, "body": preview.body,
            "recipient": preview.recipient, "would_send": preview.decision.send, "reason": preview.decision.reason,
            "not_before": preview.decision.not_before,
        }).data)


class MessageListApi(ConciergeApi):
    filterset_class = MessageFilterSet

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        return selectors.outbox_for(self.request.user)

    @extend_schema(tags=["messaging"], summary="The outbox: messages sent, queued, suppressed or failed",
                   responses=MessagingMessageOutputSerializer(many=True))
    def get(self, request: Request) -> ApiResponse:
        return self.paginated(self.filter_queryset(self.get_queryset()), MessagingMessageOutputSerializer)


urlpatterns = [
    path("messaging/templates/", TemplateListApi.as_view(), name="messaging-template-list"),
    path("messaging/preview/", PreviewApi.as_view(), name="messaging-preview"),
    path("messaging/messages/", MessageListApi.as_view(), name="messaging-message-list"),
]
