"""Product association rules: level-wise Apriori with the support counting done in the database.

A basket is one stay (default) or one guest (everything the guest ever took). Support counting never loads
stay items into Python:

1. the distinct (basket, product) pairs of the scope are copied into a temporary table with one
   ``INSERT … SELECT DISTINCT`` built by the ORM, and single products are counted with ``GROUP BY``;
2. rows of infrequent products are deleted (Apriori: a superset of an infrequent set is infrequent);
3. pairs are counted by a self-join of that table; for k ≥ 3 the candidates (joined from frequent
   (k−1)-itemsets and pruned by their (k−1)-subsets) go into a second temporary table and are counted with
   k joins, one per position, on the (basket, item) index.

Rules (every split of a frequent itemset into a non-empty antecedent and consequent) are derived in Python
from the small set of frequent itemsets, with the metrics mlxtend's ``association_rules`` uses.
"""
from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.recommendations.choices import BasketKind
from concierge.recommendations.models import ProductRule, ProductRuleItem, RuleRun
from concierge.stays.choices import PRODUCTIVE_STATUSES
from concierge.stays.models import Stay, StayItem

# Thresholds are inclusive of values mathematically equal to them ("confidence 0.2" keeps 20 of 100), which a
# plain float comparison can miss by one ulp; a margin far below any count ratio's spacing absorbs that.
_EPSILON = 1e-12
_BASKET_TABLE = "rec_basket_item"
_CANDIDATE_TABLE = "rec_candidate"
_INSERT_BATCH = 500

Itemset = tuple[int, ...]


@dataclass(frozen=True)
class Rule:
    """antecedent → consequent (sorted product ids) with its counts and metrics."""

    antecedent: Itemset
    consequent: Itemset
    baskets: int
    antecedent_count: int
    consequent_count: int
    both_count: int
    support: float
    confidence: float
    lift: float
    leverage: float
    conviction: float | None  # None: confidence 1, conviction infinite

    @property
    def antecedent_support(self) -> float:
        return self.antecedent_count / self.baskets

    @property
    def consequent_support(self) -> float:
        return self.consequent_count / self.baskets

    @property
    def score(self) -> float:
        """The guest card's ranking: how likely, times how much likelier than usual."""
        return self.confidence * self.lift


@dataclass
class MiningResult:
    """What one mining pass found: baskets counted, frequent itemsets with their counts, and the rules."""

    baskets: int
    itemsets: dict[Itemset, int] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    seconds: float = 0.0


def _validate(min_support: float, min_confidence: float, max_len: int | None) -> None:
    errors: dict[str, str] = {}
    if not 0 < min_support <= 1:
        errors["min_support"] = _("Minimum support must be above 0 and at most 1.")
    if not 0 <= min_confidence <= 1:
        errors["min_confidence"] = _("Minimum confidence must be between 0 and 1.")
    if max_len is not None and max_len < 1:
        errors["max_len"] = _("The longest itemset must have at least one product.")
    if errors:
        raise ValidationError(errors)


def min_count_for(min_support: float, baskets: int) -> int:
    """The smallest basket count c with c / baskets ≥ min_support (at least 1)."""
    count = max(1, math.ceil(min_support * baskets - _EPSILON * baskets))
    while count > 1 and (count - 1) / baskets >= min_support - _EPSILON:
        count -= 1
    while count / baskets < min_support - _EPSILON:
        count += 1
    return count


def _basket_source(*, basket: str, property: Any, since: dt.date | None) -> tuple[Any, Any]:
    """(distinct basket-product pairs, baskets) querysets of the scope; productive stays only."""
    stays = Stay.objects.filter(status__in=PRODUCTIVE_STATUSES)
    items = StayItem.objects.filter(stay__status__in=PRODUCTIVE_STATUSES)
    if property is not None:
        stays = stays.filter(property=property)
        items = items.filter(stay__property=property)
    if since is not None:
        stays = stays.filter(arrival__gte=since)
        items = items.filter(stay__arrival__gte=since)
    if basket == BasketKind.GUEST:
        pairs = items.filter(stay__guest__isnull=False).values_list("stay__guest_id", "product_id")
        baskets = stays.filter(guest__isnull=False).values("guest_id").distinct()
    else:
        pairs = items.values_list("stay_id", "product_id")
        baskets = stays
    return pairs.order_by().distinct(), baskets.order_by()


