"""Signed one-click unsubscribe links: one token per guest and channel, no expiry, no login.

The token is `<channel>.<guest id>:<signature>`; the signature is HMAC-SHA256 (django.core.signing) with a salt per
channel, so a link for email cannot be edited into one for SMS, nor pointed at another guest. Links do not expire:
an unsubscribe link in a two-year-old email must still work.
"""
from __future__ import annotations

from django.core import signing
from django.urls import reverse

from concierge.messaging.choices import Channel

SALT = "concierge.messaging.unsubscribe.%s"


class InvalidToken(Exception):
    """Not a token we made (forged, altered, truncated)."""


def unsubscribe_token(*, guest_id: int, channel: str) -> str:
    return signing.Signer(salt=SALT % channel).sign(f"{channel}.{guest_id}")


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(guest id, channel) inside a genuine token; raises InvalidToken otherwise."""
    value = (token or "").rsplit(":", 1)[0]
    channel, _sep, guest_id = value.partition(".")
    if channel not in Channel.values or not guest_id.isdigit():
        raise InvalidToken("malformed")
    try:
        signing.Signer(salt=SALT % channel).unsign(token)
    except signing.BadSignature as exc:
        raise InvalidToken(str(exc)) from exc
    return int(guest_id), channel


def unsubscribe_url(*, guest_id: int, channel: str) -> str:
    """Absolute link (CONCIERGE_BASE_URL + /m/u/<token>/) for a message body and the List-Unsubscribe header."""
    from concierge.cases.notifications import absolute_url

    return absolute_url(reverse("messaging_public:unsubscribe", args=[unsubscribe_token(guest_id=guest_id,
                                                                                          channel=channel)]))
