"""TOTP two-factor sign-in (django-otp): who needs it, enrolment with a QR code (segno), verification."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice


def needs_two_factor(user: Any) -> bool:
    return bool(user.is_superuser or getattr(user, "role", "") in settings.TWO_FACTOR_ROLES)


def has_confirmed_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: Any) -> TOTPDevice:
    """The unconfirmed device being enrolled (created once; its secret stays the same until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL of the device as an inline SVG QR code (scanned by any authenticator app)."""
    import segno

    return segno.make(device.config_url, error="m").svg_inline(scale=5)


def verify_code(user: Any, code: str, *, confirm: bool = False) -> TOTPDevice | None:
    """The device that accepts `code` (6 digits), or None. With `confirm`, an enrolment is completed."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    devices = TOTPDevice.objects.filter(user=user, confirmed=not confirm) if confirm else \
        TOTPDevice.objects.filter(user=user, confirmed=True)
    for device in devices:
        if device.verify_token(code):
            if confirm:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            return device
    return None
