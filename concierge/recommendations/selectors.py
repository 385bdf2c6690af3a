"""Reads over the materialised product rules: the rules list, a product's affinities, a guest's next-best offers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import get_language

from concierge.recommendations.choices import BasketKind, RuleSort
from concierge.recommendations.models import ProductRule, ProductRuleItem, RuleRun
from concierge.stays.choices import PRODUCTIVE_STATUSES
from concierge.stays.models import Product, Stay, StayItem

SORT_FIELDS = {
    RuleSort.LIFT: ["-lift", "-confidence", "-support", "id"],
    RuleSort.CONFIDENCE: ["-confidence", "-lift", "-support", "id"],
    RuleSort.SUPPORT: ["-support", "-lift", "-confidence", "id"],
}


def product_name(product: Any) -> str:
    """A product's name in the active language (works on Product rows and on values() dicts)."""
    zh = (get_language() or "").startswith("zh")
    if isinstance(product, dict):
        return product["name_zh"] if zh else product["name_en"]
    return product.name_zh if zh else product.name_en


def rules_for(
    *, basket: str = BasketKind.STAY, property: Any = None, product: Product | None = None, side: str = "",
    sort: str = RuleSort.LIFT,
) -> QuerySet:
    """Stored rules of a scope, optionally those with `product` (on `side` "a"/"c", or either), sorted."""
    qs = ProductRule.objects.filter(basket=basket, property=property)
    if product is not None:
        items = ProductRuleItem.objects.filter(rule=OuterRef("pk"), product=product)
        if side:
            items = items.filter(side=side)
        qs = qs.filter(Exists(items))
    return qs.order_by(*SORT_FIELDS.get(RuleSort(sort) if sort in RuleSort.values else RuleSort.LIFT))


def latest_run(*, basket: str = BasketKind.STAY, property: Any = None) -> RuleRun | None:
    """The newest mining run of a scope (its time is the rules' freshness)."""
    return RuleRun.objects.filter(basket=basket, property=property).order_by("-mined_at", "-id").first()


@dataclass
class RuleView:
    """A stored rule with product names resolved, for screens, CSV and the API."""

    rule: ProductRule
    antecedents: list[Product]
    consequents: list[Product]

    @property
    def antecedent_names(self) -> str:
        return " + ".join(product_name(p) for p in self.antecedents)

    @property
    def consequent_names(self) -> str:
        return " + ".join(product_name(p) for p in self.consequents)


def rule_views(rules: Any) -> list[RuleView]:
    """Resolve the product ids of a page of rules with one query."""
    rules = list(rules)
    ids = {i for r in rules for i in (*r.antecedent_ids, *r.consequent_ids)}
    products = Product.objects.in_bulk(ids)
    return [RuleView(r, [products[i] for i in r.antecedent_ids if i in products],
                     [products[i] for i in r.consequent_ids if i in products]) for r in rules]


@dataclass
class Offer:
    """A product to propose to a guest, and the products they took that make it likely."""

    product: dict[str, Any]
    because: list[dict[str, Any]]
    confidence: float
    lift: float
    score: float
    rule_id: int

    @property
    def name(self) -> str:
        return product_name(self.product)

    @property
    def reason(self) -> str:
        return " + ".join(product_name(p) for p in self.because)


def guest_offers(*, guest: Any, user: Any, limit: int = 3, basket: str = BasketKind.GUEST) -> list[Offer]:
    """Top `limit` products the guest has not taken yet, from group-wide rules whose antecedent they all took.

    Only stays `user` may see count as taken (the reason names them). Two indexed queries: the guest's distinct
    products, then the best single-consequent rules whose every antecedent product is among them (ranked by
    confidence × lift; one offer per product).
    """
    stays = Stay.objects.visible_to(user).filter(guest=guest, status__in=PRODUCTIVE_STATUSES)
    taken = {
        row["id"]: row for row in Product.objects.filter(
            Exists(StayItem.objects.filter(product=OuterRef("pk"), stay__in=stays))
        ).values("id", "code", "name_zh", "name_en")
    }
    if not taken:
        return []
    foreign_antecedent = ProductRuleItem.objects.filter(
        rule=OuterRef("pk"), side=ProductRuleItem.Side.ANTECEDENT).exclude(product_id__in=list(taken))
    rules = (
        ProductRule.objects.filter(basket=basket, property=None, consequent_size=1,
                                   consequent_product__is_active=True)
        .exclude(consequent_product_id__in=list(taken))
        .filter(~Exists(foreign_antecedent))
        .select_related("consequent_product")
        .order_by("-score", "-confidence", "id")[: limit * 10]
    )
    offers: list[Offer] = []
    seen: set[int] = set()
    for rule in rules:
        if rule.consequent_product_id in seen:
            continue
        seen.add(rule.consequent_product_id)
        p = rule.consequent_product
        offers.append(Offer(
            product={"id": p.pk, "code": p.code, "name_zh": p.name_zh, "name_en": p.name_en},
            because=[taken[i] for i in rule.antecedent_ids], confidence=rule.confidence, lift=rule.lift,
            score=rule.score, rule_id=rule.pk))
        if len(offers) == limit:
            break
    return offers
