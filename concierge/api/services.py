"""Writes that belong to the API itself (not to a domain app)."""
from __future__ import annotations

from typing import Any

from rest_framework.authtoken.models import Token


def api_token_issue(*, user: Any) -> Token:
    """The user's API token, created on first request (one token per user, as DRF's authtoken keeps them)."""
    token, _created = Token.objects.get_or_create(user=user)
    return token
