"""HTTP hardening that Django does not ship: Content-Security-Policy with a per-request nonce, error pages that never
show a stack trace or SQL (JSON under /api/), a stricter throttle scope for the token endpoint, and the size/type
check shared by the upload paths (guest import, lead import).

Why a nonce and not 'unsafe-inline': the chart pages and a few forms carry small inline <script> blocks. Each one gets
`nonce="{{ csp_nonce }}"`, so only scripts the server wrote run; a script injected through stored data (a guest name,
a note) has no nonce and is refused by the browser even if some template forgot to escape it.
"""
from __future__ import annotations

import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.metadata import SimpleMetadata
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

CSP_HEADER = "Content-Security-Policy"


def build_csp(nonce: str) -> str:
    """The policy for one response. style-src keeps 'unsafe-inline': ECharts, Bootstrap and htmx set inline styles."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", f"'nonce-{nonce}'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
    extra = getattr(settings, "CSP_REPORT_URI", "")
    if extra:
        directives["report-uri"] = [extra]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class ContentSecurityPolicyMiddleware:
    """Give each request a fresh nonce (`request.csp_nonce`) and send the policy on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = secrets.token_urlsafe(18)  # type: ignore[attr-defined]
        response = self.get_response(request)
        if CSP_HEADER not in response:
            header = CSP_HEADER + ("-Report-Only" if getattr(settings, "CSP_REPORT_ONLY", False) else "")
            response[header] = build_csp(request.csp_nonce)  # type: ignore[attr-defined]
        return response


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """Template context processor: `{{ csp_nonce }}` for <script nonce="…">."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


# --- Error pages ------------------------------------------------------------------------------------------------


def _error_texts(status: int) -> tuple[str, str]:
    texts = {
        400: (_("Bad request"), _("The request could not be understood. Check the address or the form and try again.")),
        403: (_("Access denied"), _("You do not have permission to open this page.")),
        404: (_("Page not found"), _("The page you asked for does not exist or is not visible to you.")),
        500: (_("Something went wrong"),
              _("An unexpected error happened. It has been logged; please try again in a moment.")),
        503: (_("Temporarily unavailable"),
              _("The database cannot be reached for a moment (for example during maintenance). Please try again in "
                "a few seconds; if you were saving something, check whether it was saved first.")),
    }
    return texts[status]


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _error_response(request: HttpRequest, status: int) -> HttpResponse:
    title, message = _error_texts(status)
    if _wants_json(request):
        # The shape of drf-standardized-errors, so API clients parse one format for every error.
        kind = "server_error" if status >= 500 else "client_error"
        code = {400: "bad_request", 403: "permission_denied", 404: "not_found", 500: "error",
                503: "database_unavailable"}[status]
        response = JsonResponse({"type": kind, "errors": [{"code": code, "detail": str(title), "attr": None}]},
                                status=status)
    else:
        try:
            response = render(request, "errors/error.html", {"status": status, "title": title, "message": message},
                              status=status)
        except Exception:  # noqa: BLE001 - the error page itself must never fail (e.g. the database is down)
            response = HttpResponse(f"<h1>{status}</h1>", status=status, content_type="text/html")
    if status == 503:
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


# A lost database connection (PostgreSQL restarting, fail-over) is not a bug: answer 503 + Retry-After. Django's
# connection health checks reconnect on the next request, so clients that retry recover by themselves.
DATABASE_OUTAGE_ERRORS = (OperationalError, InterfaceError)
DATABASE_RETRY_AFTER_SECONDS = 5


def is_database_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_OUTAGE_ERRORS)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_response(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_response(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_response(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its `except` block, so the exception being handled is still in sys.exc_info().
    return _error_response(request, 503 if is_database_outage(sys.exc_info()[1]) else 500)


# --- API throttling ---------------------------------------------------------------------------------------------


class _LiveRatesMixin:
    """Read the rate from settings at request time (DRF binds THROTTLE_RATES at import), so env/tests can change it."""

    scope: str

    def get_rate(self) -> str | None:
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)


class AnonThrottle(_LiveRatesMixin, AnonRateThrottle):
    """Anonymous clients, per address."""


class UserThrottle(_LiveRatesMixin, UserRateThrottle):
    """Signed-in users (session or token), per user."""


class TokenObtainRateThrottle(_LiveRatesMixin, AnonRateThrottle):
    """Per client address on POST /api/v1/auth/token/ (password guessing), stricter than the anonymous rate."""

    scope = "auth_token"


# --- Uploads ----------------------------------------------------------------------------------------------------


def validate_upload(upload: Any, *, allowed_extensions: tuple[str, ...], max_bytes: int,
                    field: str = "file") -> None:
    """Refuse an uploaded file that is too large or not one of the allowed types (by extension and content).

    Raises a Django ValidationError naming the field. The content check rejects binaries posing as CSV (a NUL byte
    in the first kilobyte) and anything that is not a zip container posing as .xlsx.
    """
    limit = max_bytes
    name = getattr(upload, "name", "") or ""
    extension = Path(name).suffix.lower().lstrip(".")
    if extension not in allowed_extensions:
        raise ValidationError({field: _("Upload a file of one of these types: %(types)s.")
                               % {"types": ", ".join(allowed_extensions)}}, code="file_type")
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError({field: _("The file is too large (limit: %(limit)s MB).")
                               % {"limit": round(limit / 1_048_576, 1)}}, code="file_too_large")
    head = b""
    if hasattr(upload, "read"):
        position = upload.tell() if hasattr(upload, "tell") else 0
        head = upload.read(1024) or b""
        if hasattr(upload, "seek"):
            upload.seek(position)
    if isinstance(head, str):
        head = head.encode("utf-8", "replace")
    if extension == "xlsx" and head and not head.startswith(b"PK"):
        raise ValidationError({field: _("This is not an Excel (.xlsx) file.")}, code="file_type")
    if extension in {"csv", "txt", "tsv"} and b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError({field: _("This is not a text (CSV) file.")}, code="file_type")


# --- OPTIONS ----------------------------------------------------------------------------------------------------


class SchemaOnlyMetadata(SimpleMetadata):
    """OPTIONS answers name, description and media types, without the per-field "actions" block: DRF builds that
    from `get_serializer()`, which our endpoints (one input and one output serializer each) do not define, so
    OPTIONS crashed with a 500 (found by schemathesis). Field-level documentation is the OpenAPI schema."""

    def determine_actions(self, request: Any, view: Any) -> dict[str, Any]:
        return {}


# --- OpenAPI: document the validation errors of query parameters ----------------------------------------------

_GENERIC_VALIDATION_ERROR = {
    "type": "object",
    "description": "Invalid query parameters (or body fields) the endpoint validates itself.",
    "properties": {
        "type": {"$ref": "#/components/schemas/ValidationErrorEnum"},
        "errors": {"type": "array", "items": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "detail": {"type": "string"},
                           "attr": {"type": "string", "nullable": True}},
            "required": ["code", "detail", "attr"],
        }},
    },
    "required": ["errors", "type"],
}


def document_query_validation_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular post-processing hook. Many GET endpoints validate their query string with a serializer and
    answer 400 `validation_error`, but drf-standardized-errors documents only `client_error` (parse error) for them
    (found by schemathesis). Add a generic validation-error variant to every 400 response that lacks one."""
    schemas = result.get("components", {}).get("schemas", {})
    if "ValidationErrorEnum" not in schemas:
        return result
    schemas.setdefault("QueryValidationError", _GENERIC_VALIDATION_ERROR)
    ref = "#/components/schemas/QueryValidationError"
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            response = operation.get("responses", {}).get("400") if isinstance(operation, dict) else None
            if not response:
                continue
            schema_ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
            component = schemas.get(schema_ref.rsplit("/", 1)[-1]) if schema_ref else None
            if not component or "discriminator" not in component:
                continue
            mapping = component["discriminator"].setdefault("mapping", {})
            if "validation_error" not in mapping:
                mapping["validation_error"] = ref
                component["oneOf"].append({"$ref": ref})
    return result
