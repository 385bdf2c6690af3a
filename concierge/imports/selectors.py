"""Reads for imports: the batches a user may see, and the preview of an uploaded file."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from concierge.imports.choices import ImportKind, ImportStatus
from concierge.imports.importers import IMPORTERS
from concierge.imports.importers.base import ImportContext, ImportSummary
from concierge.imports.mapping import build_mapping, field_choices, missing_columns_error
from concierge.imports.models import ImportBatch
from concierge.imports.parsers import read_table
from concierge.imports.services import read_progress
from concierge.imports.values import Issue, RowReader
from concierge.properties.models import Property

PREVIEW_ROWS = 10


def import_batches_for(*, user: Any) -> QuerySet:
    """Imports the user may see: their own; group-wide users see every import."""
    qs = ImportBatch.objects.select_related("created_by", "property").order_by("-created_at", "-id")
    if user.is_superuser or user.property_ids() is None:
        return qs
    return qs.filter(created_by=user)


@dataclass
class PreviewRow:
    row: int
    values: list[str]
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


@dataclass
class ImportPreview:
    """What the mapping step shows: detected format, the column mapping, and the first rows checked."""

    headers: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    choices: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)  # mapped canonical fields, in file order
    rows: list[PreviewRow] = field(default_factory=list)
    file_format: str = ""
    encoding: str = ""
    estimated_rows: int = 0
    notes: list[str] = field(default_factory=list)
    error: str = ""


def import_preview(*, batch: ImportBatch, rows: int = PREVIEW_ROWS) -> ImportPreview:
    """Parse the stored upload with the batch's mapping and check the first `rows` rows (nothing is written)."""
    preview = ImportPreview(choices=field_choices(batch.kind))
    try:
        table = read_table(data=Path(batch.file_path).read_bytes(), file_name=batch.file_name)
    except OSError:
        preview.error = _("The uploaded file is no longer stored; upload it again.")
        return preview
    except ValidationError as exc:
        preview.error = " ".join(exc.messages)
        return preview
    mapping = build_mapping(table.headers, kind=batch.kind, override=batch.mapping or None, strict=False)
    error = missing_columns_error(batch.kind, mapping.fields)
    preview.headers, preview.mapping = table.headers, mapping.as_dict()
    preview.fields = [mapping.columns[i] for i in sorted(mapping.columns)]
    preview.file_format, preview.encoding, preview.estimated_rows = table.format, table.encoding, table.estimated_rows
    preview.notes = list(table.notes)
    if error is not None:
        preview.error = " ".join(error.messages)
        return preview
    summary = ImportSummary(kind=batch.kind, source=batch.source, match_mode=batch.match_mode)
    ctx = ImportContext(actor=batch.created_by, source=batch.source, match_mode=batch.match_mode, summary=summary,
                        threshold=1.0, holding_property=batch.property, create_properties=batch.create_properties,
                        campaign_tag=batch.campaign_tag)
    importer = IMPORTERS[batch.kind](ctx, mapping)
    codes = {p.upper() for p in Property.objects.values_list("code", flat=True)}
    for number, cells in table.rows:
        values = mapping.row_values(cells)
        reader = RowReader(number, values)
        item = importer.read_row(reader) if reader.ok else None
        if batch.kind == ImportKind.STAYS and item is not None and not batch.create_properties \
                and item.property_code.upper() not in codes:
            reader.reject("property", _("Unknown property code “%(code)s”.") % {"code": item.property_code})
        warnings = reader.warnings + list(getattr(item, "warnings", []) or [])
        preview.rows.append(PreviewRow(
            row=number, values=[_display(values.get(f)) for f in preview.fields],
            errors=reader.errors, warnings=list({id(w): w for w in warnings}.values()),
        ))
        if len(preview.rows) >= rows:
            break
    return preview


def _display(value: Any) -> str:
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def import_progress(*, batch: ImportBatch) -> dict[str, Any]:
    """{"status", "done", "total", "percent"}: from the running import's progress file, else the batch row."""
    done, total = batch.rows_done, batch.rows_total
    if batch.status == ImportStatus.RUNNING:
        live = read_progress(batch.pk)
        if live:
            done, total = live["done"], live["total"]
    percent = 100 if batch.is_finished else (min(99, 100 * done // total) if total else 0)
    return {"status": batch.status, "done": done, "total": total, "percent": percent}
