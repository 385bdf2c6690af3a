"""Small builders for sales tests (real database rows, through services where one exists)."""
from __future__ import annotations

from typing import Any


def make_user(username: str, role: str, properties: Any = (), **extra: Any) -> Any:
    from concierge.accounts.models import User

    user = User.objects.create_user(username=username, password="test-password-123", role=role,
                                    first_name=extra.pop("first_name", username.title()), **extra)
    user.properties.set(properties)
    return user


def make_guest(actor: Any, prop: Any, family: str, given: str, **values: Any) -> Any:
    from concierge.guests.services import guest_create

    return guest_create(actor=actor, property=prop, family_name=family, given_name=given, **values)


def make_contact(actor: Any, company: Any, name: str, **values: Any) -> Any:
    from concierge.guests.services import contact_create

    return contact_create(actor=actor, company=company, name=name, **values)
