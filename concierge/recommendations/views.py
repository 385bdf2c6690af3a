"""Product affinities (/recommendations/): the rules list with a chart and CSV, and one product's affinities."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from concierge.recommendations import selectors
from concierge.recommendations.choices import BasketKind
from concierge.recommendations.filters import ProductRuleFilterSet
from concierge.recommendations.models import ProductRuleItem
from concierge.recommendations.permissions import can_view_rules
from concierge.stays.models import Product
from concierge.web.helpers import csv_download, paginate, render_page_or_partial

PAGE_SIZE = 25
CHART_RULES = 10
PRODUCT_RULES = 10


def _require_reader(request: HttpRequest) -> None:
    if not can_view_rules(request.user):
        raise PermissionDenied


def _chart(views: list[selectors.RuleView]) -> list[dict[str, Any]]:
    return [{"label": f"{v.antecedent_names} → {v.consequent_names}", "lift": round(v.rule.lift, 2),
             "confidence": round(v.rule.confidence * 100, 1)} for v in views]


@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    filterset = ProductRuleFilterSet(request.GET, request=request)
    rules = filterset.qs
    page = paginate(request, rules, per_page=PAGE_SIZE)
    page.object_list = selectors.rule_views(page.object_list)
    basket = filterset.form.cleaned_data.get("basket") if filterset.form.is_valid() else BasketKind.GUEST
    top = selectors.rule_views(rules.order_by("-lift", "-confidence", "id")[:CHART_RULES])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset, "page": page, "run": selectors.latest_run(basket=basket or BasketKind.GUEST),
        "chart": _chart(top), "query": query.urlencode(),
    }
    return render_page_or_partial(request, "recommendations/rule_list.html",
                                  "recommendations/partials/rule_table.html", context)


@login_required
@require_GET
def rules_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered rules as CSV (product names in the reader's language)."""
    _require_reader(request)
    rules = ProductRuleFilterSet(request.GET, request=request).qs

    def rows() -> Iterator[list[Any]]:
        yield [_("antecedent"), _("consequent"), _("antecedent codes"), _("consequent codes"), _("support"),
               _("confidence"), _("lift"), _("leverage"), _("conviction"), _("baskets with both"), _("baskets"),
               _("basket"), _("mined at")]
        for start in range(0, rules.count(), 500):
            for v in selectors.rule_views(rules[start:start + 500]):
                r = v.rule
                yield [v.antecedent_names, v.consequent_names, " ".join(p.code for p in v.antecedents),
                       " ".join(p.code for p in v.consequents), f"{r.support:.6f}", f"{r.confidence:.6f}",
                       f"{r.lift:.6f}", f"{r.leverage:.6f}", "" if r.conviction is None else f"{r.conviction:.6f}",
                       r.both_count, r.baskets, r.basket, r.mined_at.isoformat()]

    # Audited as an export, BOM for Excel, text cells made formula-safe (product names are user-entered).
    return csv_download(request, name="recommendations.product_rules", filename="product-rules.csv", rows=rows(),
                        detail=request.GET.urlencode()[:200])


@login_required
@require_GET
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """"Guests who took X also took …" and "… often led to X", per guest and per stay."""
    _require_reader(request)
    product = get_object_or_404(Product, pk=pk)
    basket = request.GET.get("basket") if request.GET.get("basket") in BasketKind.values else BasketKind.GUEST
    also_took = selectors.rule_views(
        selectors.rules_for(basket=basket, product=product, side=ProductRuleItem.Side.ANTECEDENT)[:PRODUCT_RULES])
    led_to = selectors.rule_views(
        selectors.rules_for(basket=basket, product=product, side=ProductRuleItem.Side.CONSEQUENT)[:PRODUCT_RULES])
    context = {"product": product, "name": selectors.product_name(product), "also_took": also_took,
               "led_to": led_to, "basket": basket, "baskets": BasketKind.choices,
               "run": selectors.latest_run(basket=basket), "chart": _chart(also_took[:CHART_RULES])}
    return render(request, "recommendations/product_detail.html", context)
