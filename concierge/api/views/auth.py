"""API tokens: exchange a username and password for a token (DRF authtoken)."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from concierge.accounts.two_factor import has_confirmed_device, needs_two_factor, verify_code
from concierge.api.base import ConciergeApi
from concierge.api.errors import TokenErrorResponse429Serializer
from concierge.api.services import api_token_issue
from concierge.core.security import AnonThrottle, TokenObtainRateThrottle


class TokenObtainInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(max_length=8, required=False, allow_blank=True,
                                help_text=_("The 6-digit authenticator code (accounts with two-factor sign-in)."))


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send as `Authorization: Token <token>`."))


@extend_validation_errors(["invalid_credentials"], field_name="non_field_errors", methods=["post"])
@extend_validation_errors(["two_factor_setup_required", "invalid_otp"], field_name="otp", methods=["post"])
class TokenObtainApi(ConciergeApi):
    # No authentication: a stale session or token must not stand in for the credentials asked for.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle, TokenObtainRateThrottle]  # plus a stricter per-address scope: password guessing

    @extend_schema(tags=["auth"], summary="Get an API token", request=TokenObtainInputSerializer,
                   responses={200: TokenOutputSerializer, 429: TokenErrorResponse429Serializer}, auth=[])
    def post(self, request: Request) -> Response:
        serializer = TokenObtainInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The auth backend refuses inactive users and, when demo logins are off, the demo accounts.
        credentials = {k: v for k, v in serializer.validated_data.items() if k != "otp"}
        user = authenticate(request=request._request, **credentials)  # the HttpRequest: django-axes reads it
        if user is None:
            raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [
                serializers.ErrorDetail(_("Unable to sign in with this username and password."),
                                        code="invalid_credentials")
            ]})
        if settings.TWO_FACTOR_REQUIRED and needs_two_factor(user):
            if not has_confirmed_device(user):
                raise serializers.ValidationError({"otp": [serializers.ErrorDetail(
                    _("Set up two-factor sign-in on the web first."), code="two_factor_setup_required")]})
            if verify_code(user, serializer.validated_data.get("otp", "")) is None:
                raise serializers.ValidationError({"otp": [serializers.ErrorDetail(
                    _("Enter the current 6-digit code from your authenticator app."), code="invalid_otp")]})
        return Response(TokenOutputSerializer({"token": api_token_issue(user=user).key}).data)
