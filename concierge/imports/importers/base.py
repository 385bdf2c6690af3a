"""What every importer shares: the run context, the summary, and small bulk helpers."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable

from django.db import connection
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext

from concierge.core.models import Activity
from concierge.guests.models import Tag
from concierge.imports.mapping import ColumnMapping
from concierge.imports.values import Issue, RowReader


@dataclass
class ImportSummary:
    """What an import did. `as_dict()` is what `--json` prints and what the batch stores."""

    kind: str
    source: str
    match_mode: str
    dry_run: bool = False
    file_name: str = ""
    status: str = "running"
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    attached: int = 0
    flagged: int = 0
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    extra: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    file_format: str = ""
    encoding: str = ""
    seconds: float = 0.0
    error: str = ""
    batch_id: int | None = None

    def count(self, name: str, n: int = 1) -> None:
        self.extra[name] = self.extra.get(name, 0) + n

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({i.row for i in self.rejected})

    def as_dict(self, *, limit: int | None = None) -> dict[str, Any]:
        """JSON-ready. `limit` caps the rejected/warning lists (their counts stay exact)."""
        rejected = self.rejected if limit is None else self.rejected[:limit]
        warnings = self.warnings if limit is None else self.warnings[:limit]
        data: dict[str, Any] = {
            "kind": str(self.kind), "source": self.source, "file": self.file_name, "status": str(self.status),
            "dry_run": self.dry_run, "match": str(self.match_mode), "rows_read": self.rows_read,
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "attached": self.attached, "flagged": self.flagged,
            "rejected_count": len(self.rejected_rows), "rejected": [i.as_dict() for i in rejected],
            "warnings_count": len(self.warnings), "warnings": [i.as_dict() for i in warnings],
            **self.extra,
            "columns": self.columns, "ignored_columns": self.ignored_columns, "notes": self.notes,
            "format": self.file_format, "encoding": self.encoding, "seconds": round(self.seconds, 2),
            "error": self.error, "batch": self.batch_id,
        }
        if self.kind == "leads":
            data["new"] = self.created
            data["matched_existing"] = self.attached + self.updated + self.unchanged
        return data


@dataclass
class ImportContext:
    """Everything an importer needs to know about the run."""

    actor: Any
    source: str
    match_mode: str
    summary: ImportSummary
    threshold: float
    holding_property: Any = None  # the property that holds imported profiles
    create_properties: bool = False
    campaign_tag: str = ""
    batch: Any = None
    now: dt.datetime = field(default_factory=timezone.now)

    @property
    def user(self) -> Any:
        """The user whose visibility scopes matching; None (a shell import) sees every property."""
        return self.actor if getattr(self.actor, "pk", None) else None

    @property
    def actor_or_none(self) -> Any:
        return self.actor if getattr(self.actor, "pk", None) else None

    @property
    def property_ids(self) -> list[int] | None:
        """Properties the actor may import into; None means all (group-wide users and shell imports)."""
        user = self.user
        return None if user is None else user.property_ids()

    @property
    def batch_id(self) -> int | None:
        return getattr(self.batch, "pk", None)

    @property
    def link(self) -> bool:
        return self.match_mode == "link"

    def note_line(self, field_name: str, raw: str) -> str:
        """The line kept in a profile's notes for an unreadable cell; the same cell gives the same line."""
        return f"[import {self.source}] {field_name}: {raw[:300]}"


class BaseImporter:
    """Reads cleaned rows in batches and writes them in bulk. Subclasses implement `read_row` and `write`."""

    kind = ""
    # Tables the importer looks rows up in; their planner statistics are refreshed before a run (PostgreSQL).
    lookup_tables: tuple[str, ...] = ("guests_guest", "guests_searchkey", "guests_identitydocument",
                                      "imports_guestexternalref")

    def __init__(self, ctx: ImportContext, mapping: ColumnMapping) -> None:
        self.ctx = ctx
        self.mapping = mapping
        self.summary = ctx.summary

    def read_row(self, reader: RowReader) -> Any:
        """Turn one row into the importer's row object, or return None (with errors on `reader`)."""
        raise NotImplementedError

    def write(self, rows: list[Any]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called once after the last batch (still inside the transaction)."""

    def reject(self, row: int, field_name: str, message: str, *, code: str = "invalid", raw: str = "") -> None:
        self.summary.rejected.append(Issue(row, field_name, message, code, raw))


# --- bulk helpers --------------------------------------------------------------------------------------------


def date_int(day: dt.date | None) -> int:
    """YYYYMMDD as an int: the recency hint search keys carry."""
    return day.year * 10000 + day.month * 100 + day.day if day else 0


@lru_cache(maxsize=512)
def _english(msgid: str) -> str:
    with translation.override("en"):
        return gettext(msgid)


ACTIVITY_COLUMNS = ("kind", "occurred_at", "actor_id", "guest_id", "company_id", "property_id", "summary", "body",
                    "data", "created_at")


def activity(
    *, msgid: str, params: dict[str, Any] | None = None, data: dict[str, Any] | None = None, kind: str,
    occurred_at: dt.datetime, actor: Any = None, guest: Any = None, company: Any = None,
    property_id: int | None = None,
) -> tuple[Any, ...]:
    """A timeline entry (a row for `insert_activities`) whose summary shows in each reader's language, stored as
    `core.services.activity_log` stores a LocalizedText.

    `msgid` is marked with gettext_noop by the caller. The English rendering for the `summary` column is
    built from cached templates: `translation.override` per row would cost more than the insert.
    """
    english: dict[str, Any] = {}
    stored_params: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if isinstance(value, Promise) and getattr(value, "_args", None):  # a lazy label keeps its message id
            label = str(value._args[0])
            english[key], stored_params[key] = _english(label), {"t": label}
        else:
            english[key], stored_params[key] = value, str(value)
    summary = _english(msgid) % english if english else _english(msgid)
    # The same shape as LocalizedText(msgid, params).as_data(), built without the per-row dataclass.
    stored = {**(data or {}), "summary_i18n": {"msgid": msgid, "params": stored_params}}
    return (kind, occurred_at, getattr(actor, "pk", None), getattr(guest, "pk", guest),
            getattr(company, "pk", company), property_id, summary[:300], "", stored, timezone.now())


def insert_activities(rows: list[tuple[Any, ...]]) -> None:
    from concierge.imports.bulk import insert_rows

    insert_rows(Activity, ACTIVITY_COLUMNS, rows)


def tag_ids(names: Iterable[str]) -> dict[str, int]:
    """Ids of the named tags, creating missing ones."""
    clean = sorted({n.strip()[:60] for n in names if n and n.strip()})
    if not clean:
        return {}
    existing = dict(Tag.objects.filter(name__in=clean).values_list("name", "id"))
    missing = [Tag(name=n) for n in clean if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing.update(Tag.objects.filter(name__in=[t.name for t in missing]).values_list("name", "id"))
    return existing


def lock_rows(qs: Any) -> Any:
    """Lock rows an import is about to update (PostgreSQL). SQLite serialises writers already."""
    if connection.features.has_select_for_update:
        return qs.select_for_update(of=("self",)).order_by("pk")
    return qs


def chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
