"""Exports: any filtered list as CSV or XLSX (streamed), and company contacts as vCard 3.0 / 4.0.

Every export is audited (`core.services.audit_record(action="export")`) before the first byte leaves.
Text cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) get a leading apostrophe — the OWASP "CSV injection" defence; the importers strip it again,
so an exported file imports as it was. Guest exports use the canonical import headers, so a list can
be exported, corrected in Excel and imported back (`import_guests --source <same label>`).

vCards are written here (escaping and 75-octet folding are a few lines) rather than with `vobject`, so the
runtime needs no extra dependency for one text format and 3.0 and 4.0 come from the same code; `vobject`
is a test dependency that reads both versions back.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import tempfile
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator, Sequence

from django.db.models import QuerySet
from django.utils import timezone

from concierge.core.choices import AuditAction
from concierge.core.services import audit_record
from concierge.guests.names import has_cjk, split_full_name
from concierge.imports.choices import ExportFormat

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would evaluate gets a leading apostrophe; numbers and dates pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    """One exported column: its header and a `values()` path (or, with `many`, a to-many path joined by "; ")."""

    header: str
    path: str = ""
    many: str = ""
    render: Callable[[Any], Any] | None = None


def _join(values: Iterable[Any]) -> str:
    return "; ".join(sorted(str(v) for v in values if v))


GUEST_COLUMNS = (
    Column("external_ref", "external_ref"), Column("family_name", "family_name"), Column("given_name", "given_name"),
    Column("family_name_latin", "family_name_latin"), Column("given_name_latin", "given_name_latin"),
    Column("gender", "gender"), Column("birthday", "birthday"), Column("nationality", "nationality"),
    Column("phone", "phone"), Column("email", "email"), Column("address_1", "address_1"),
    Column("address_2", "address_2"), Column("city", "city"), Column("province", "province"),
    Column("postcode", "postcode"), Column("country", "country"), Column("company", "company__name_zh"),
    Column("tags", many="tags__name"), Column("status", "status"), Column("tier", "tier"),
    Column("last_stay_on", "last_stay_on"), Column("source", "source"), Column("id", "id"),
)
COMPANY_COLUMNS = (
    Column("external_ref", "external_ref"), Column("name_zh", "name_zh"), Column("name_en", "name_en"),
    Column("account_number", "account_number"), Column("industry", "industry__code"), Column("province", "province"),
    Column("city", "city"), Column("country", "country"), Column("address", "address"), Column("postcode", "postcode"),
    Column("phone", "phone"), Column("fax", "fax"), Column("email", "email"), Column("homepage", "homepage"),
    Column("channel", "channel"), Column("payment_method", "payment_method"), Column("status", "status"),
    Column("tags", many="tags__name"), Column("source", "source"), Column("id", "id"),
)
CONTACT_COLUMNS = (
    Column("full_name", "name"), Column("name_latin", "name_latin"), Column("company", "company__name_zh"),
    Column("title", "position"), Column("department", "department"), Column("phone", "phone"),
    Column("email", "email"), Column("birthday", "birthday"), Column("id", "id"),
)
STAY_COLUMNS = (
    Column("external_ref", "external_ref"), Column("guest_ref", "guest__external_ref"),
    Column("property", "property__code"), Column("arrival", "arrival"), Column("departure", "departure"),
    Column("nights", "room_nights"), Column("status", "status"), Column("room_type", "room_type"),
    Column("adr", "adr"), Column("room_revenue", "room_revenue"), Column("fnb_revenue", "fnb_revenue"),
    Column("other_revenue", "other_revenue"), Column("currency", "currency"), Column("channel", "channel"),
    Column("market_segment", "market_segment"), Column("items", many="products__code"),
    Column("source", "source"), Column("id", "id"),
)
COLUMNS = {"guests": GUEST_COLUMNS, "companies": COMPANY_COLUMNS, "contacts": CONTACT_COLUMNS, "stays": STAY_COLUMNS}


@dataclass
class ExportFile:
    """What a view streams: name, content type and the bytes, produced lazily."""

    filename: str
    content_type: str
    chunks: Iterator[bytes]
    rows: int


def _rows(queryset: QuerySet, columns: Sequence[Column]) -> Iterator[list[Any]]:
    """Values row by row, in the queryset's order; to-many columns are fetched per chunk of rows."""
    plain = [c.path for c in columns if c.path]
    model = queryset.model
    stream = queryset.values_list("pk", *plain).iterator(chunk_size=CHUNK_ROWS)
    many = [c for c in columns if c.many]
    while True:
        chunk = list(itertools.islice(stream, CHUNK_ROWS))
        if not chunk:
            return
        extra: dict[str, dict[Any, list[Any]]] = {}
        for column in many:
            found: dict[Any, list[Any]] = {}
            for pk, value in model._default_manager.filter(pk__in=[r[0] for r in chunk]).values_list("pk", column.many):
                found.setdefault(pk, []).append(value)
            extra[column.header] = found
        for record in chunk:
            values = iter(record[1:])
            out = []
            for column in columns:
                value = _join(extra[column.header].get(record[0], [])) if column.many else next(values)
                out.append(column.render(value) if column.render else value)
            yield out


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return neutralise(value)


