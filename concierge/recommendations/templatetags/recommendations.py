"""`{% rule_sentence view %}`: "Guests who took X also took Y" with links to the product pages."""
from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from concierge.recommendations.selectors import product_name

register = template.Library()


def _links(products: list[Any]) -> SafeString:
    parts = [format_html('<a href="{}" class="fw-semibold">{}</a>',
                         reverse("recommendations:product_detail", args=[p.pk]), product_name(p))
             for p in products]
    return mark_safe(" + ".join(parts))


@register.simple_tag
def rule_sentence(view: Any) -> SafeString:
    template_text = conditional_escape(_("Guests who took %(antecedent)s also took %(consequent)s"))
    return mark_safe(template_text % {"antecedent": _links(view.antecedents), "consequent": _links(view.consequents)})


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value * 100:.{digits}f}%"
