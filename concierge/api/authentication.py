"""Token authentication that applies the same account rules as the login form."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from concierge.accounts.backends import ConciergeModelBackend


class ConciergeTokenAuthentication(TokenAuthentication):
    """DRF tokens, but a token stops working when its user may no longer log in.

    Demo accounts share a published password: a token issued while demo logins were allowed must
    not keep working once they are switched off, so every request asks the auth backend again.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if not ConciergeModelBackend().user_can_authenticate(user):
            raise exceptions.AuthenticationFailed(_("This account cannot sign in."))
        return user, token
