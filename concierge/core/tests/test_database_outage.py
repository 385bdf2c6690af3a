"""A lost database connection (PostgreSQL restarting) answers 503 + Retry-After, in the UI and in the API, never a
500 with details. bench/load.py --restart-postgres-at measures the real thing (recovery, no lost writes).

This module doubles as a URLconf: the real routes plus two views whose database connection "drops" (the fault is
injected by raising what psycopg raises through Django when the server goes away)."""
from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from rest_framework.request import Request
from rest_framework.views import APIView

from concierge.urls import handler400, handler403, handler404, handler500  # noqa: F401  (this module is a URLconf)


def _server_went_away(request: HttpRequest) -> HttpResponse:
    raise OperationalError("server closed the connection unexpectedly")


class _ApiServerWentAway(APIView):
    def get(self, request: Request) -> HttpResponse:
        raise InterfaceError("connection already closed")


def _bug(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug, not an outage")


urlpatterns = [
    path("outage/", _server_went_away),
    path("bug/", _bug),
    path("api/v1/outage/", _ApiServerWentAway.as_view()),
    path("", include("concierge.urls")),
]


@pytest.fixture
def outage_urls(settings, client, manager):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    client.raise_request_exception = False
    client.force_login(manager)
    return client


@pytest.mark.django_db
def test_a_lost_database_connection_is_a_friendly_503_page(outage_urls) -> None:
    response = outage_urls.get("/outage/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"Temporarily unavailable" in response.content
    assert b"server closed the connection" not in response.content


@pytest.mark.django_db
def test_a_lost_database_connection_under_the_api_is_a_json_503(outage_urls) -> None:
    response = outage_urls.get("/api/v1/outage/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    body = response.json()
    assert body["type"] == "server_error" and body["errors"][0]["code"] == "database_unavailable"
    assert "connection already closed" not in response.content.decode()


@pytest.mark.django_db
def test_other_errors_stay_500(outage_urls) -> None:
    response = outage_urls.get("/bug/")
    assert response.status_code == 500 and "Retry-After" not in response
