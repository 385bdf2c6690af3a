"""Negotiated rate validation: errors name the field and the row."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from concierge.contracts import services
from concierge.contracts.services import RateInput

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def _rate(prop, room="标准间", start=(2026, 1, 1), end=(2026, 6, 30), rate="500") -> RateInput:
    return RateInput(property_id=prop.pk, room_type=room, season_start=dt.date(*start), season_end=dt.date(*end),
                     rate=Decimal(rate))


def _errors(rates, property_ids) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        services.rates_validate(start_date=START, end_date=END, property_ids=property_ids, rates=rates)
    return exc.value.message_dict


def test_overlapping_seasons_of_one_room_type_are_refused(property_a):
    errors = _errors([_rate(property_a), _rate(property_a, start=(2026, 6, 30), end=(2026, 12, 31))], [property_a.pk])
    assert errors == {"season_start": ["Rate row 2: the season overlaps another season of the same property and "
                                       "room type."]}


def test_same_dates_for_another_room_type_or_property_are_fine(property_a, property_b):
    services.rates_validate(start_date=START, end_date=END, property_ids=[property_a.pk, property_b.pk], rates=[
        _rate(property_a), _rate(property_a, room="豪华套房"), _rate(property_b)])


def test_seasons_outside_the_validity_and_foreign_properties_are_refused(property_a, property_b):
    errors = _errors([_rate(property_a, start=(2025, 12, 1)), _rate(property_b, end=(2027, 1, 5)),
                      _rate(property_a, room="套房", rate="-1")], [property_a.pk])
    assert errors["season_start"] == ["Rate row 1: the season must start within the contract's validity."]
    assert errors["season_end"] == ["Rate row 2: the season must end within the contract's validity."]
    assert errors["property"] == ["Rate row 2: the property is not one of the contract's properties."]
    assert errors["rate"] == ["Rate row 3: the rate must be zero or more."]


def test_create_refuses_bad_rates_and_saves_nothing(rep, company, property_a):
    from concierge.contracts.models import Contract

    with pytest.raises(ValidationError):
        services.contract_create(actor=rep, company=company, title="t", start_date=START, end_date=END,
                                 properties=[property_a], rates=[_rate(property_a), _rate(property_a)])
    assert not Contract.objects.exists()


def test_end_before_start_names_the_field(rep, company, property_a):
    with pytest.raises(ValidationError) as exc:
        services.contract_create(actor=rep, company=company, title="t", start_date=END, end_date=START,
                                 properties=[property_a])
    assert list(exc.value.message_dict) == ["end_date"]
