"""OpenAPI extras: named enum components for our TextChoices.

drf-spectacular names enums after the field ("status", "channel"), which collides when a field name
carries different choice sets (guest/company/stay status, consent/source channel). Naming the
component after the TextChoices class (GuestStatusEnum, StayStatusEnum) is stable and unambiguous.
"""
from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent


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
