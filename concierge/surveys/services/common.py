"""Small helpers shared by the survey services."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def field_error(field: str, message: Any, code: str) -> ValidationError:
    """A ValidationError on one field whose message carries a stable code (the API returns it)."""
    return ValidationError({field: [ValidationError(message, code=code)]})


def actor_or_none(actor: Any) -> Any:
    """The acting user for a foreign key; None for the system (Celery, the guest's own answer)."""
    return actor if getattr(actor, "pk", None) else None
