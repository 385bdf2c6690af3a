"""Hardening (issue 9 item 5): deploy checks, security headers and CSP, API throttling, upload limits, error pages.

This module doubles as a URLconf (`ROOT_URLCONF = __name__` in the error-page tests): the real routes plus three views
that fail on purpose, with the project's error handlers.
"""
from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from rest_framework.test import APIClient

from concierge.urls import handler400, handler403, handler404, handler500  # noqa: F401  (this module is a URLconf)

BASE_DIR = Path(__file__).resolve().parents[3]


def _boom(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    raise RuntimeError("SELECT secret_column FROM guests_guest WHERE id = 1 -- traceback bait")


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("internal reason")


def _suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("internal reason")


urlpatterns = [
    path("boom/", _boom),
    path("api/v1/boom/", _boom),
    path("forbidden/", _forbidden),
    path("suspicious/", _suspicious),
    path("", include("concierge.urls")),
]


def _production_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CONCIERGE_", "CSP_"))}
    env.update({
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "CONCIERGE_FIELD_KEYS": Fernet.generate_key().decode(),
        "CONCIERGE_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": "crm.example.com",
        "DJANGO_SETTINGS_MODULE": "concierge.settings",
    })
    return env


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=_production_env(), capture_output=True, text=True, timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_production_settings_turn_on_https_only_cookies_and_hsts() -> None:
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.X_FRAME_OPTIONS, s.SECURE_PROXY_SSL_HEADER)")
    env = _production_env() | {"DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO"}
    out = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["31536000", "True", "True", "True", "True", "Lax", "DENY", "('HTTP_X_FORWARDED_PROTO',",
                                  "'https')"]
    env["DJANGO_SECURE_HSTS_SECONDS"] = "0"
    off = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                         timeout=120)
    assert off.stdout.split()[0] == "0"


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in header.split("; ")}


@pytest.mark.django_db
def test_every_response_carries_the_security_headers_and_a_fresh_csp_nonce(client, manager, guest_a) -> None:
    client.force_login(manager)
    first = client.get(f"/guests/{guest_a.pk}/")
    assert first.status_code == 200
    policy = _csp(first)
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    nonce = re.search(r"'nonce-([^']+)'", policy["script-src"]).group(1)
    assert first["X-Frame-Options"] == "DENY"
    assert first["X-Content-Type-Options"] == "nosniff"
    assert first["Referrer-Policy"] == "same-origin"
    second = client.get(f"/guests/{guest_a.pk}/")
    assert re.search(r"'nonce-([^']+)'", _csp(second)["script-src"]).group(1) != nonce
    # Also on API answers, redirects and the login page.
    for response in (client.get("/api/v1/guests/"), APIClient().get("/api/v1/guests/"), client.get("/login/")):
        assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/dashboards/", "/segments/new/", "/pipeline/", "/value/", "/value/rfm/", "/clv/models/",
                                 "/service/metrics/", "/api/v1/docs/"])
def test_every_inline_script_carries_the_request_nonce(client, manager, url) -> None:
    client.force_login(manager)
    response = client.get(url, follow=True)
    assert response.status_code == 200, url
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    executable = [attrs for attrs in inline if "application/json" not in attrs]
    assert all(f'nonce="{nonce}"' in attrs for attrs in executable), (url, executable)
    # No inline event-handler attributes: the policy would block them.
    assert not re.search(r"<[a-z][^>]*\son(click|change|submit|load|input)=", html), url


def _token_post(api: APIClient) -> int:
    return api.post("/api/v1/auth/token/", {"username": "alice", "password": "test-password-123"},
                    format="json").status_code


@pytest.mark.django_db
def test_anonymous_api_calls_are_throttled_per_address(settings, frontdesk_a) -> None:
    # The token endpoint is the one API address open to anonymous clients; everything else answers 401 first.
    cache.clear()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/minute", "auth_token": "100/minute"}}
    codes = [_token_post(APIClient()) for _ in range(4)]
    other_address = APIClient(REMOTE_ADDR="10.1.2.3")
    other = _token_post(other_address)
    cache.clear()
    assert codes == [200, 200, 200, 429] and other == 200


@pytest.mark.django_db
def test_signed_in_users_have_their_own_rate(settings, manager) -> None:
    cache.clear()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "1/minute", "user": "2/minute"}}
    api = APIClient()
    api.force_authenticate(manager)
    responses = [api.get("/api/v1/guests/") for _ in range(3)]
    cache.clear()
    assert [r.status_code for r in responses] == [200, 200, 429]
    body = responses[2].json()
    assert body["type"] == "client_error" and body["errors"][0]["code"] == "throttled"


@pytest.mark.django_db
def test_the_token_endpoint_has_a_stricter_scope(settings, frontdesk_a) -> None:
    cache.clear()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "100/minute", "auth_token": "2/minute"}}
    api = APIClient()
    codes = [_token_post(api) for _ in range(3)]
    api.force_authenticate(frontdesk_a)
    other = api.get("/api/v1/guests/").status_code  # the rest of the API is not affected
    cache.clear()
    assert codes == [200, 200, 429] and other == 200


