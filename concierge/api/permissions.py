"""Who may use the API. One class, so the role matrix can be tightened in one place later."""
from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission


class CanUseGuestData(BasePermission):
    """Any signed-in, active staff user may read and write guest data within their properties.

    Property scoping is not decided here but by `visible_to(user)` on every queryset.
    """

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)
