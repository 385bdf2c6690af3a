"""Materialised product association rules ("guests who took X also took Y") and the runs that mined them."""
from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.recommendations.choices import BasketKind


class RuleRun(models.Model):
    """One mining of the stays ledger for a scope (basket kind, property); its rules replace the previous run's."""

    basket = models.CharField(_("basket"), max_length=10, choices=BasketKind.choices, default=BasketKind.STAY)
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("property"),
    )
    min_support = models.FloatField(_("minimum support"))
    min_confidence = models.FloatField(_("minimum confidence"))
    max_len = models.PositiveSmallIntegerField(_("longest itemset"), null=True, blank=True)
    baskets = models.PositiveIntegerField(_("baskets"), default=0)
    itemsets = models.PositiveIntegerField(_("frequent itemsets"), default=0)
    rules = models.PositiveIntegerField(_("rules"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    mined_at = models.DateTimeField(_("mined at"), default=timezone.now)

    class Meta:
        verbose_name = _("rule mining run")
        verbose_name_plural = _("rule mining runs")
        ordering = ["-mined_at", "-id"]
        indexes = [models.Index(fields=["basket", "property", "-mined_at"], name="rulerun_scope_latest")]

    def __str__(self) -> str:
        return f"{self.basket} {self.property_id or '*'} {self.mined_at:%Y-%m-%d %H:%M}"


class ProductRule(models.Model):
    """An association rule antecedent → consequent over products taken in one basket (stay or guest).

    `antecedent_ids`/`consequent_ids` are sorted product ids; the `items` rows repeat them so rules can be
    filtered by product with an index. `consequent_product` is set for one-product consequents, the only ones
    offered on the guest card.
    """

    run = models.ForeignKey(RuleRun, on_delete=models.CASCADE, related_name="product_rules")
    basket = models.CharField(_("basket"), max_length=10, choices=BasketKind.choices, default=BasketKind.STAY)
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("property"),
    )
    antecedent_ids = models.JSONField(_("antecedent"), default=list)
    consequent_ids = models.JSONField(_("consequent"), default=list)
    antecedent_size = models.PositiveSmallIntegerField(default=1)
    consequent_size = models.PositiveSmallIntegerField(default=1)
    consequent_product = models.ForeignKey(
        "stays.Product", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    support = models.FloatField(_("support"))
    confidence = models.FloatField(_("confidence"))
    lift = models.FloatField(_("lift"))
    leverage = models.FloatField(_("leverage"), default=0)
    conviction = models.FloatField(_("conviction"), null=True, blank=True)  # NULL = infinite (confidence 1)
    score = models.FloatField(_("score"), default=0)  # confidence × lift: the card's ranking
    antecedent_count = models.PositiveIntegerField(default=0)
    consequent_count = models.PositiveIntegerField(default=0)
    both_count = models.PositiveIntegerField(default=0)
    baskets = models.PositiveIntegerField(default=0)
    mined_at = models.DateTimeField(_("mined at"), default=timezone.now)

    class Meta:
        verbose_name = _("product rule")
        verbose_name_plural = _("product rules")
        ordering = ["-lift", "-confidence", "id"]
        indexes = [
            models.Index(fields=["basket", "property", "-lift"], name="productrule_scope_lift"),
            models.Index(fields=["basket", "property", "consequent_product", "-score"],
                         name="productrule_scope_offer"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(confidence__gte=0, confidence__lte=1),
                                   name="productrule_confidence_range"),
        ]

    def __str__(self) -> str:
        return f"{self.antecedent_ids} → {self.consequent_ids}"


class ProductRuleItem(models.Model):
    """One product on one side of a rule (for "rules about product X" and the guest card's subset test)."""

    class Side(models.TextChoices):
        ANTECEDENT = "a", _("antecedent")
        CONSEQUENT = "c", _("consequent")

    rule = models.ForeignKey(ProductRule, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("stays.Product", on_delete=models.CASCADE, related_name="+")
    side = models.CharField(max_length=1, choices=Side.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "product"], name="productruleitem_unique")]
        indexes = [models.Index(fields=["product", "side"], name="productruleitem_product")]