def _csv_chunks(queryset: QuerySet, columns: Sequence[Column]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")  # a BOM, so Excel opens Chinese text as UTF-8
    writer.writerow([neutralise(c.header) for c in columns])
    for n, row in enumerate(_rows(queryset, columns), start=1):
        writer.writerow([_csv_value(v) for v in row])
        if n % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _xlsx_value(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _xlsx_chunks(queryset: QuerySet, columns: Sequence[Column], title: str) -> Iterator[bytes]:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "export")
    sheet.append([c.header for c in columns])
    for row in _rows(queryset, columns):
        sheet.append([_xlsx_value(v) for v in row])
    # XLSX is a zip: it can only be sent once it is complete. Spool it (to disk past 8 MB), then stream it.
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        workbook.save(spool)
        spool.seek(0)
        while block := spool.read(64 * 1024):
            yield block


def queryset_export(
    *, actor: Any, queryset: QuerySet, columns: Sequence[Column], format: str,  # noqa: A002 - the file format
    name: str = "export", ip_address: str | None = None, detail: str = "",
) -> ExportFile:
    """Export `queryset` (already scoped and filtered by the caller) as CSV or XLSX; audited.

    The rows are read lazily while the response streams, in chunks, so a 100,000-row list does not sit in
    memory as model instances.
    """
    if format not in ExportFormat.values:
        raise ValueError(f"unknown export format {format!r}")
    rows = queryset.count()
    audit_record(actor=actor, action=AuditAction.EXPORT, field=name[:60], ip_address=ip_address,
                 detail=f"{format}, {rows} rows{'; ' + detail if detail else ''}")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if format == ExportFormat.CSV:
        return ExportFile(f"{name}-{stamp}.csv", "text/csv; charset=utf-8", _csv_chunks(queryset, columns), rows)
    return ExportFile(f"{name}-{stamp}.xlsx", XLSX_CONTENT_TYPE, _xlsx_chunks(queryset, columns, name), rows)


# --- vCard ---------------------------------------------------------------------------------------------------

VCARD_VERSIONS = ("3.0", "4.0")
_UID_NAMESPACE = uuid.UUID("8a3c2f2e-4a5b-4c59-9f5e-7d2a1c0b9e11")


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
            .replace(",", "\\,").replace(";", "\\;"))


def _fold(line: str) -> str:
    """Fold at 75 octets (RFC 6350 3.2) without splitting a UTF-8 character."""
    out: list[str] = []
    current = ""
    size = 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > (75 if not out else 74):
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def contact_vcard(contact: Any, *, version: str = "4.0") -> str:
    """One contact as a vCard (3.0 or 4.0). The company name comes from `contact.company`."""
    if version not in VCARD_VERSIONS:
        raise ValueError(f"vCard version must be one of {VCARD_VERSIONS}")
    family, given = split_full_name(contact.name)
    company = contact.company
    org = company.name_zh or company.name_en if has_cjk(contact.name) else company.name_en or company.name_zh
    lines = ["BEGIN:VCARD", f"VERSION:{version}", "PRODID:-//Concierge//Concierge CRM//EN"]
    if version == "4.0":
        lines += [f"UID:urn:uuid:{uuid.uuid5(_UID_NAMESPACE, f'contact:{contact.pk}')}", "KIND:individual"]
    else:
        lines.append(f"UID:{uuid.uuid5(_UID_NAMESPACE, f'contact:{contact.pk}')}")
    lines.append(f"FN:{_escape(contact.name)}")
    latin = contact.name_latin.replace('"', "").replace(",", " ").strip()
    if latin and version == "4.0":
        lines.append(f'N;SORT-AS="{latin}":{_escape(family)};{_escape(given)};;;')
    else:
        lines.append(f"N:{_escape(family)};{_escape(given)};;;")
    if latin and version == "3.0":
        lines.append(f"SORT-STRING:{_escape(latin)}")
    if org:
        lines.append(f"ORG:{_escape(org)}" + (f";{_escape(contact.department)}" if contact.department else ""))
    if contact.position:
        lines.append(f"TITLE:{_escape(contact.position)}")
    if contact.phone:
        lines.append(f"TEL;VALUE=uri;TYPE=work,voice:tel:{contact.phone}" if version == "4.0"
                     else f"TEL;TYPE=WORK,VOICE:{contact.phone}")
    if contact.email:
        lines.append(f"EMAIL;TYPE=work:{contact.email}" if version == "4.0"
                     else f"EMAIL;TYPE=INTERNET,WORK:{contact.email}")
    if contact.birthday:
        lines.append("BDAY:" + (contact.birthday.strftime("%Y%m%d") if version == "4.0"
                                else contact.birthday.isoformat()))
    if contact.notes:
        lines.append(f"NOTE:{_escape(contact.notes)}")
    lines.append("REV:" + timezone.now().astimezone(dt.timezone.utc).strftime(
        "%Y%m%dT%H%M%SZ" if version == "4.0" else "%Y-%m-%dT%H:%M:%SZ"))
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)


def contacts_vcard(
    *, actor: Any, company: Any, contacts: QuerySet, version: str = "4.0", ip_address: str | None = None,
) -> ExportFile:
    """The contacts of a company as one .vcf file; audited as an export of the company."""
    if version not in VCARD_VERSIONS:
        raise ValueError(f"vCard version must be one of {VCARD_VERSIONS}")
    people = list(contacts.select_related("company"))
    audit_record(actor=actor, action=AuditAction.EXPORT, company=company, field="contacts",
                 detail=f"vCard {version}, {len(people)} contacts", ip_address=ip_address)
    text = "".join(contact_vcard(c, version=version) for c in people)
    return ExportFile(f"company-{company.pk}-contacts.vcf", "text/vcard; charset=utf-8",
                      iter([text.encode("utf-8")]), len(people))
