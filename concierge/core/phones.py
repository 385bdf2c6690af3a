"""Phone numbers: any input format in, E.164 out (default region from settings, CN by default)."""
from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_DIGITS_RE = re.compile(r"\D")


def normalize_phone(raw: str, *, region: str | None = None) -> str:
    """Return the E.164 form of `raw` ("138 1234 5678", "+86-138...", "0086 138...", "(010) 6552 9988").

    Raises ValidationError for text that is not a possible phone number.
    """
    text = (raw or "").strip()
    if not text:
        return ""
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region or settings.DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("“%(value)s” is not a phone number."), code="invalid_phone", params={"value": raw}) from exc
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(_("“%(value)s” is not a phone number."), code="invalid_phone", params={"value": raw})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_search_keys(e164: str) -> set[str]:
    """Digit keys for look-up: the full E.164 digits and the national significant number."""
    if not e164:
        return set()
    keys = {e164.lstrip("+")}
    try:
        number = phonenumbers.parse(e164, None)
        keys.add(phonenumbers.national_significant_number(number))
    except phonenumbers.NumberParseException:
        pass
    return keys


def digits_only(text: str) -> str:
    return _DIGITS_RE.sub("", text or "")


def format_phone(e164: str) -> str:
    """Human form: national format for the default region, international otherwise."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = phonenumbers.region_code_for_number(number)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == settings.DEFAULT_PHONE_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)
