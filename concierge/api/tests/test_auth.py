"""Token authentication, and the demo accounts being refused when demo logins are off."""
from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from concierge.api.tests.factories import error_codes

TOKEN_URL = "/api/v1/auth/token/"
PASSWORD = "test-password-123"


@pytest.fixture
def demo_user(frontdesk_a):
    frontdesk_a.is_demo = True
    frontdesk_a.save(update_fields=["is_demo"])
    return frontdesk_a


def test_a_token_is_issued_for_a_valid_password_and_opens_the_api(frontdesk_a, guest_a):
    client = APIClient()
    response = client.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=frontdesk_a).key

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listing = client.get("/api/v1/guests/")
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()["results"]] == [guest_a.pk]


def test_asking_twice_returns_the_same_token(frontdesk_a):
    client = APIClient()
    first = client.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}, format="json").json()["token"]
    second = client.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}, format="json").json()["token"]
    assert first == second


def test_a_wrong_password_is_refused_with_a_stable_code(frontdesk_a):
    response = APIClient().post(TOKEN_URL, {"username": "alice", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"non_field_errors": "invalid_credentials"}
    assert not Token.objects.exists()


def test_missing_credentials_name_the_fields(db):
    response = APIClient().post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"username": "required", "password": "required"}


def test_requests_without_credentials_are_refused_with_401(db):
    response = APIClient().get("/api/v1/guests/")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_an_unknown_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert client.get("/api/v1/guests/").status_code == 401


def test_a_demo_account_gets_no_token_when_demo_logins_are_off(settings, demo_user):
    settings.DEMO_LOGINS_ALLOWED = False
    response = APIClient().post(TOKEN_URL, {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"non_field_errors": "invalid_credentials"}
    assert not Token.objects.filter(user=demo_user).exists()


def test_a_demo_account_gets_a_token_while_demo_logins_are_allowed(settings, demo_user):
    settings.DEMO_LOGINS_ALLOWED = True
    response = APIClient().post(TOKEN_URL, {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_an_existing_demo_token_stops_working_when_demo_logins_are_switched_off(settings, demo_user):
    token = Token.objects.create(user=demo_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    settings.DEMO_LOGINS_ALLOWED = True
    assert client.get("/api/v1/guests/").status_code == 200

    settings.DEMO_LOGINS_ALLOWED = False
    response = client.get("/api/v1/guests/")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "authentication_failed"


def test_a_deactivated_users_token_is_refused(frontdesk_a):
    token = Token.objects.create(user=frontdesk_a)
    frontdesk_a.is_active = False
    frontdesk_a.save(update_fields=["is_active"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/guests/").status_code == 401
