"""The OpenAPI schema and the offline docs page."""
from __future__ import annotations

import re

from django.core.management import call_command
from rest_framework.test import APIClient


def test_the_schema_is_openapi_3_json_listing_the_endpoints(client_a):
    response = client_a.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/guests/", "/api/v1/guests/{id}/card/", "/api/v1/guests/lookup/", "/api/v1/search/",
                 "/api/v1/timeline/", "/api/v1/auth/token/"):
        assert path in schema["paths"]
    assert "409" in schema["paths"]["/api/v1/guests/{id}/"]["patch"]["responses"]


def test_the_schema_is_for_signed_in_users_only(db):
    assert APIClient().get("/api/v1/schema/").status_code == 401


def test_the_schema_generates_without_warnings(tmp_path):
    # Same as `manage.py spectacular --validate --fail-on-warn`: a new endpoint without annotations fails here.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


def test_the_docs_page_reads_the_schema_and_loads_nothing_from_a_cdn(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/schema/?format=json" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
