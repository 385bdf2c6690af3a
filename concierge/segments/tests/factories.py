"""Small builders for segment tests: guests linked to a property, stays, survey answers, value and CLV rows."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.utils import timezone

from concierge.guests.models import Guest, GuestProperty


def make_guest(prop: Any, **fields: Any) -> Guest:
    tags = fields.pop("tags", ())
    fields.setdefault("family_name", "王")
    fields.setdefault("given_name", uuid.uuid4().hex[:4])
    guest = Guest.objects.create(**fields)
    GuestProperty.objects.create(guest=guest, property=prop)
    if tags:
        from concierge.guests.models import Tag

        guest.tags.set([Tag.objects.get_or_create(name=name)[0] for name in tags])
    return guest


def make_stay(guest: Guest, prop: Any, arrival: dt.date, *, nights: int = 1, status: str = "checked_out",
              room: str = "500", fnb: str = "0", other: str = "0", market_segment: str = "leisure") -> Any:
    from concierge.stays.models import Stay

    stay = Stay.objects.create(
        guest=guest, property=prop, arrival=arrival, departure=arrival + dt.timedelta(days=nights), room_nights=nights,
        room_revenue=Decimal(room), fnb_revenue=Decimal(fnb), other_revenue=Decimal(other), status=status,
        market_segment=market_segment,
    )
    if status in ("checked_out", "in_house") and (guest.last_stay_on is None or guest.last_stay_on < arrival):
        Guest.objects.filter(pk=guest.pk).update(last_stay_on=arrival)
        guest.last_stay_on = arrival
    return stay


def make_answer(guest: Guest, score: int, *, kind: str = "likert", when: dt.datetime | None = None) -> Any:
    from concierge.surveys.models import Answer, Invitation, Question, Response, Survey

    when = when or timezone.now()
    survey = Survey.objects.create(name=f"s-{uuid.uuid4().hex[:6]}", title_zh="问卷", title_en="Survey")
    question = Question.objects.create(survey=survey, kind=kind, text_zh="满意吗", text_en="Satisfied?")
    invitation = Invitation.objects.create(survey=survey, guest=guest, source="manual", public_id=uuid.uuid4().hex,
                                           expires_at=when + dt.timedelta(days=14))
    response = Response.objects.create(invitation=invitation, survey=survey, guest=guest, language="en",
                                       submitted_at=when)
    return Answer.objects.create(response=response, question=question, survey=survey, submitted_at=when, score=score)


def make_value(guest: Guest, cell: str) -> Any:
    from concierge.analytics.models import CustomerValue

    return CustomerValue.objects.create(guest=guest, property=None, rfm_cell=cell, r_score=int(cell[0]),
                                        f_score=int(cell[1]), m_score=int(cell[2]))


def make_clv(guest: Guest, risk: str, p_alive: float) -> Any:
    from concierge.clv.models import GuestClv

    return GuestClv.objects.create(guest=guest, property=None, churn_risk=risk, p_alive=p_alive)
