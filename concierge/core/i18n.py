"""Text stored once and shown in each reader's language (timeline summaries written by services)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext


@dataclass(frozen=True)
class LocalizedText:
    """A message id (marked with gettext_noop so makemessages extracts it) and its parameters."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self) -> str:
        text = gettext(self.msgid)
        return text % _render_params(self.params) if self.params else text

    def render_in(self, language: str) -> str:
        with translation.override(language):
            return self.render()

    def as_data(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "params": {k: _store_param(v) for k, v in self.params.items()}}


def _store_param(value: Any) -> Any:
    """Lazy translations (choice labels) keep their message id so they too render in the reader's language."""
    if isinstance(value, Promise) and getattr(value, "_args", None):
        return {"t": str(value._args[0])}
    return str(value)


def _render_params(params: dict[str, Any]) -> dict[str, str]:
    return {k: gettext(v["t"]) if isinstance(v, dict) and "t" in v else v for k, v in params.items()}


def render_stored(data: dict[str, Any] | None, fallback: str) -> str:
    """Render a LocalizedText saved with `as_data()`, or return `fallback` (free text typed by staff)."""
    stored = (data or {}).get("summary_i18n")
    if not stored:
        return fallback
    try:
        return LocalizedText(stored["msgid"], stored.get("params") or {}).render()
    except (KeyError, TypeError, ValueError):
        return fallback
