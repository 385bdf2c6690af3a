"""The segment form and the builder's form encoding.

The builder posts its tree as flat fields named by each node's number: the top group is `g--op`, a nested group
in position 2 is `g-2-op`, and the condition in position 2.1 posts `c-2.1-field`, `c-2.1-operator`,
`c-2.1-value` (repeated for multiple choices) and, depending on its value kind, `-amount`, `-from`, `-to`,
`-last_days`, `-category`, `-text`, `-measure`, `-scale`, `-score`. `definition_from_post` rebuilds the tree;
`builder_nodes` turns a tree back into what the templates render.
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from concierge.segments import conditions as c
from concierge.segments.models import Segment

PERIOD_KEYS = ("from", "to", "last_days")


class SegmentForm(forms.ModelForm):
    class Meta:
        model = Segment
        fields = ["name", "description", "shared"]
        labels = {"name": _("Segment name"), "shared": _("Shared with colleagues")}
        widgets = {
            "name": forms.TextInput(attrs={"class": "form-control", "maxlength": 200}),
            "description": forms.Textarea(attrs={"class": "form-control", "rows": 2}),
            "shared": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }


def _path_key(path: str) -> tuple[int, ...]:
    return tuple(int(p) for p in path.split(".")) if path else ()


def _raw_value(data: QueryDict, prefix: str, kind: str) -> Any:
    def get(name: str) -> str:
        return (data.get(f"{prefix}-{name}") or "").strip()

    if kind == c.NONE:
        return None
    if kind in (c.MULTI, c.MONTHS):
        return [v for v in data.getlist(f"{prefix}-value") if v]
    if kind in (c.CODES, c.CELLS, c.DATE, c.DAYS, c.NUMBER):
        return get("value")
    if kind == c.AMOUNT_PERIOD:
        return {"amount": get("amount"), **{k: get(k) for k in PERIOD_KEYS}}
    if kind == c.MULTI_PERIOD:
        return {"values": [v for v in data.getlist(f"{prefix}-value") if v], **{k: get(k) for k in PERIOD_KEYS}}
    if kind == c.PREFERENCE:
        return {"category": get("category"), "text": get("text")}
    if kind == c.SURVEY:
        return {"measure": get("measure") or "avg", "scale": get("scale") or "5", "amount": get("amount"),
                **{k: get(k) for k in PERIOD_KEYS}}
    if kind == c.RFM_SCORE:
        return {"score": get("score") or "r", "amount": get("amount")}
    return get("value")


def definition_from_post(data: QueryDict, *, action: str = "") -> dict[str, Any]:
    """The (uncleaned) tree the builder posted, with `action` applied: `add:<group>`, `group:<group>`,
    `remove:<node>`, `field:<condition>` (the field changed: start its value afresh)."""
    groups: dict[str, str] = {"": data.get("g--op") or "and"}
    conditions: dict[str, dict[str, Any]] = {}
    for key in data:
        kind, _sep, rest = key.partition("-")
        path, _sep, name = rest.rpartition("-")
        try:
            _path_key(path)
        except ValueError:
            continue
        if kind == "g" and name == "op" and path:
            groups[path] = data.get(key) or "and"
        elif kind == "c" and name == "field" and path:
            conditions[path] = {}
    verb, _sep, target = action.partition(":")
    for path in list(conditions):
        field = data.get(f"c-{path}-field") or ""
        spec = c.REGISTRY.get(field)
        operator = data.get(f"c-{path}-operator") or ""
        if spec is not None and operator not in spec.operators:
            operator = spec.operators[0]
        value = None
        if spec is not None and not (verb == "field" and target == path):
            value = _raw_value(data, f"c-{path}", spec.kind_for(operator))
        conditions[path] = {"field": field, "operator": operator, "value": value}

    def children(parent: str) -> list[str]:
        depth = len(_path_key(parent)) + 1
        paths = [p for p in [*groups, *conditions] if p and len(_path_key(p)) == depth
                 and (not parent or p.startswith(parent + "."))]
        return sorted(set(paths), key=_path_key)

    def build(path: str) -> dict[str, Any]:
        items: list[dict[str, Any]] = []
        for child in children(path):
            if verb == "remove" and child == target:
                continue
            items.append(build(child) if child in groups else conditions[child])
        if verb == "add" and target == path:
            items.append(blank_condition())
        if verb == "group" and target == path:
            items.append({"op": "and", "items": [blank_condition()]})
        op = groups.get(path, "and")
        return {"op": op if op in c.GROUP_OPS else "and", "items": items}

    return build("")


def blank_condition() -> dict[str, Any]:
    return {"field": "", "operator": "", "value": None}


def _form_value(kind: str, value: Any) -> Any:
    """A stored or posted value as the widgets show it (lists of codes as "CN, HK")."""
    if kind in (c.CODES, c.CELLS) and isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if kind in (c.MULTI, c.MONTHS):
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else []
    if kind == c.MULTI_PERIOD and isinstance(value, dict):
        return {**value, "values": [str(v) for v in value.get("values") or []]}
    if value is None and kind in (c.AMOUNT_PERIOD, c.MULTI_PERIOD, c.PREFERENCE, c.SURVEY, c.RFM_SCORE):
        return {}
    return value if value is not None else ""


def builder_nodes(definition: dict[str, Any], user: Any) -> dict[str, Any]:
    """The tree as the builder templates render it: each node with its number, and each condition with its
    field spec, operators, value kind, choices and current value."""
    choice_cache: dict[str, list[tuple[str, str]]] = {}

    def choices(spec: c.FieldSpec) -> list[tuple[str, str]]:
        if spec.key not in choice_cache:
            choice_cache[spec.key] = spec.choice_list(user)
        return choice_cache[spec.key]

    def node(item: dict[str, Any], path: str, depth: int) -> dict[str, Any]:
        if isinstance(item, dict) and "items" in item:
            kids = [node(child, f"{path}.{i}" if path else str(i), depth + 1)
                    for i, child in enumerate(item.get("items") or [], start=1)]
            return {"is_group": True, "path": path, "op": item.get("op", "and"), "items": kids, "depth": depth,
                    "can_nest": depth < c.MAX_DEPTH}
        spec = c.REGISTRY.get(str(item.get("field") or ""))
        if spec is None:
            return {"is_group": False, "path": path, "field": "", "spec": None}
        operator = item.get("operator") if item.get("operator") in spec.operators else spec.operators[0]
        kind = spec.kind_for(operator)
        value = _form_value(kind, item.get("value"))
        if spec.key == "owner" and kind == c.MULTI:
            value = [str(v) for v in value]
        return {
            "is_group": False, "path": path, "field": spec.key, "spec": spec, "operator": operator, "kind": kind,
            "operators": [(op, c.OPERATOR_LABELS[op]) for op in spec.operators], "value": value,
            "choices": choices(spec) if kind in (c.MULTI, c.MULTI_PERIOD, c.PREFERENCE) else
            (c._month_choices(user) if kind == c.MONTHS else []),
        }

    return node(definition, "", 1)


MEASURES = (("avg", _("average")), ("min", _("lowest")))
SCALES = (("5", _("1–5 ratings")), ("10", _("0–10 scores")))
RFM_LETTERS = (("r", _("R (recency)")), ("f", _("F (frequency)")), ("m", _("M (monetary)")))
