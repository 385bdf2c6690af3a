"""Sign-in hardening: failed-login lockout (django-axes) and TOTP two-factor for managers and administrators."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

PASSWORD = "a-long-Passphrase-2026"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def boss(db, property_a):
    user = get_user_model().objects.create_user("boss", password=PASSWORD, role="manager")
    user.properties.add(property_a)
    return user


@pytest.fixture
def clerk(db, property_a):
    user = get_user_model().objects.create_user("clerk", password=PASSWORD, role="front_desk")
    user.properties.add(property_a)
    return user


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_username_even_for_the_right_password(client, clerk) -> None:
    url = reverse("web:login")
    for _ in range(5):
        response = client.post(url, {"username": "clerk", "password": "wrong"})
        assert response.status_code in (200, 429)
    locked = client.post(url, {"username": "clerk", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The API token endpoint is locked for that username too.
    api = APIClient(REMOTE_ADDR="127.0.0.1")
    token = api.post("/api/v1/auth/token/", {"username": "clerk", "password": PASSWORD}, format="json")
    assert token.status_code == 429 and token.json()["errors"][0]["code"] == "locked_out"


@pytest.mark.django_db
def test_a_right_password_before_the_limit_signs_in_and_resets_the_count(client, clerk) -> None:
    url = reverse("web:login")
    for _ in range(3):
        client.post(url, {"username": "clerk", "password": "wrong"})
    assert client.post(url, {"username": "clerk", "password": PASSWORD}).status_code == 302
    client.post(reverse("web:logout"))
    for _ in range(3):
        client.post(url, {"username": "clerk", "password": "wrong"})
    assert client.post(url, {"username": "clerk", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_manager_must_enrol_then_verify_a_totp_code(client, boss, clerk, settings) -> None:
    settings.TWO_FACTOR_REQUIRED = True
    assert client.post(reverse("web:login"), {"username": "boss", "password": PASSWORD}).status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:two_factor_setup"))
    assert client.get("/api/v1/guests/").status_code == 403  # the API too, through the session
    setup = client.get(reverse("accounts:two_factor_setup"))
    assert setup.status_code == 200 and "<svg" in setup.content.decode()
    device = TOTPDevice.objects.get(user=boss, confirmed=False)
    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": "000000", "next": "/"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guessing after a wrong code; this test need not wait
    done = client.post(reverse("accounts:two_factor_setup"), {"code": _code(device), "next": "/"})
    assert done.status_code == 302
    assert client.get("/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    # Next sign-in: the code is asked for again.
    client.post(reverse("web:logout"))
    client.post(reverse("web:login"), {"username": "boss", "password": PASSWORD})
    again = client.get("/")
    assert again["Location"].startswith(reverse("accounts:two_factor_verify"))
    device.last_t = -1  # allow the same time step again in this fast test
    device.save(update_fields=["last_t"])
    device.throttle_reset()
    assert client.post(reverse("accounts:two_factor_verify"), {"code": _code(device), "next": "/"}).status_code == 302
    assert client.get("/").status_code == 200

    # Roles without the requirement are not asked.
    other = client.__class__()
    other.post(reverse("web:login"), {"username": "clerk", "password": PASSWORD})
    assert other.get("/").status_code == 200


@pytest.mark.django_db
def test_api_token_needs_the_code_for_two_factor_roles(boss, settings) -> None:
    settings.TWO_FACTOR_REQUIRED = True
    api = APIClient()
    refused = api.post("/api/v1/auth/token/", {"username": "boss", "password": PASSWORD}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "two_factor_setup_required"
    device = TOTPDevice.objects.create(user=boss, name="phone", confirmed=True)
    bad = api.post("/api/v1/auth/token/", {"username": "boss", "password": PASSWORD, "otp": "123"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "otp"
    good = api.post("/api/v1/auth/token/", {"username": "boss", "password": PASSWORD, "otp": _code(device)},
                    format="json")
    assert good.status_code == 200 and good.json()["token"]
