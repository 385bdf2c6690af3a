"""Single-use survey links: a random public id, signed with the secret key.

The link is `<public_id>:<signature>`. The signature (HMAC-SHA256 via django.core.signing, with its
own salt) means a link cannot be guessed or altered, and a database dump alone (which holds the
public ids) cannot be turned into working links. Expiry and "already answered" are decided by the
invitation row, so they can be changed (extended, revoked) after the mail went out.
"""
from __future__ import annotations

import secrets

from django.core import signing

SALT = "concierge.surveys.invitation"


class InvalidLink(Exception):
    """The link was not made by us (forged, altered or truncated)."""


def new_public_id() -> str:
    """128 bits of randomness, URL-safe (22 characters)."""
    return secrets.token_urlsafe(16)


def link_token(public_id: str) -> str:
    return signing.Signer(salt=SALT).sign(public_id)


def public_id_from_token(token: str) -> str:
    """The public id inside a genuine token; raises InvalidLink for anything else."""
    try:
        return signing.Signer(salt=SALT).unsign(token or "")
    except signing.BadSignature as exc:
        raise InvalidLink(str(exc)) from exc
