"""Journey fixtures: a marketer, email templates, guests who consented, and helpers to make journeys and stays."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from concierge.journeys.models import Journey, JourneyStep
from concierge.messaging.tests.factories import make_guest, make_template


@pytest.fixture
def marketer(property_a: Any) -> Any:
    from concierge.accounts.models import User

    return User.objects.create_user(username="mia", password="test-password-123", role="marketing", first_name="Mia")


@pytest.fixture
def email_template(db: Any) -> Any:
    return make_template("email", code="greeting", subject_zh="{{ guest.name }}，生日快乐！",
                         subject_en="Happy birthday, {{ guest.name }}!",
                         body_zh="尊敬的{{ guest.name }}：祝您生日快乐！"
                                 "{% if survey_url %} {{ survey_url }}{% endif %}",
                         body_en="Dear {{ guest.name }}, happy birthday!{% if survey_url %} {{ survey_url }}{% endif %}")


@pytest.fixture
def no_quiet_hours(property_a: Any) -> Any:
    from concierge.messaging.models import SuppressionRule

    return SuppressionRule.objects.create(property=property_a, quiet_start=None, quiet_end=None, monthly_cap=None)


def journey(trigger: str, params: dict[str, Any] | None = None, *, steps: list[tuple[str, dict]] | None = None,
            enabled: bool = True, **extra: Any) -> Journey:
    j = Journey.objects.create(name=f"{trigger} journey", trigger_kind=trigger, trigger_params=params or {},
                               enabled=enabled, **extra)
    for position, (kind, step_params) in enumerate(steps or []):
        JourneyStep.objects.create(journey=j, position=position, kind=kind, params=step_params)
    return j


SEND = ("send_message", {"template_code": "greeting", "channel": "email"})


def guest(actor: Any, prop: Any, **extra: Any) -> Any:
    return make_guest(actor, prop, **extra)


def stay(guest_: Any, prop: Any, *, arrival: dt.date, nights: int = 2, status: str = "checked_out") -> Any:
    from concierge.stays.models import Stay

    return Stay.objects.create(guest=guest_, property=prop, arrival=arrival,
                               departure=arrival + dt.timedelta(days=nights), room_nights=nights, status=status,
                               room_revenue=Decimal("1000"))
