"""Small builders for dedupe tests: guests through the real service, so search keys and documents exist."""
from __future__ import annotations

import datetime as dt
from typing import Any

from concierge.guests.models import Guest
from concierge.guests.services import guest_create


def make_guest(actor: Any, prop: Any, **values: Any) -> Guest:
    values.setdefault("family_name", "")
    return guest_create(actor=actor, property=prop, **values)


def zhang_wei(actor: Any, prop: Any, **values: Any) -> Guest:
    """张伟 born 1985-03-07 with a mobile phone; override any field."""
    base: dict[str, Any] = {
        "family_name": "张", "given_name": "伟", "birthday": dt.date(1985, 3, 7), "phone": "13912345678",
        "gender": "M",
    }
    base.update(values)
    return make_guest(actor, prop, **base)
