"""The API's exception handler: drf-standardized-errors', except that a lost database connection answers 503
`database_unavailable` with Retry-After (as the web pages do, see core.security.server_error) instead of a 500."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions
from rest_framework.response import Response

from concierge.core.security import DATABASE_RETRY_AFTER_SECONDS, is_database_outage


class DatabaseUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = _("The database cannot be reached for a moment. Please retry in a few seconds.")
    default_code = "database_unavailable"


class OutageAwareExceptionHandler(ExceptionHandler):
    def convert_unhandled_exceptions(self, exc: Exception) -> exceptions.APIException:
        if is_database_outage(exc):
            return DatabaseUnavailable()
        return super().convert_unhandled_exceptions(exc)

    def get_response(self, exc: exceptions.APIException, data: dict) -> Response:
        response = super().get_response(exc, data)
        if isinstance(exc, DatabaseUnavailable):
            response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