class _Counter:
    """Support counting over the temporary basket-item table (one database connection, one transaction)."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.q = connection.ops.quote_name

    def drop(self, table: str) -> None:
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.q(table)}")

    def load(self, pairs_queryset: Any) -> None:
        bi = self.q(_BASKET_TABLE)
        self.drop(_BASKET_TABLE)
        self.cursor.execute(f"CREATE TEMPORARY TABLE {bi} (basket_id bigint NOT NULL, item_id bigint NOT NULL)")
        sql, params = pairs_queryset.query.sql_with_params()
        self.cursor.execute(f"INSERT INTO {bi} (basket_id, item_id) {sql}", params)

    def singles(self, min_count: int) -> dict[Itemset, int]:
        bi = self.q(_BASKET_TABLE)
        self.cursor.execute(
            f"SELECT item_id, COUNT(*) FROM {bi} GROUP BY item_id HAVING COUNT(*) >= %s", [min_count])
        frequent = {(int(item),): int(count) for item, count in self.cursor.fetchall()}
        # Apriori: no frequent itemset contains an infrequent product, so its rows can go before any join.
        self.cursor.execute(
            f"DELETE FROM {bi} WHERE item_id IN "
            f"(SELECT item_id FROM {bi} GROUP BY item_id HAVING COUNT(*) < %s)", [min_count])
        self.cursor.execute(f"CREATE INDEX {self.q(_BASKET_TABLE + '_bi')} ON {bi} (basket_id, item_id)")
        self.cursor.execute(f"CREATE INDEX {self.q(_BASKET_TABLE + '_ib')} ON {bi} (item_id, basket_id)")
        self.cursor.execute(f"ANALYZE {bi}")  # temporary tables have no statistics until analysed
        return frequent

    def pairs(self, min_count: int) -> dict[Itemset, int]:
        bi = self.q(_BASKET_TABLE)
        self.cursor.execute(
            f"SELECT a.item_id, b.item_id, COUNT(*) FROM {bi} a "
            f"JOIN {bi} b ON b.basket_id = a.basket_id AND b.item_id > a.item_id "
            f"GROUP BY a.item_id, b.item_id HAVING COUNT(*) >= %s", [min_count])
        return {(int(a), int(b)): int(count) for a, b, count in self.cursor.fetchall()}

    def candidates(self, candidates: list[Itemset], min_count: int) -> dict[Itemset, int]:
        size = len(candidates[0])
        bi, cand = self.q(_BASKET_TABLE), self.q(_CANDIDATE_TABLE)
        columns = [f"i{n}" for n in range(1, size + 1)]
        self.drop(_CANDIDATE_TABLE)
        self.cursor.execute(
            f"CREATE TEMPORARY TABLE {cand} (cid integer PRIMARY KEY, "
            + ", ".join(f"{c} bigint NOT NULL" for c in columns) + ")")
        insert = (f"INSERT INTO {cand} (cid, {', '.join(columns)}) VALUES "
                  f"({', '.join(['%s'] * (size + 1))})")
        rows = [(cid, *itemset) for cid, itemset in enumerate(candidates)]
        for start in range(0, len(rows), _INSERT_BATCH):
            self.cursor.executemany(insert, rows[start:start + _INSERT_BATCH])
        self.cursor.execute(f"ANALYZE {cand}")
        joins = [f"JOIN {bi} b1 ON b1.item_id = c.i1"] + [
            f"JOIN {bi} b{n} ON b{n}.basket_id = b1.basket_id AND b{n}.item_id = c.i{n}"
            for n in range(2, size + 1)
        ]
        self.cursor.execute(
            f"SELECT c.cid, COUNT(*) FROM {cand} c {' '.join(joins)} GROUP BY c.cid HAVING COUNT(*) >= %s",
            [min_count])
        found = {candidates[int(cid)]: int(count) for cid, count in self.cursor.fetchall()}
        self.drop(_CANDIDATE_TABLE)
        return found


def apriori_candidates(frequent: Iterable[Itemset]) -> list[Itemset]:
    """k-itemsets whose every (k−1)-subset is frequent, joined from frequent (k−1)-itemsets sharing a prefix."""
    previous = sorted(frequent)
    known = set(previous)
    result: list[Itemset] = []
    by_prefix: dict[Itemset, list[int]] = {}
    for itemset in previous:
        by_prefix.setdefault(itemset[:-1], []).append(itemset[-1])
    for prefix, lasts in by_prefix.items():
        for i, first in enumerate(lasts):
            for second in lasts[i + 1:]:
                candidate = (*prefix, first, second)
                if all(candidate[:j] + candidate[j + 1:] in known for j in range(len(candidate) - 2)):
                    result.append(candidate)
    return result


def rules_from_itemsets(itemsets: dict[Itemset, int], *, baskets: int, min_confidence: float) -> list[Rule]:
    """Every split of each frequent itemset into antecedent → consequent meeting the confidence threshold."""
    rules: list[Rule] = []
    for itemset, both in itemsets.items():
        if len(itemset) < 2:
            continue
        for size in range(len(itemset) - 1, 0, -1):
            for antecedent in combinations(itemset, size):
                consequent = tuple(i for i in itemset if i not in antecedent)
                a_count, c_count = itemsets[antecedent], itemsets[consequent]
                confidence = both / a_count
                if confidence < min_confidence - _EPSILON:
                    continue
                support, s_a, s_c = both / baskets, a_count / baskets, c_count / baskets
                rules.append(Rule(
                    antecedent=antecedent, consequent=consequent, baskets=baskets, antecedent_count=a_count,
                    consequent_count=c_count, both_count=both, support=support, confidence=confidence,
                    lift=confidence / s_c, leverage=support - s_a * s_c,
                    conviction=(1 - s_c) / (1 - confidence) if confidence < 1 else None,
                ))
    rules.sort(key=lambda r: (-r.lift, -r.confidence, -r.support, r.antecedent, r.consequent))
    return rules


def product_rules_mine(
    *, min_support: float, min_confidence: float, basket: str = BasketKind.STAY, property: Any = None,
    max_len: int | None = None, since: dt.date | None = None,
) -> MiningResult:
    """Frequent product sets and association rules of a scope; see the module docstring for the method."""
    _validate(min_support, min_confidence, max_len)
    started = time.perf_counter()
    pairs_qs, baskets_qs = _basket_source(basket=BasketKind(basket), property=property, since=since)
    total = baskets_qs.count()
    result = MiningResult(baskets=total)
    if total == 0:
        return result
    min_count = min_count_for(min_support, total)
    # A savepoint: on failure the temporary tables vanish with the rollback (DDL is transactional on both).
    with transaction.atomic(), connection.cursor() as cursor:
        counter = _Counter(cursor)
        counter.load(pairs_qs)
        level = counter.singles(min_count)
        result.itemsets.update(level)
        size = 1
        while level and (max_len is None or size < max_len):
            size += 1
            if size == 2:
                level = counter.pairs(min_count)
            else:
                candidates = apriori_candidates(level)
                level = counter.candidates(candidates, min_count) if candidates else {}
            result.itemsets.update(level)
        counter.drop(_BASKET_TABLE)
    result.rules = rules_from_itemsets(result.itemsets, baskets=total, min_confidence=min_confidence)
    result.seconds = time.perf_counter() - started
    return result


def mine_product_rules(
    *, min_support: float, min_confidence: float, basket: str = BasketKind.STAY, property: Any = None,
    max_len: int | None = None, since: dt.date | None = None,
) -> list[Rule]:
    """The association rules of a scope, strongest lift first (see `product_rules_mine` for counts)."""
    return product_rules_mine(min_support=min_support, min_confidence=min_confidence, basket=basket,
                              property=property, max_len=max_len, since=since).rules


def product_rules_refresh(
    *, basket: str = BasketKind.STAY, property: Any = None, min_support: float | None = None,
    min_confidence: float | None = None, max_len: int | None = None,
) -> RuleRun:
    """Mine a scope and replace its materialised rules in one transaction; safe to run twice."""
    config = settings.RECOMMENDATIONS
    min_support = config["MIN_SUPPORT"] if min_support is None else min_support
    min_confidence = config["MIN_CONFIDENCE"] if min_confidence is None else min_confidence
    max_len = config["MAX_LEN"] if max_len is None else max_len
    result = product_rules_mine(min_support=min_support, min_confidence=min_confidence, basket=basket,
                                property=property, max_len=max_len)
    now = timezone.now()
    with transaction.atomic():
        # Lock the scope's previous runs so two refreshes of one scope replace the rules one after the other.
        list(RuleRun.objects.select_for_update().filter(basket=basket, property=property).values_list("pk"))
        run = RuleRun.objects.create(
            basket=basket, property=property, min_support=min_support, min_confidence=min_confidence,
            max_len=max_len, baskets=result.baskets, itemsets=len(result.itemsets), rules=len(result.rules),
            seconds=round(result.seconds, 3), mined_at=now)
        ProductRule.objects.filter(basket=basket, property=property).delete()
        rows = ProductRule.objects.bulk_create([
            ProductRule(
                run=run, basket=basket, property=property, antecedent_ids=list(r.antecedent),
                consequent_ids=list(r.consequent), antecedent_size=len(r.antecedent),
                consequent_size=len(r.consequent),
                consequent_product_id=r.consequent[0] if len(r.consequent) == 1 else None,
                support=r.support, confidence=r.confidence, lift=r.lift, leverage=r.leverage,
                conviction=r.conviction, score=r.score, antecedent_count=r.antecedent_count,
                consequent_count=r.consequent_count, both_count=r.both_count, baskets=r.baskets, mined_at=now,
            ) for r in result.rules
        ], batch_size=1000)
        ProductRuleItem.objects.bulk_create([
            ProductRuleItem(rule_id=row.pk, product_id=product_id, side=side)
            for row, r in zip(rows, result.rules, strict=True)
            for side, ids in ((ProductRuleItem.Side.ANTECEDENT, r.antecedent),
                              (ProductRuleItem.Side.CONSEQUENT, r.consequent))
            for product_id in ids
        ], batch_size=2000)
        # Keep a short history of runs per scope for the freshness line; older runs carry no rules.
        stale = list(RuleRun.objects.filter(basket=basket, property=property).order_by("-mined_at", "-id")
                     .values_list("pk", flat=True)[30:])
        RuleRun.objects.filter(pk__in=stale).delete()
    return run


def product_rules_refresh_all() -> list[RuleRun]:
    """The nightly refresh: every scope named in settings.RECOMMENDATIONS["SCOPES"] (group-wide by default)."""
    return [product_rules_refresh(basket=scope) for scope in settings.RECOMMENDATIONS["SCOPES"]]
