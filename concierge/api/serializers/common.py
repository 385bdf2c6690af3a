"""Small nested representations shared by the output serializers."""
from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class PropertyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField(source="__str__")


class CompanyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class GuestRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class LastContactOutputSerializer(serializers.Serializer):
    """Who last called, mailed, visited or messaged the customer, and how long ago."""

    actor_name = serializers.CharField()
    kind = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    days_ago = serializers.IntegerField()
    summary = serializers.CharField()


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class TagNamesField(serializers.Field):
    """Names of the related tags (prefetch them in the queryset)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> list[str]:
        return [tag.name for tag in value.all()]
