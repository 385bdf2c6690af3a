"""Small helpers that build import files in memory."""
from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Sequence


def csv_bytes(rows: Iterable[Sequence[Any]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """A CSV file as bytes; `encoding="gbk"` gives what Chinese Excel writes for "CSV (comma delimited)"."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


GUEST_HEADER = ["external_ref", "family_name", "given_name", "full_name", "gender", "birthday", "nationality",
                "id_type", "id_number", "phone", "email", "city", "country", "company", "tags"]


def guest_line(ref: str, **values: Any) -> list[Any]:
    return [ref if name == "external_ref" else values.get(name, "") for name in GUEST_HEADER]


def counts() -> dict[str, int]:
    """Row counts of every table an import writes, to check that nothing changed."""
    from concierge.core.models import Activity
    from concierge.dedupe.models import DuplicateCandidate
    from concierge.guests.models import (
        Company,
        Contact,
        ContactPoint,
        Guest,
        GuestProperty,
        IdentityDocument,
        SearchKey,
        Tag,
    )
    from concierge.imports.models import GuestExternalRef
    from concierge.properties.models import Property
    from concierge.stays.models import Product, Stay, StayItem

    models = [Guest, Guest.history.model, Company, Contact, ContactPoint, GuestProperty, IdentityDocument, SearchKey,
              Tag, Guest.tags.through, Activity, DuplicateCandidate, GuestExternalRef, Property, Stay, StayItem,
              Product]
    return {m._meta.label: m.objects.count() for m in models}
