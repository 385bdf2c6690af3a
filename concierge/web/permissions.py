"""Rules for sensitive actions in the web UI, each in one function so it can be tightened in one place."""
from __future__ import annotations

from typing import Any


def can_reveal_id(user: Any) -> bool:
    """Who may see a full ID-document number. For now any active staff user; every reveal is audited."""
    return bool(user and user.is_authenticated and user.is_active)
