"""Rendering message templates with Django's template engine and a restricted context.

Templates are written by marketing staff, so they get a sandbox: a separate `Engine` without autoescaping (the
output is plain text; the HTML part of an email is made from it and escaped there), a small list of tags and
filters, and a context of plain dicts holding only the placeholders below. `validate_template_fields` checks every
placeholder when a template is saved, so a typo is an error naming the field, not a blank at send time.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import Node, TextNode, VariableNode
from django.template.defaulttags import FirstOfNode, IfNode
from django.utils.translation import gettext_lazy as _

from concierge.guests.choices import Language

# placeholder -> description (shown on the template edit page)
PLACEHOLDERS: dict[str, Any] = {
    "guest.name": _("Guest's name, written for the message language"),
    "guest.family_name": _("Family name"),
    "guest.given_name": _("Given name"),
    "property.name": _("Hotel name in the message language"),
    "property.phone": _("Hotel phone"),
    "property.email": _("Hotel email"),
    "property.address": _("Hotel address"),
    "unsubscribe_url": _("One-click unsubscribe link for this channel"),
    "survey_url": _("Survey link (when the sender gives one)"),
    "offer_url": _("Offer or booking link (when the sender gives one)"),
    "offer_code": _("Offer code (when the sender gives one)"),
}
# Values a caller may pass in `context` (anything else is ignored, so nothing unexpected reaches a template).
CALLER_KEYS = ("survey_url", "offer_url", "offer_code")
ALLOWED_NODES = (TextNode, VariableNode, IfNode, FirstOfNode)
ALLOWED_FILTERS = frozenset({"default", "upper", "lower", "title", "truncatechars", "date", "yesno"})

ENGINE = Engine(autoescape=False, libraries={}, string_if_invalid="")

FIELDS = ("subject_zh", "subject_en", "body_zh", "body_en")


@dataclass(frozen=True)
class Rendered:
    """A message rendered for one guest in one language."""

    language: str
    subject: str
    body: str


def _nodes(nodelist: Any) -> list[Node]:
    found: list[Node] = []
    for node in nodelist:
        found.append(node)
        for attr in getattr(node, "child_nodelists", ()):
            found.extend(_nodes(getattr(node, attr, None) or []))
        if isinstance(node, IfNode):
            for _condition, branch in node.conditions_nodelists:
                found.extend(_nodes(branch))
    return found


def _variables(node: Node) -> list[Any]:
    """FilterExpressions used by a node (the variable itself, or those in an if condition / firstof)."""
    if isinstance(node, VariableNode):
        return [node.filter_expression]
    if isinstance(node, FirstOfNode):
        return list(node.vars)
    if isinstance(node, IfNode):
        expressions = []
        for condition, _branch in node.conditions_nodelists:
            stack = [condition]
            while stack:
                item = stack.pop()
                if item is None:
                    continue
                value = getattr(item, "value", None)
                if value is not None and hasattr(value, "var"):
                    expressions.append(value)
                stack.extend([getattr(item, "first", None), getattr(item, "second", None)])
        return expressions
    return []


def template_errors(text: str) -> list[str]:
    """Every problem in one template text (empty list: fine)."""
    if not text:
        return []
    try:
        template = ENGINE.from_string(text)
    except TemplateSyntaxError as exc:
        return [str(_("Template syntax error: %(error)s") % {"error": exc})]
    errors: list[str] = []
    for node in _nodes(template.nodelist):
        if not isinstance(node, ALLOWED_NODES):
            errors.append(str(_("Tag not allowed: %(tag)s. Only placeholders, {%% if %%} and {%% firstof %%}.")
                              % {"tag": getattr(node, "token", None) and node.token.contents.split()[0] or
                                 type(node).__name__}))
            continue
        for expression in _variables(node):
            variable = expression.var
            if hasattr(variable, "var"):  # a Variable, not a literal string/number
                if variable.literal is None and variable.var not in PLACEHOLDERS:
                    errors.append(str(_("Unknown placeholder {{ %(name)s }}. Allowed: %(allowed)s")
                                      % {"name": variable.var, "allowed": ", ".join(PLACEHOLDERS)}))
            for func, _args in expression.filters:
                name = getattr(func, "_filter_name", func.__name__)
                if name not in ALLOWED_FILTERS:
                    errors.append(str(_("Filter not allowed: %(name)s") % {"name": name}))
    return errors


def validate_template_fields(template: Any) -> None:
    """Raise a ValidationError keyed by field for every bad subject/body (on save and in forms)."""
    errors: dict[str, list[str]] = {}
    for field in FIELDS:
        problems = template_errors(getattr(template, field, "") or "")
        if problems:
            errors[field] = problems
    if template.channel == "email":
        for field in ("subject_zh", "subject_en"):
            if not (getattr(template, field, "") or "").strip():
                errors.setdefault(field, []).append(str(_("An email needs a subject.")))
    for field in ("body_zh", "body_en"):
        if not (getattr(template, field, "") or "").strip():
            errors.setdefault(field, []).append(str(_("Write the message in both languages.")))
    if errors:
        raise ValidationError(errors)


def guest_language(guest: Any) -> str:
    language = getattr(guest, "language", "") or Language.ZH_HANS
    return language if language in (Language.ZH_HANS, Language.EN) else Language.ZH_HANS.value


def _guest_name(guest: Any, language: str) -> str:
    native, latin = guest.native_name, guest.latin_name
    return (native or latin) if language.startswith("zh") else (latin or native)


def build_context(*, guest: Any, property_: Any, language: str, unsubscribe_url: str = "",
                  extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The restricted context: plain values only, no model objects (templates cannot call methods or follow FKs)."""
    zh = language.startswith("zh")
    context: dict[str, Any] = {
        "guest": {"name": _guest_name(guest, language), "family_name": guest.family_name or guest.family_name_latin,
                  "given_name": guest.given_name or guest.given_name_latin},
        "property": {"name": "", "phone": "", "email": "", "address": ""},
        "unsubscribe_url": unsubscribe_url,
    }
    if property_ is not None:
        context["property"] = {
            "name": (property_.name_zh if zh else property_.name_en) or property_.name_en or property_.name_zh,
            "phone": property_.phone, "email": property_.email, "address": property_.address,
        }
    for key in CALLER_KEYS:
        context[key] = str((extra or {}).get(key, "") or "")
    return context


def render_text(text: str, context: dict[str, Any]) -> str:
    return ENGINE.from_string(text or "").render(Context(context, autoescape=False))


def render_parts(*, subject: str, body: str, language: str, context: dict[str, Any]) -> Rendered:
    """Render one language's subject and body; subjects are folded onto one line."""
    return Rendered(language=language, subject=" ".join(render_text(subject, context).split())[:200],
                    body=render_text(body, context).strip())