@pytest.mark.django_db
def test_import_upload_refuses_a_wrong_type_and_a_binary_posing_as_csv(client, manager, property_a) -> None:
    client.force_login(manager)
    api = APIClient()
    api.force_authenticate(manager)
    exe = SimpleUploadedFile("guests.exe", b"MZ\x90\x00\x03\x00", content_type="application/octet-stream")
    response = api.post("/api/v1/imports/", {"file": exe, "kind": "guests", "property": "SHA"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "file"
    fake = SimpleUploadedFile("guests.csv", b"\x00\x01\x02binary\x00" * 10, content_type="text/csv")
    response = api.post("/api/v1/imports/", {"file": fake, "kind": "guests", "property": "SHA"}, format="multipart")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "file"
    fake_xlsx = SimpleUploadedFile("guests.xlsx", b"name,phone\nA,1\n", content_type="application/vnd.ms-excel")
    response = api.post("/api/v1/imports/", {"file": fake_xlsx, "kind": "guests", "property": "SHA"},
                        format="multipart")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "file"


def test_validate_upload_limits_size_and_names_the_field() -> None:
    from django.core.exceptions import ValidationError

    from concierge.core.security import validate_upload

    big = SimpleUploadedFile("cards.csv", b"a,b\n" * 300, content_type="text/csv")
    with pytest.raises(ValidationError) as exc:
        validate_upload(big, allowed_extensions=("csv",), max_bytes=1000)
    assert "too large" in " ".join(exc.value.message_dict["file"])
    ok = SimpleUploadedFile("cards.CSV", "姓名,电话\n张伟,13800138000\n".encode("gb18030"), content_type="text/csv")
    validate_upload(ok, allowed_extensions=("csv",), max_bytes=1000)
    assert ok.read().startswith("姓名".encode("gb18030"))  # the check leaves the file at its start


@pytest.mark.django_db
def test_lead_upload_refuses_a_file_of_another_type(manager) -> None:
    from django.core.exceptions import ValidationError

    from concierge.attribution.services import lead_import_upload
    from concierge.campaigns.models import Campaign, CampaignKind

    campaign = Campaign.objects.create(name="ITB 2026", kind=CampaignKind.TRADE_SHOW)
    upload = SimpleUploadedFile("cards.html", b"<html><script>alert(1)</script></html>", content_type="text/html")
    with pytest.raises(ValidationError) as exc:
        lead_import_upload(actor=manager, campaign=campaign, upload=upload, enqueue=False)
    assert "file" in exc.value.message_dict


def test_request_bodies_are_limited() -> None:
    from django.conf import settings

    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 5 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == int(2.5 * 1024 * 1024)


@pytest.mark.django_db
def test_an_oversized_form_body_is_a_clean_400(client, manager, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client.force_login(manager)
    response = client.post("/login/", {"username": "x" * 5000, "password": "y"})
    assert response.status_code == 400
    assert b"Traceback" not in response.content and b"RequestDataTooBig" not in response.content


# --- error pages ------------------------------------------------------------------------------------------------

LEAKS = (b"Traceback", b"SELECT", b"secret_column", b"RuntimeError", b"internal reason", b"File \"")


@pytest.fixture
def error_urls(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False


@pytest.mark.django_db
def test_a_server_error_shows_no_stack_trace_or_sql(client, manager, error_urls) -> None:
    client.raise_request_exception = False
    client.force_login(manager)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert not [leak for leak in LEAKS if leak in response.content]
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_a_server_error_under_the_api_is_json(client, manager, error_urls) -> None:
    client.raise_request_exception = False
    client.force_login(manager)
    response = client.get("/api/v1/boom/")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json() == {"type": "server_error", "errors": [{"code": "error", "detail": "Something went wrong",
                                                                    "attr": None}]}
    assert not [leak for leak in LEAKS if leak in response.content]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "status", "title"), [
    ("/forbidden/", 403, b"Access denied"),
    ("/suspicious/", 400, b"Bad request"),
    ("/no-such-page/", 404, b"Page not found"),
])
def test_client_errors_use_the_friendly_pages(client, manager, error_urls, url, status, title) -> None:
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == status
    assert title in response.content
    assert not [leak for leak in LEAKS if leak in response.content]


@pytest.mark.django_db
def test_an_unknown_api_address_is_a_json_404(client, manager) -> None:
    client.force_login(manager)
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "not_found"


@pytest.mark.django_db
def test_a_bad_host_header_is_a_plain_400(client) -> None:
    response = client.get("/login/", HTTP_HOST="evil.example.org")
    assert response.status_code == 400
    assert b"Bad request" in response.content and b"ALLOWED_HOSTS" not in response.content
