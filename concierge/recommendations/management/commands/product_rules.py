"""`manage.py product_rules --min-support S --min-confidence C [--json]`: mine and print product association rules."""
from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from concierge.properties.models import Property
from concierge.recommendations.choices import BasketKind
from concierge.recommendations.services import product_rules_mine, product_rules_refresh
from concierge.stays.models import Product


class Command(BaseCommand):
    help = "Mine association rules over products taken on stays and print them (a table, or JSON with --json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--min-support", type=float, required=True, help="Share of baskets, e.g. 0.01.")
        parser.add_argument("--min-confidence", type=float, required=True, help="e.g. 0.2.")
        parser.add_argument("--basket", choices=[c.value for c in BasketKind], default=BasketKind.STAY,
                            help="One stay (default) or everything one guest ever took.")
        parser.add_argument("--property", metavar="CODE", help="Only stays at this property.")
        parser.add_argument("--max-len", type=int, help="Longest itemset (antecedent plus consequent).")
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
        parser.add_argument("--limit", type=int, default=50, help="Rows in the table (default 50; JSON prints all).")
        parser.add_argument("--save", action="store_true",
                            help="Also replace the stored rules of this scope (what the screens and the card use).")

    def handle(self, *args: Any, **options: Any) -> None:
        prop = None
        if options["property"]:
            prop = Property.objects.filter(code=options["property"]).first()
            if prop is None:
                raise CommandError(f"No property with code {options['property']!r}.")
        try:
            result = product_rules_mine(
                min_support=options["min_support"], min_confidence=options["min_confidence"],
                basket=options["basket"], property=prop, max_len=options["max_len"])
            if options["save"]:
                product_rules_refresh(basket=options["basket"], property=prop, min_support=options["min_support"],
                                      min_confidence=options["min_confidence"], max_len=options["max_len"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        ids = {i for itemset in result.itemsets for i in itemset}
        codes = dict(Product.objects.filter(pk__in=ids).values_list("pk", "code"))
        if options["json"]:
            self.stdout.write(json.dumps({
                "basket": options["basket"], "property": options["property"],
                "min_support": options["min_support"], "min_confidence": options["min_confidence"],
                "max_len": options["max_len"], "baskets": result.baskets, "itemsets": len(result.itemsets),
                "rule_count": len(result.rules), "seconds": round(result.seconds, 3),
                "rules": [{
                    "antecedents": [codes[i] for i in r.antecedent], "consequents": [codes[i] for i in r.consequent],
                    "antecedent_support": r.antecedent_support, "consequent_support": r.consequent_support,
                    "support": r.support, "confidence": r.confidence, "lift": r.lift, "leverage": r.leverage,
                    "conviction": r.conviction, "count": r.both_count,
                } for r in result.rules],
            }, ensure_ascii=False, indent=1))
            return
        width = max([24] + [len(", ".join(codes[i] for i in r.antecedent)) for r in result.rules[:options["limit"]]])
        self.stdout.write(f"{'antecedent':<{width}}  →  {'consequent':<24} {'support':>8} {'confid.':>8} "
                          f"{'lift':>7} {'count':>7}")
        for r in result.rules[:options["limit"]]:
            self.stdout.write(
                f"{', '.join(codes[i] for i in r.antecedent):<{width}}  →  "
                f"{', '.join(codes[i] for i in r.consequent):<24} {r.support:>8.4f} {r.confidence:>8.3f} "
                f"{r.lift:>7.2f} {r.both_count:>7}")
        if len(result.rules) > options["limit"]:
            self.stdout.write(f"… {len(result.rules) - options['limit']} more (--limit, --json)")
        levels: dict[int, int] = {}
        for itemset in result.itemsets:
            levels[len(itemset)] = levels.get(len(itemset), 0) + 1
        self.stdout.write(
            f"baskets: {result.baskets}  itemsets: {len(result.itemsets)} "
            f"({', '.join(f'{k}: {v}' for k, v in sorted(levels.items()))})  rules: {len(result.rules)}  "
            f"time: {result.seconds:.2f} s" + ("  (saved)" if options["save"] else ""))
