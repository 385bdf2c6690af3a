"""Every condition field, with a guest it matches and guests it does not, on real rows (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from concierge.segments.conditions import REGISTRY, clean_definition, describe_definition
from concierge.segments.selectors import count_definition, segment_queryset

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


# (field, operator, value, the cast members expected among one/two/three)
CASES = [
    ("region", "in", ["east"], {"one"}),
    ("region", "in", ["north", "international"], {"two", "three"}),
    ("region", "not_in", ["east"], {"two", "three"}),
    ("region", "in", ["unknown"], set()),
    ("company_region", "in", ["south"], {"one"}),
    ("company_region", "not_in", ["south"], {"two", "three"}),
    ("country", "in", "us", {"three"}),
    ("country", "not_in", ["CN"], {"three"}),
    ("province", "in", ["Zhejiang"], {"one"}),
    ("province", "not_in", ["浙江省"], {"two", "three"}),
    ("industry", "in", ["mining"], {"one"}),
    ("industry", "in", ["logistics"], set()),
    ("industry", "not_in", ["mining"], {"two", "three"}),
    ("channel", "in", ["ota"], {"one"}),
    ("channel", "not_in", ["ota", "direct"], {"three"}),
    ("market_segment", "in", {"values": ["corporate"]}, {"one"}),
    ("market_segment", "in", {"values": ["leisure"]}, {"two"}),
    ("market_segment", "in", {"values": ["leisure"], "last_days": 365}, set()),
    ("market_segment", "not_in", {"values": ["corporate"]}, {"two", "three"}),
    ("tags", "in", ["golf"], {"one", "two"}),
    ("tags", "all", ["VIP", "golf"], {"one"}),
    ("tags", "not_in", ["VIP"], {"two", "three"}),
    ("tier", "in", ["gold"], {"one"}),
    ("tier", "not_in", ["gold"], {"two", "three"}),
    ("tier", "empty", None, {"two", "three"}),
    ("owner", "in", "OWNER", {"one"}),
    ("owner", "not_in", "OWNER", {"two", "three"}),
    ("owner", "empty", None, {"two", "three"}),
    ("status", "in", ["inactive", "prospect"], {"two", "three"}),
    ("status", "not_in", ["inactive", "prospect"], {"one"}),
    ("stays", "gte", {"amount": 3}, {"one"}),
    ("stays", "gte", {"amount": 1, "last_days": 365}, {"one"}),
    ("stays", "gte", {"amount": 0}, {"one", "two", "three"}),
    ("stays", "lte", {"amount": 1}, {"two", "three"}),
    ("stays", "eq", {"amount": 0}, {"three"}),
    ("stays", "eq", {"amount": 1, "from": ago(900), "to": ago(700)}, {"two"}),
    ("nights", "gte", {"amount": 6}, {"one"}),
    ("nights", "lte", {"amount": 1}, {"two", "three"}),
    ("revenue", "gte", {"amount": "3600"}, {"one"}),
    ("revenue", "gte", {"amount": "3600.01"}, set()),
    ("revenue", "lte", {"amount": "400"}, {"two", "three"}),
    ("last_stay", "before", ago(365), {"two"}),
    ("last_stay", "after", ago(100), {"one"}),
    ("last_stay", "within_days", 30, {"one"}),
    ("last_stay", "not_within_days", 365, {"two"}),
    ("last_stay", "never", None, {"three"}),
    ("birthday_month", "in", [3], {"one"}),
    ("birthday_month", "in", ["3", "7"], {"one", "two"}),
    ("birthday_month", "in", [12], set()),
    ("preference", "contains", {"category": "pillow", "text": "feather"}, {"one"}),
    ("preference", "contains", {"text": "smoking"}, {"two"}),
    ("preference", "not_contains", {"category": "pillow"}, {"two", "three"}),
    ("survey_score", "gte", {"measure": "avg", "scale": "5", "amount": "4.5"}, {"one"}),
    ("survey_score", "gte", {"measure": "avg", "scale": "5", "amount": "4.6"}, set()),
    ("survey_score", "lte", {"measure": "min", "scale": "5", "amount": "2"}, {"two"}),
    ("survey_score", "gte", {"measure": "min", "scale": "10", "amount": "9", "last_days": 30}, {"two"}),
    ("survey_score", "gte", {"measure": "avg", "scale": "5", "amount": "1", "to": ago(60)}, set()),
    ("rfm_cell", "in", "555", {"one"}),
    ("rfm_cell", "not_in", ["555"], {"two", "three"}),
    ("rfm_score", "gte", {"score": "r", "amount": 5}, {"one"}),
    ("rfm_score", "lte", {"score": "f", "amount": 2}, {"two"}),
    ("rfm_score", "eq", {"score": "m", "amount": 3}, set()),
    ("churn_risk", "in", ["high"], {"two"}),
    ("churn_risk", "not_in", ["high"], {"one", "three"}),
    ("p_alive", "lt", 0.5, {"two"}),
    ("p_alive", "gte", "0.5", {"one"}),
]


def _names(cast, queryset) -> set[str]:
    ids = set(queryset.values_list("pk", flat=True))
    return {name for name in ("one", "two", "three", "only_b", "merged") if getattr(cast, name).pk in ids}


@pytest.mark.parametrize(("field", "operator", "value", "expected"), CASES,
                         ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_each_condition_matches_exactly_its_guests(cast, sales_a, frontdesk_a, field, operator, value, expected):
    if value == "OWNER":
        value = [frontdesk_a.pk]
    definition = {"op": "and", "items": [{"field": field, "operator": operator, "value": value}]}
    assert _names(cast, segment_queryset(definition, sales_a)) == expected
    assert count_definition(definition, sales_a) == len(expected)
    assert describe_definition(clean_definition(definition))  # every condition can be put in words


def test_every_registered_field_has_cases():
    assert {case[0] for case in CASES} == set(REGISTRY)


def test_birthday_this_and_next_month_follow_today(cast, sales_a, property_a):
    from concierge.segments.tests.factories import make_guest

    today = dt.date.today()
    now = make_guest(property_a, birthday=dt.date(1985, today.month, 1))
    soon = make_guest(property_a, birthday=dt.date(1985, today.month % 12 + 1, 1))
    this = segment_queryset({"op": "and", "items": [{"field": "birthday_month", "operator": "this_month"}]}, sales_a)
    nxt = segment_queryset({"op": "and", "items": [{"field": "birthday_month", "operator": "next_month"}]}, sales_a)
    assert now in this and soon not in this
    assert soon in nxt and now not in nxt


def test_and_or_groups_nest(cast, sales_a):
    definition = {"op": "or", "items": [
        {"field": "region", "operator": "in", "value": ["east"]},
        {"op": "and", "items": [
            {"field": "tags", "operator": "in", "value": ["golf"]},
            {"field": "status", "operator": "in", "value": ["inactive"]},
        ]},
    ]}
    assert _names(cast, segment_queryset(definition, sales_a)) == {"one", "two"}
    definition["op"] = "and"
    assert _names(cast, segment_queryset(definition, sales_a)) == set()
    # An "at least 0 stays" (always true) inside an OR keeps the OR true for everyone.
    always = {"op": "or", "items": [{"field": "stays", "operator": "gte", "value": {"amount": 0}},
                                    {"field": "region", "operator": "in", "value": ["east"]}]}
    assert _names(cast, segment_queryset(always, sales_a)) == {"one", "two", "three"}


def test_an_empty_definition_holds_every_live_guest_the_user_sees(cast, sales_a, manager):
    assert _names(cast, segment_queryset({"op": "and", "items": []}, sales_a)) == {"one", "two", "three"}
    assert _names(cast, segment_queryset({}, manager)) == {"one", "two", "three", "only_b"}


def test_scoping_a_user_at_property_a_does_not_count_guests_only_at_b(cast, sales_a, manager, frontdesk_b):
    definition = {"op": "and", "items": [{"field": "province", "operator": "in", "value": ["浙江"]}]}
    assert count_definition(definition, sales_a) == 1
    assert count_definition(definition, manager) == 2
    assert _names(cast, segment_queryset(definition, frontdesk_b)) == {"only_b"}


def test_merged_profiles_are_never_members(cast, manager):
    definition = {"op": "and", "items": [{"field": "tier", "operator": "in", "value": ["gold"]}]}
    assert "merged" not in _names(cast, segment_queryset(definition, manager))


@pytest.mark.parametrize(("definition", "message"), [
    ({"op": "and", "items": [{"field": "region", "operator": "in", "value": ["east"]},
                             {"field": "status", "operator": "in", "value": ["active"]},
                             {"field": "birthday_month", "operator": "in", "value": [13]}]},
     "condition 3: value must be a month 1–12"),
    ({"op": "and", "items": [{"field": "region", "operator": "in", "value": ["east"]},
                             {"op": "or", "items": [{"field": "country", "operator": "in", "value": "CHN"}]}]},
     "condition 2.1: “CHN” is not a two-letter country code"),
    ({"op": "and", "items": [{"field": "colour", "operator": "in", "value": ["red"]}]},
     "condition 1: unknown field “colour”"),
    ({"op": "and", "items": [{"field": "region", "operator": "gte", "value": ["east"]}]},
     "condition 1: “gte” does not apply to Region"),
    ({"op": "and", "items": [{"field": "region", "operator": "in", "value": []}]},
     "condition 1: choose at least one value"),
    ({"op": "and", "items": [{"field": "region", "operator": "in", "value": ["mars"]}]},
     "condition 1: “mars” is not a valid choice"),
    ({"op": "and", "items": [{"field": "province", "operator": "in", "value": ["Atlantis"]}]},
     "condition 1: unknown province “Atlantis”"),
    ({"op": "and", "items": [{"field": "stays", "operator": "gte", "value": {"amount": -1}}]},
     "condition 1: the amount must lie between 0 and None"),
    ({"op": "and", "items": [{"field": "stays", "operator": "gte", "value": {"amount": 1.5}}]},
     "condition 1: the amount must be a whole number"),
    ({"op": "and", "items": [{"field": "stays", "operator": "gte",
                              "value": {"amount": 1, "from": "2026-05-01", "to": "2026-01-01"}}]},
     "condition 1: the start is after the end"),
    ({"op": "and", "items": [{"field": "stays", "operator": "gte",
                              "value": {"amount": 1, "from": "2026-13-01"}}]},
     "condition 1: the start must be a date (YYYY-MM-DD)"),
    ({"op": "and", "items": [{"field": "nights", "operator": "gte",
                              "value": {"amount": 1, "from": "2026-01-01", "last_days": 30}}]},
     "condition 1: give either dates or a number of days, not both"),
    ({"op": "and", "items": [{"field": "last_stay", "operator": "before", "value": "yesterday"}]},
     "condition 1: the value must be a date (YYYY-MM-DD)"),
    ({"op": "and", "items": [{"field": "last_stay", "operator": "within_days", "value": 0}]},
     "condition 1: the number of days must be a whole number from 1 to 36500"),
    ({"op": "and", "items": [{"field": "rfm_cell", "operator": "in", "value": "565"}]},
     "condition 1: “565” is not an RFM cell (three digits 1–5, e.g. 545)"),
    ({"op": "and", "items": [{"field": "p_alive", "operator": "lt", "value": 2}]},
     "condition 1: the value must lie between 0 and 1"),
    ({"op": "and", "items": [{"field": "survey_score", "operator": "gte",
                              "value": {"measure": "avg", "scale": "5", "amount": 7}}]},
     "condition 1: the score must lie between 0 and 5"),
    ({"op": "and", "items": [{"field": "preference", "operator": "contains", "value": {}}]},
     "condition 1: choose a category or enter a text"),
    ({"op": "and", "items": [{"field": "rfm_score", "operator": "gte", "value": {"score": "x", "amount": 3}}]},
     "condition 1: choose R, F or M"),
    ({"op": "and", "items": [{"field": "region", "operator": "in", "value": ["east"]}, {"op": "or", "items": []}]},
     "group 2: add at least one condition"),
    ({"op": "xor", "items": []}, "group 1: combine with “and” or “or”"),
    ({"op": "and", "items": [{"field": ""}]}, "condition 1: choose a field"),
])
def test_validation_names_the_condition(definition, message):
    with pytest.raises(ValidationError) as exc:
        clean_definition(definition)
    assert message in exc.value.messages


def test_validation_lists_every_bad_condition_at_once():
    with pytest.raises(ValidationError) as exc:
        clean_definition({"op": "and", "items": [{"field": "birthday_month", "operator": "in", "value": [0]},
                                                 {"field": "tier", "operator": "in", "value": []}]})
    assert exc.value.messages == ["condition 1: value must be a month 1–12", "condition 2: choose at least one value"]


def test_a_definition_that_is_not_an_object_is_refused():
    with pytest.raises(ValidationError):
        clean_definition(["region"])


# Stays / nights / revenue "in the last 365 days" read the rolling sums of the customer-value refresh when it ran
# today; the answer must be the one summing the stays gives.
ROLLING_CASES = [
    (field, operator, amount)
    for field, amounts in (("stays", (0, 1, 2)), ("nights", (0, 1, 3, 6)), ("revenue", ("0", "100", "1200.5")))
    for operator in ("gte", "lte", "eq")
    for amount in amounts
]


def test_rolling_sums_give_the_same_members_as_summing_the_stays(cast, sales_a):
    from concierge.analytics.services import refresh_customer_value

    def members(field: str, operator: str, amount) -> set[str]:
        definition = {"op": "and", "items": [{"field": field, "operator": operator,
                                              "value": {"amount": amount, "last_days": 365}}]}
        return _names(cast, segment_queryset(definition, sales_a))

    live = {case: members(*case) for case in ROLLING_CASES}
    assert any(live.values()) and not all(live.values())  # the cases tell guests apart
    refresh_customer_value()
    assert {case: members(*case) for case in ROLLING_CASES} == live


def test_rolling_sums_are_read_as_of_todays_refresh(cast, sales_a, property_a):
    from concierge.analytics.services import refresh_customer_value
    from concierge.segments.tests.factories import make_stay

    definition = {"op": "and", "items": [{"field": "stays", "operator": "gte",
                                          "value": {"amount": 1, "last_days": 365}}]}
    other_period = {"op": "and", "items": [{"field": "stays", "operator": "gte",
                                            "value": {"amount": 1, "last_days": 364}}]}
    refresh_customer_value()
    before = _names(cast, segment_queryset(definition, sales_a))
    assert "three" not in before
    make_stay(cast.three, property_a, TODAY - dt.timedelta(days=3), nights=2)

    # Until the next refresh the 365-day period answers as of this morning's refresh; other periods sum live.
    assert _names(cast, segment_queryset(definition, sales_a)) == before
    assert "three" in _names(cast, segment_queryset(other_period, sales_a))
    refresh_customer_value()
    assert _names(cast, segment_queryset(definition, sales_a)) == before | {"three"}
