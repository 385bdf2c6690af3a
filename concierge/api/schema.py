"""OpenAPI extras: named enum components for our TextChoices, and validation errors documented as answered.

drf-spectacular names enums after the field ("status", "channel"), which collides when a field name
carries different choice sets (guest/company/stay status, consent/source channel). Naming the
component after the TextChoices class (GuestStatusEnum, StayStatusEnum) is stable and unambiguous.
"""
from __future__ import annotations

import re
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, force_instance, is_serializer
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from drf_standardized_errors.openapi_utils import get_flat_serializer_fields, get_serializer_fields_with_error_codes


class TextChoicesFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "concierge.api.fields.TextChoicesField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        choices_class = self.target.choices_class
        component = ResolvedComponent(
            name=f"{choices_class.__name__}Enum",
            type=ResolvedComponent.SCHEMA,
            object=choices_class,
            schema={
                "type": "string",
                "enum": [choice.value for choice in choices_class],
                "description": "\n".join(f"* `{c.value}` - {c.label}" for c in choices_class),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


# --- Validation errors: document what the views really answer ----------------------------------------------------
# (found by schemathesis; see docs/security.md "Hostile-input tests")


class AutoSchema(StandardizedErrorsAutoSchema):
    """drf-standardized-errors' schema, plus the validation errors of query parameters that a view validates with a
    serializer named in `extend_schema(parameters=[SomeInputSerializer])` (drf-standardized-errors only derives the
    codes of request bodies and django-filter forms, so `?phone=` blank or `?guest=0` answered undocumented codes)."""

    def _query_serializers(self) -> list[Any]:
        if self.method in ("PUT", "PATCH", "POST"):
            return []
        return [force_instance(p) for p in self.get_override_parameters() if is_serializer(p)]

    def _should_add_validation_error_response(self) -> bool:
        return super()._should_add_validation_error_response() or bool(self._query_serializers())

    def _determine_fields_with_error_codes(self) -> list[Any]:
        fields = list(super()._determine_fields_with_error_codes())
        for serializer in self._query_serializers():
            fields.extend(get_serializer_fields_with_error_codes(get_flat_serializer_fields(serializer)))
        return fields


_NESTED_SEPARATOR = "."
_POSITION_PLACEHOLDERS = {"INDEX": r"\d+", "KEY": r".*"}  # drf-standardized-errors' LIST_INDEX / DICT_KEY names


def _attr_pattern(attr: str) -> str | None:
    """`tags.INDEX` -> `^tags\\.\\d+$`; None when the attribute names no list position or dict key."""
    parts = attr.split(_NESTED_SEPARATOR)
    if not any(part in _POSITION_PLACEHOLDERS for part in parts):
        return None
    return "^" + re.escape(_NESTED_SEPARATOR).join(_POSITION_PLACEHOLDERS.get(p, re.escape(p)) for p in parts) + "$"


def document_nested_error_attrs(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular post-processing hook: make the documented `attr` of validation errors match what DRF answers.

    * Errors inside lists and dicts are documented as `tags.INDEX` / `assignments.KEY` but answered as `tags.0` /
      `assignments.vip`: such attributes become a `pattern` (and their `errors` item loses the `attr` discriminator,
      which can only map literal values).
    * A nested serializer `context` that is null or missing answers attr `context` (code `null` / `required`), while
      drf-standardized-errors documents those codes only under `context.non_field_errors`: add the `context` variant.
    """
    schemas = result.get("components", {}).get("schemas", {})
    for error_union in list(schemas.values()):
        discriminator = error_union.get("discriminator") if isinstance(error_union, dict) else None
        if not discriminator or discriminator.get("propertyName") != "attr" or "oneOf" not in error_union:
            continue
        variants = {}
        for ref in error_union["oneOf"]:
            item = schemas.get(ref.get("$ref", "").rsplit("/", 1)[-1], {})
            attr_enum = item.get("properties", {}).get("attr", {}).get("enum") or []
            if len(attr_enum) == 1 and isinstance(attr_enum[0], str):
                variants[attr_enum[0]] = (ref["$ref"], item)
        suffix = _NESTED_SEPARATOR + "non_field_errors"
        for attr, (ref, item) in list(variants.items()):
            parent = attr[: -len(suffix)] if attr.endswith(suffix) else ""
            codes = [c for c in item["properties"].get("code", {}).get("enum", []) if c in ("null", "required")]
            if not parent or not codes:
                continue
            if parent in variants:  # documented already (e.g. codes a view declares): add the missing codes
                parent_codes = variants[parent][1]["properties"].setdefault("code", {"type": "string", "enum": []})
                parent_codes["enum"] = sorted(set(parent_codes.get("enum", [])) | set(codes))
                continue
            name = ref.rsplit("/", 1)[-1].replace("NonFieldErrors", "") + "Itself"
            schemas[name] = {**item, "properties": {**item["properties"], "attr": {"enum": [parent], "type": "string"},
                                                    "code": {"enum": codes, "type": "string"}}}
            error_union["oneOf"].append({"$ref": f"#/components/schemas/{name}"})
            discriminator.setdefault("mapping", {})[parent] = f"#/components/schemas/{name}"
            variants[parent] = (f"#/components/schemas/{name}", schemas[name])
        patterned = False
        for attr, (_ref, item) in variants.items():
            pattern = _attr_pattern(attr)
            if pattern:
                item["properties"]["attr"] = {"type": "string", "pattern": pattern,
                                              "description": f"`{attr}`: INDEX is a position in the list, KEY a key."}
                patterned = True
        if patterned:
            error_union.pop("discriminator", None)
            error_union["anyOf"] = error_union.pop("oneOf")
    return result
