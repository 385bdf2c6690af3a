"""The OpenAPI schema and a small offline page that lists the endpoints (no CDN, no vendored Swagger UI)."""
from __future__ import annotations

from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView

from concierge.api.permissions import CanUseGuestData


class SchemaApi(SpectacularAPIView):
    """OpenAPI 3 schema (YAML by default, `?format=json` for JSON), for signed-in staff."""

    permission_classes = [CanUseGuestData]


class ApiDocsView(TemplateView):
    """Renders the schema in the browser from `/api/v1/schema/?format=json`; the page itself holds no data."""

    template_name = "api/docs.html"
