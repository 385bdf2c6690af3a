"""Authentication backend that refuses the published demo accounts unless demo logins are allowed."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend


class ConciergeModelBackend(ModelBackend):
    """Django's model backend, plus: demo accounts (published password) only work when allowed."""

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not settings.DEMO_LOGINS_ALLOWED:
            return False
        return super().user_can_authenticate(user)


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS: refuses a locked-out username early.

    Two gaps of the standalone backend are closed here: a session recorded with this backend (Django's
    `force_login` picks the first backend) loads its user through `ConciergeModelBackend`, and an `authenticate()`
    call without a request (management commands, scripts) is left to the next backend instead of failing, as there
    is no client address to count failures against.
    """

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        return ConciergeModelBackend().get_user(user_id)
