"""One mapping from domain exceptions to API errors, so every endpoint answers the same way.

Services raise Django's `ValidationError` with a dict of field -> messages; the API turns it into a
400 in drf-standardized-errors' format (`{"type": "validation_error", "errors": [{code, detail, attr}]}`)
with the field names kept. `StaleVersionError` (someone else saved the record first) becomes a 409
with the stable code "stale_version".
"""
from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_standardized_errors.openapi_serializers import ClientErrorEnum
from rest_framework import exceptions, serializers, status
from rest_framework.fields import get_error_detail
from rest_framework.settings import api_settings

from concierge.api.fields import TextChoicesField
from concierge.guests.services import StaleVersionError


class StaleVersion(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This record was changed by someone else. Reload it and apply your change again.")
    default_code = "stale_version"


def validation_error_from_django(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A DRF ValidationError with the same fields, messages and codes ("__all__" -> non_field_errors)."""
    detail = get_error_detail(exc)
    if isinstance(detail, dict) and NON_FIELD_ERRORS in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
    elif isinstance(detail, list):
        detail = {api_settings.NON_FIELD_ERRORS_KEY: detail}
    return exceptions.ValidationError(detail)


def to_api_exception(exc: Exception) -> Exception:
    """Translate domain exceptions; anything else passes through to DRF's handling unchanged."""
    if isinstance(exc, StaleVersionError):
        return StaleVersion(detail=" ".join(exc.messages) or None)
    if isinstance(exc, DjangoValidationError):
        return validation_error_from_django(exc)
    if isinstance(exc, OverflowError):  # a number beyond the database's integer range in a filter (SQLite)
        from rest_framework.exceptions import ParseError

        return ParseError(detail="A number in the request is out of range.")
    return exc


# --- OpenAPI description of the 409 response (same shape as drf-standardized-errors' client errors) --------


class StaleVersionErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=[("stale_version", "stale_version")])
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponse409Serializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = StaleVersionErrorSerializer(many=True)


# --- OpenAPI description of the 429 of POST /api/v1/auth/token/: DRF's throttle or django-axes' lockout ----------


class TokenError429Code(models.TextChoices):
    THROTTLED = "throttled", "throttled"
    LOCKED_OUT = "locked_out", "locked_out (django-axes: too many failed sign-ins for this username and address)"


class TokenError429Serializer(serializers.Serializer):
    code = TextChoicesField(TokenError429Code)
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class TokenErrorResponse429Serializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = TokenError429Serializer(many=True)
