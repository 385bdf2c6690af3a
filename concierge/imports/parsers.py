"""Reading uploaded tables: CSV (UTF-8 with or without BOM, GBK/GB18030 as Excel writes it, UTF-16) and XLSX.

A parser yields the header row and then `(row_number, cells)` for each non-empty row. Row numbers are
the ones a spreadsheet shows: the header is row 1, the first data row is row 2. Cells are `str`, or
`datetime.date`/`datetime.datetime` for XLSX date cells; numbers come out as text ("13800138000",
"412.5"), so one set of cleaning rules serves both formats.

Encoding: CSV bytes are tried as UTF-8 (a BOM is dropped) and then as GB18030, a superset of the
GBK that Chinese Excel writes for "CSV (comma delimited)". Anything else is refused with a message
that says how to save the file, instead of importing mojibake.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, Iterator

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A cell longer than this is refused (the row is rejected), whatever column it is in. Excel's own cell
# limit is 32,767 characters; nothing a hotel imports needs more than a few hundred.
MAX_CELL_CHARS = 10_000
MAX_COLUMNS = 200

_DELIMITERS = (",", ";", "\t", "|")
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls


@dataclass
class Table:
    """A parsed file: its headers, an iterator of rows, and what was detected about it."""

    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    estimated_rows: int = 0
    notes: list[str] = field(default_factory=list)


def _csv_limit() -> None:
    # csv refuses fields over 128 KiB with an exception that would abort the whole file. Raise the ceiling
    # so an oversized cell reaches our own per-cell check and becomes a row error instead.
    if csv.field_size_limit() < 64 * 1024 * 1024:
        csv.field_size_limit(64 * 1024 * 1024)


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding label) for CSV bytes; raises ValidationError(code="bad_encoding")."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    else:
        for encoding, label in (("utf-8-sig", "utf-8"), ("gb18030", "gb18030")):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if label == "utf-8" and data.startswith(codecs.BOM_UTF8):
                label = "utf-8-sig"
            if "\x00" in text:
                break  # binary data that happened to decode
            return text, label
    raise ValidationError(
        _("The file is not readable text: it is neither UTF-8 nor GBK/GB18030. In Excel, use "
          "“Save as → CSV UTF-8 (comma delimited)” or save it as .xlsx, and upload it again."),
        code="bad_encoding",
    )


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _unique_headers(raw: list[Any]) -> list[str]:
    headers: list[str] = []
    seen: dict[str, int] = {}
    for position, value in enumerate(raw, start=1):
        text = str(value if value is not None else "").strip().lstrip("\ufeff")[:200]
        if not text:
            text = _("column %(n)s") % {"n": position}
        if text in seen:
            seen[text] += 1
            text = f"{text} ({seen[text]})"
        else:
            seen[text] = 1
        headers.append(text)
    return headers


def _is_blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def read_csv(data: bytes) -> Table:
    text, encoding = decode_text(data)
    _csv_limit()
    first_line = text.split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    header_row = 0
    for index, cells in enumerate(reader, start=1):
        if not _is_blank(cells):
            header, header_row = cells, index
            break
    if header is None:
        raise ValidationError(_("The file is empty."), code="empty_file")
    if len(header) > MAX_COLUMNS:
        raise ValidationError(_("The file has %(n)s columns; at most %(max)s are read.")
                              % {"n": len(header), "max": MAX_COLUMNS}, code="too_many_columns")

    def rows() -> Iterator[tuple[int, list[Any]]]:
        # Row numbers count records, as a spreadsheet numbers rows (a quoted cell may span lines).
        for number, cells in enumerate(reader, start=header_row + 1):
            if "".join(cells).strip():  # csv gives strings only: a cheaper blank-row test than _is_blank
                yield number, cells

    return Table(headers=_unique_headers(header), rows=rows(), format="csv", encoding=encoding,
                 delimiter=delimiter, estimated_rows=max(text.count("\n") - header_row, 0))


def _xlsx_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook  # imported here: only XLSX uploads pay for it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationError(_("The file is not a valid .xlsx workbook."), code="bad_xlsx") from exc
    if not workbook.worksheets:
        raise ValidationError(_("The workbook has no worksheet."), code="empty_file")
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    header: list[Any] | None = None
    header_row = 0
    for index, cells in enumerate(iterator, start=1):
        values = list(cells)
        if not _is_blank(values):
            header, header_row = values, index
            break
    if header is None:
        workbook.close()
        raise ValidationError(_("The file is empty."), code="empty_file")
    while header and (header[-1] is None or str(header[-1]).strip() == ""):
        header.pop()  # read-only sheets often report trailing empty columns
    if len(header) > MAX_COLUMNS:
        workbook.close()
        raise ValidationError(_("The file has %(n)s columns; at most %(max)s are read.")
                              % {"n": len(header), "max": MAX_COLUMNS}, code="too_many_columns")
    width = len(header)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, cells in enumerate(iterator, start=header_row + 1):
                values = [_xlsx_cell(v) for v in list(cells)[:width]]
                if not _is_blank(values):
                    yield number, values
        finally:
            workbook.close()

    notes = []
    if len(workbook.worksheets) > 1:
        notes.append(_("Only the first worksheet (“%(name)s”) is read.") % {"name": sheet.title})
    return Table(headers=_unique_headers(header), rows=rows(), format="xlsx",
                 estimated_rows=max((sheet.max_row or 0) - header_row, 0), notes=notes)


def read_table(*, data: bytes, file_name: str = "") -> Table:
    """Parse CSV or XLSX bytes (decided by content, then by name); raises ValidationError with a clear message."""
    name = (file_name or "").lower()
    if data.startswith(_OLE_MAGIC) or name.endswith(".xls"):
        raise ValidationError(_("Old .xls workbooks are not read. Save the file as .xlsx or CSV UTF-8."),
                              code="xls_unsupported")
    if data.startswith(_XLSX_MAGIC) or name.endswith((".xlsx", ".xlsm")):
        return read_xlsx(data)
    return read_csv(data)


_NEUTRALISED_RE = re.compile(r"^'[=+\-@\t\r]")


def unneutralise(text: str) -> str:
    """Undo the export's formula-injection guard ('=…, '+86…) so exported files import as they were."""
    return text[1:] if _NEUTRALISED_RE.match(text) else text
