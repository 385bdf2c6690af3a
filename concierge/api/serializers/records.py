"""Preferences, alerts, consents and the timeline of a guest or company."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from concierge.api.fields import TextChoicesField, UserPropertyField, VisibleGuestField, VisibleRelatedField
from concierge.api.serializers.common import LastContactOutputSerializer, PropertyRefSerializer, UserRefSerializer
from concierge.core.choices import CONTACT_KINDS, ActivityKind
from concierge.guests.choices import (
    AlertCategory,
    AlertSeverity,
    ConsentChannel,
    PreferenceCategory,
    PreferenceSource,
)
from concierge.guests.models import Company
from concierge.stays.models import Stay

INTERACTION_KINDS = [(kind.value, kind.label) for kind in (*CONTACT_KINDS, ActivityKind.NOTE)]


def _check_stay_belongs_to_guest(attrs: dict[str, Any]) -> dict[str, Any]:
    stay = attrs.get("stay")
    if stay is not None and stay.guest_id != attrs["guest"].pk:
        raise serializers.ValidationError(
            {"stay": [serializers.ErrorDetail(_("This stay belongs to another guest."), code="invalid")]}
        )
    return attrs


# --- preferences -----------------------------------------------------------------------------------------------


class PreferenceCreateInputSerializer(serializers.Serializer):
    guest = VisibleGuestField()
    category = TextChoicesField(PreferenceCategory)
    value = serializers.CharField(max_length=200)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    source = TextChoicesField(PreferenceSource, required=False)
    stay = VisibleRelatedField(Stay, required=False, allow_null=True, help_text=_("The stay it was noted on."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return _check_stay_belongs_to_guest(attrs)


class PreferenceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    guest = serializers.IntegerField(source="guest_id")
    category = serializers.CharField()
    value = serializers.CharField()
    note = serializers.CharField()
    source = serializers.CharField()
    stay = serializers.IntegerField(source="stay_id", allow_null=True)
    recorded_at = serializers.DateTimeField()
    recorded_by = UserRefSerializer(allow_null=True)
    is_active = serializers.BooleanField()


# --- alerts ----------------------------------------------------------------------------------------------------


class AlertCreateInputSerializer(serializers.Serializer):
    guest = VisibleGuestField()
    text = serializers.CharField(max_length=500)
    severity = TextChoicesField(AlertSeverity, required=False)
    category = TextChoicesField(AlertCategory, required=False)
    stay = VisibleRelatedField(Stay, required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return _check_stay_belongs_to_guest(attrs)


class AlertOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    guest = serializers.IntegerField(source="guest_id")
    severity = serializers.CharField()
    category = serializers.CharField()
    text = serializers.CharField()
    stay = serializers.IntegerField(source="stay_id", allow_null=True)
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    created_by = UserRefSerializer(allow_null=True)


# --- consents --------------------------------------------------------------------------------------------------


class ConsentCreateInputSerializer(serializers.Serializer):
    guest = VisibleGuestField()
    channel = TextChoicesField(ConsentChannel)
    granted = serializers.BooleanField()
    source = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="API",
        help_text=_("Where the decision was given (registration card, website form, ...)."),
    )


class ConsentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    guest = serializers.IntegerField(source="guest_id")
    channel = serializers.CharField()
    granted = serializers.BooleanField()
    source = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    recorded_by = UserRefSerializer(allow_null=True)


# --- timeline --------------------------------------------------------------------------------------------------


class TimelineListInputSerializer(serializers.Serializer):
    guest = serializers.IntegerField(required=False, min_value=1)
    company = serializers.IntegerField(required=False, min_value=1)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("guest" in attrs) == ("company" in attrs):
            raise serializers.ValidationError(
                serializers.ErrorDetail(_("Give either a guest or a company."), code="guest_or_company")
            )
        return attrs


class TimelineCreateInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=INTERACTION_KINDS)
    summary = serializers.CharField(max_length=300)
    body = serializers.CharField(required=False, allow_blank=True)
    guest = VisibleGuestField(required=False, allow_null=True)
    company = VisibleRelatedField(Company, required=False, allow_null=True)
    property = UserPropertyField(
        required=False, allow_null=True,
        help_text=_("Where it happened: one of your properties. Without one, everyone who sees the customer "
                    "sees the entry."),
    )
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, help_text=_("Defaults to now."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("guest") is None and attrs.get("company") is None:
            raise serializers.ValidationError(
                {"guest": [serializers.ErrorDetail(_("Choose a guest or a company."), code="required")]}
            )
        return attrs


class TimelineEntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    actor = UserRefSerializer(allow_null=True)
    guest = serializers.IntegerField(source="guest_id", allow_null=True)
    company = serializers.IntegerField(source="company_id", allow_null=True)
    property = PropertyRefSerializer(allow_null=True)
    summary = serializers.CharField(source="display_summary", help_text=_("In the request's language."))
    body = serializers.CharField()


class TimelineCreateOutputSerializer(serializers.Serializer):
    entry = TimelineEntryOutputSerializer()
    last_contact_before = LastContactOutputSerializer(
        allow_null=True,
        help_text=_("The previous contact with this customer (\"last contacted by X, N days ago\"), or null."),
    )
