"""Apriori in the database on tiny hand-made baskets: counts, thresholds, scopes, and the stored rules."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from concierge.recommendations.models import ProductRule, RuleRun
from concierge.recommendations.services import (
    apriori_candidates,
    min_count_for,
    mine_product_rules,
    product_rules_mine,
    product_rules_refresh,
)
from concierge.recommendations.tests.factories import product, stays_with

TRIANGLE = [["sfw", "tfw"], ["sfw", "tfw", "spa"], ["sfw", "spa"], ["tfw", "spa"], ["sfw", "tfw", "spa"]]


def _ids(*codes: str) -> tuple[int, ...]:
    return tuple(sorted(product(c).pk for c in codes))


@pytest.mark.django_db
def test_it_counts_itemsets_and_keeps_rules_above_both_thresholds(property_a) -> None:
    stays_with(TRIANGLE, property=property_a)

    result = product_rules_mine(min_support=0.4, min_confidence=0.6)

    assert result.baskets == 5
    assert result.itemsets[_ids("sfw")] == 4
    assert result.itemsets[_ids("sfw", "tfw")] == 3
    assert result.itemsets[_ids("sfw", "tfw", "spa")] == 2
    assert len(result.itemsets) == 7
    # 6 pair rules at 3/4, 3 rules "two products → the third" at 2/3; "one → two" (2/4) is below 0.6.
    assert len(result.rules) == 9
    pair = next(r for r in result.rules if r.antecedent == _ids("sfw") and r.consequent == _ids("tfw"))
    assert (pair.support, pair.confidence) == (0.6, 0.75)
    assert pair.lift == pytest.approx(0.75 / 0.8)
    assert pair.leverage == pytest.approx(0.6 - 0.8 * 0.8)
    assert pair.conviction == pytest.approx((1 - 0.8) / (1 - 0.75))


@pytest.mark.django_db
def test_max_len_stops_at_pairs_and_support_prunes_triples(property_a) -> None:
    stays_with(TRIANGLE, property=property_a)

    assert len(mine_product_rules(min_support=0.4, min_confidence=0.6, max_len=2)) == 6
    assert len(mine_product_rules(min_support=0.5, min_confidence=0.0)) == 6  # the triple (2/5) is infrequent


@pytest.mark.django_db
def test_thresholds_are_inclusive_of_exact_ratios(property_a) -> None:
    stays_with([["sfw", "tfw"]] + [["sfw"]] * 4, property=property_a)

    rules = mine_product_rules(min_support=0.2, min_confidence=0.2)

    assert {(r.antecedent, r.consequent, r.confidence) for r in rules} == {
        (_ids("sfw"), _ids("tfw"), 0.2), (_ids("tfw"), _ids("sfw"), 1.0)}
    assert rules[0].conviction is None or rules[1].conviction is None  # confidence 1: infinite conviction
    assert min_count_for(0.2, 5) == 1 and min_count_for(0.21, 5) == 2 and min_count_for(1.0, 9835) == 9835


def test_candidates_are_pruned_by_their_subsets() -> None:
    assert apriori_candidates([(1, 2), (1, 3), (2, 3), (1, 4)]) == [(1, 2, 3)]
    assert apriori_candidates([(1, 2, 3), (1, 2, 4), (1, 3, 4), (2, 3, 4), (1, 2, 5)]) == [(1, 2, 3, 4)]


@pytest.mark.django_db
def test_cancelled_stays_and_other_properties_stay_out_of_the_baskets(property_a, property_b) -> None:
    stays_with([["sfw", "tfw"]] * 2, property=property_a)
    stays_with([["sfw", "tfw"]] * 3, property=property_a, status="cancelled")
    stays_with([["sfw", "spa"]] * 2, property=property_b)

    at_a = product_rules_mine(min_support=0.5, min_confidence=0.5, property=property_a)
    everywhere = product_rules_mine(min_support=0.75, min_confidence=0.5)

    assert at_a.baskets == 2 and len(at_a.rules) == 2
    assert everywhere.baskets == 4 and everywhere.rules == []
    assert product_rules_mine(min_support=0.5, min_confidence=0.5,
                              since=dt.date(2030, 1, 1)).baskets == 0


@pytest.mark.django_db
def test_a_guest_basket_joins_products_of_different_stays(property_a, guest_a) -> None:
    stays_with([["sfw"], ["tfw"]], property=property_a, guest=guest_a)

    assert mine_product_rules(min_support=0.5, min_confidence=0.5) == []
    rules = mine_product_rules(min_support=0.5, min_confidence=0.5, basket="guest")
    assert {(r.antecedent, r.consequent) for r in rules} == {(_ids("sfw"), _ids("tfw")), (_ids("tfw"), _ids("sfw"))}


@pytest.mark.django_db
def test_bad_thresholds_are_refused() -> None:
    with pytest.raises(ValidationError):
        mine_product_rules(min_support=0, min_confidence=0.5)
    with pytest.raises(ValidationError):
        mine_product_rules(min_support=0.1, min_confidence=1.5)


@pytest.mark.django_db
def test_refresh_replaces_the_stored_rules_of_its_scope(property_a) -> None:
    stays_with(TRIANGLE, property=property_a)

    product_rules_refresh(basket="stay", min_support=0.4, min_confidence=0.6, max_len=3)
    run = product_rules_refresh(basket="stay", min_support=0.4, min_confidence=0.6, max_len=3)

    assert ProductRule.objects.count() == 9 == run.rules
    assert set(ProductRule.objects.values_list("run", flat=True)) == {run.pk}
    assert RuleRun.objects.count() == 2
    rule = ProductRule.objects.get(antecedent_ids=list(_ids("sfw", "tfw")))
    assert rule.consequent_product == product("spa")
    assert rule.items.count() == 3


@pytest.mark.django_db
def test_the_command_prints_a_table_and_json(property_a) -> None:
    stays_with(TRIANGLE, property=property_a)

    table = io.StringIO()
    call_command("product_rules", "--min-support", "0.4", "--min-confidence", "0.6", stdout=table)
    data = io.StringIO()
    call_command("product_rules", "--min-support=0.4", "--min-confidence=0.6", "--json", "--max-len=2", stdout=data)

    assert "baskets: 5  itemsets: 7 (1: 3, 2: 3, 3: 1)  rules: 9" in table.getvalue()
    assert "sfw, tfw" in table.getvalue()
    payload = json.loads(data.getvalue())
    assert (payload["baskets"], payload["itemsets"], payload["rule_count"]) == (5, 6, 6)
    assert {"antecedents", "consequents", "support", "confidence", "lift"} <= set(payload["rules"][0])


@pytest.mark.django_db
def test_the_nightly_task_refreshes_each_configured_scope(settings, property_a, guest_a) -> None:
    from concierge.recommendations.tasks import refresh_product_rules

    settings.RECOMMENDATIONS = {**settings.RECOMMENDATIONS, "MIN_SUPPORT": 0.4, "MIN_CONFIDENCE": 0.6,
                                "SCOPES": ["stay", "guest"]}
    stays_with(TRIANGLE, property=property_a, guest=guest_a)

    # Pairs only (MAX_LEN 2); the one guest basket holds all three products, so every pair rule holds for it.
    assert refresh_product_rules() == {"stay": 6, "guest": 6}
    assert set(RuleRun.objects.values_list("basket", flat=True)) == {"stay", "guest"}


@pytest.mark.django_db
def test_import_baskets_can_replace_an_earlier_load(tmp_path, hotel_group) -> None:
    from concierge.stays.models import Stay

    path = tmp_path / "baskets.csv"
    path.write_text("milk,bread\nbread\n\ncream cheese ,milk\n", encoding="utf-8")
    call_command("import_baskets", str(path), "--property-code", "TEST", stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_baskets", str(path), "--property-code", "TEST", "--replace", stdout=out)

    assert "3 baskets, 5 items, 3 products (0 new)" in out.getvalue()
    assert Stay.objects.filter(property__code="TEST").count() == 3
