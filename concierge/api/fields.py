"""Serializer fields that apply our input rules: phones in any format, references only to visible objects."""
from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from concierge.core.phones import normalize_phone
from concierge.guests.filters import properties_for
from concierge.guests.models import Guest
from concierge.guests.selectors import resolve_guest
from concierge.properties.models import Property


@extend_schema_field(OpenApiTypes.STR)
class PhoneField(serializers.CharField):
    """A phone number in any common format ("+86 138-0013-8000", "0086 …", "138…"); returns E.164."""

    default_error_messages = {"invalid_phone": _("“{value}” is not a phone number.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", _("Any common format; stored as E.164 (+8613800138000)."))
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        try:
            return normalize_phone(text)
        except DjangoValidationError:
            self.fail("invalid_phone", value=text)
            raise  # unreachable: fail() raises


class TextChoicesField(serializers.ChoiceField):
    """A choice among a TextChoices class; documented as one named enum (see concierge.api.schema)."""

    def __init__(self, choices_class: type[models.TextChoices], **kwargs: Any) -> None:
        self.choices_class = choices_class
        super().__init__(choices=choices_class.choices, **kwargs)


def _request_user(field: serializers.Field) -> Any:
    request = field.context.get("request")
    return getattr(request, "user", None)


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id to an object the requesting user may see; others are "does not exist"."""

    def __init__(self, model: type[Model], **kwargs: Any) -> None:
        self.model = model
        super().__init__(queryset=model._default_manager.all(), **kwargs)

    def get_queryset(self) -> QuerySet:
        return self.model._default_manager.visible_to(_request_user(self))


class VisibleGuestField(VisibleRelatedField):
    """A visible guest by id; a merged tombstone's id means its surviving profile."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Guest, **kwargs)

    def to_internal_value(self, data: Any) -> Guest:
        guest = super().to_internal_value(data)
        try:
            return resolve_guest(guest.pk, _request_user(self))
        except Guest.DoesNotExist:
            self.fail("does_not_exist", pk_value=data)
            raise  # unreachable: fail() raises


class UserPropertyField(serializers.PrimaryKeyRelatedField):
    """A property (hotel) by id, among those the requesting user works at."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Property.objects.all(), **kwargs)

    def get_queryset(self) -> QuerySet:
        return properties_for(_request_user(self))


class StaffUserField(serializers.PrimaryKeyRelatedField):
    """An active staff user by id (account managers)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=get_user_model().objects.filter(is_active=True), **kwargs)


def property_or_default(user: Any, chosen: Property | None, *, field: str = "property") -> Property | None:
    """The property a new record goes to: the chosen one, else the user's only property.

    Users who are not group-wide must end up with one, or nobody at a property could see the record.
    """
    if chosen is not None:
        return chosen
    assigned = list(user.properties.all()[:2])
    if len(assigned) == 1:
        return assigned[0]
    if not user.sees_all_properties:
        raise serializers.ValidationError(
            {field: [serializers.ErrorDetail(_("Choose one of your properties."), code="required")]}
        )
    return None


class JsonInputField(serializers.JSONField):
    """A JSON document in a request; strings anywhere in it may not hold NUL characters (PostgreSQL refuses them in
    text and jsonb: a 500 before, found by schemathesis). Same code as DRF's CharField."""

    default_error_messages = {"null_characters_not_allowed": _("Null characters are not allowed.")}

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if _holds_null_character(value):
            self.fail("null_characters_not_allowed")
        return value


def _holds_null_character(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_null_character(k) or _holds_null_character(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_null_character(item) for item in value)
    return False
