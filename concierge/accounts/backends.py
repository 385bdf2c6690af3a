"""Authentication backend that refuses the published demo accounts unless demo logins are allowed."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class ConciergeModelBackend(ModelBackend):
    """Django's model backend, plus: demo accounts (published password) only work when allowed."""

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not settings.DEMO_LOGINS_ALLOWED:
            return False
        return super().user_can_authenticate(user)
