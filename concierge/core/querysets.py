"""QuerySet base with `visible_to(user)`: property scoping applied in one place (guests.scoping)."""
from __future__ import annotations

import types
from typing import Any

from django.db import models


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> "ScopedQuerySet":
        from concierge.guests.scoping import scope_queryset

        return scope_queryset(self, user)


def with_known_count(queryset: models.QuerySet, count: int) -> models.QuerySet:
    """The same queryset whose `count()` answers `count` without a query: for paginating a large materialised table
    whose size its refresh already recorded. Only `count()` of this object changes; slices (the page) still query.

    A bound method, not a plain function: Django's Paginator uses `count()` only when it takes no arguments
    as a method, and would otherwise fall back to `len()` — loading every row.
    """
    queryset.count = types.MethodType(lambda self: count, queryset)  # type: ignore[method-assign]
    return queryset


def version_bump(model: type[models.Model]) -> dict[str, Any]:
    """`update(**version_bump(model))` for bulk changes (handover, merge, deactivation): rows of a model with an
    optimistic-locking `version` get a new one, so an edit form opened before the change is refused instead of
    writing the old values back. Empty for models without it."""
    has_version = any(f.name == "version" and isinstance(f, models.IntegerField) for f in model._meta.concrete_fields)
    return {"version": models.F("version") + 1} if has_version else {}
