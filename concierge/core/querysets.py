"""QuerySet base with `visible_to(user)`: property scoping applied in one place (guests.scoping)."""
from __future__ import annotations

from typing import Any

from django.db import models


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> "ScopedQuerySet":
        from concierge.guests.scoping import scope_queryset

        return scope_queryset(self, user)
