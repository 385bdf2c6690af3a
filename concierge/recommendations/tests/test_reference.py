"""The groceries reference check: import_baskets + product_rules --json equal mlxtend's apriori + association_rules.

mlxtend and pandas are test-only oracles; the product mines in the database and never imports them.
"""
from __future__ import annotations

import io
import json
import math
import time
from pathlib import Path

import pytest
from django.core.management import call_command

GROCERIES = Path(__file__).resolve().parents[3].parent / "shared" / "reference-data" / "groceries.csv"
THRESHOLDS = [(0.01, 0.2), (0.005, 0.3), (0.02, 0.1)]


def _oracle(baskets: list[list[str]], min_support: float, min_confidence: float) -> dict:
    pd = pytest.importorskip("pandas")
    frequent_patterns = pytest.importorskip("mlxtend.frequent_patterns")
    preprocessing = pytest.importorskip("mlxtend.preprocessing")
    encoder = preprocessing.TransactionEncoder()
    frame = pd.DataFrame(encoder.fit(baskets).transform(baskets), columns=encoder.columns_)
    itemsets = frequent_patterns.apriori(frame, min_support=min_support, use_colnames=True)
    rules = frequent_patterns.association_rules(itemsets, num_itemsets=len(baskets), metric="confidence",
                                                min_threshold=min_confidence)
    return {
        "itemsets": len(itemsets),
        "rules": {(frozenset(r.antecedents), frozenset(r.consequents)): (r.support, r.confidence, r.lift)
                  for r in rules.itertuples()},
    }


@pytest.mark.skipif(not GROCERIES.is_file(), reason="reference data not checked out beside the repository")
@pytest.mark.django_db
def test_groceries_rules_equal_the_mlxtend_reference(hotel_group) -> None:
    from concierge.recommendations.baskets import parse_baskets, product_code
    from concierge.stays.models import Stay, StayItem

    started = time.perf_counter()
    out = io.StringIO()
    call_command("import_baskets", str(GROCERIES), "--property-code", "GROC", stdout=out)
    load_seconds = time.perf_counter() - started
    assert "9835 baskets" in out.getvalue()
    assert Stay.objects.filter(property__code="GROC").count() == 9835
    assert StayItem.objects.filter(stay__property__code="GROC").values("product").distinct().count() == 169

    baskets = parse_baskets(GROCERIES.open(encoding="utf-8"))
    name_of = {product_code("groc", item): item for basket in baskets for item in basket}
    for min_support, min_confidence in THRESHOLDS:
        out = io.StringIO()
        call_command("product_rules", "--min-support", str(min_support), "--min-confidence", str(min_confidence),
                     "--property", "GROC", "--json", stdout=out)
        mined = json.loads(out.getvalue())
        expected = _oracle(baskets, min_support, min_confidence)

        got = {(frozenset(name_of[c] for c in r["antecedents"]), frozenset(name_of[c] for c in r["consequents"])):
               (r["support"], r["confidence"], r["lift"]) for r in mined["rules"]}
        assert mined["baskets"] == 9835
        assert mined["itemsets"] == expected["itemsets"], (min_support, min_confidence)
        assert mined["rule_count"] == len(expected["rules"]) == len(got), (min_support, min_confidence)
        assert set(got) == set(expected["rules"])
        for key, values in expected["rules"].items():
            for ours, theirs in zip(got[key], values, strict=True):
                assert math.isclose(ours, theirs, rel_tol=0, abs_tol=1e-9), (key, ours, theirs)
        print(f"support {min_support} confidence {min_confidence}: {mined['itemsets']} itemsets, "
              f"{mined['rule_count']} rules, {mined['seconds']} s")
    print(f"import: {load_seconds:.2f} s")
