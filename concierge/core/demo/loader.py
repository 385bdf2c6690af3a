"""Fast loading of generated guests: bulk rows instead of per-guest services.

The rows are the ones the services would write -- ID numbers validated, encrypted (the field does it
on save), blind-indexed and masked with the same helpers, search keys from
`guest_search_key_rows` -- but inserted in bulk: `COPY` on PostgreSQL (ids drawn from the table's
sequence first), `bulk_create` elsewhere.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Sequence

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

from concierge.core.demo.generators import GuestSpec
from concierge.guests.identity import id_number_hash, mask_id_number, validate_id_number
from concierge.guests.models import ContactPoint, Guest, GuestProperty, IdentityDocument, SearchKey, Tag
from concierge.guests.services import guest_search_key_rows


class BulkWriter:
    """Inserts unsaved model instances in batches and sets their primary keys.

    On PostgreSQL rows go through `COPY ... FROM STDIN` (several times faster than multi-row
    INSERT for millions of rows); values are prepared by each field's `get_db_prep_save`, so
    encrypted fields encrypt and auto_now fields stamp exactly as in `bulk_create`.
    """

    def __init__(self, *, using: str = DEFAULT_DB_ALIAS, batch_size: int = 5000, use_copy: bool | None = None) -> None:
        self.using = using
        self.batch_size = batch_size
        connection = connections[using]
        self.use_copy = connection.vendor == "postgresql" if use_copy is None else use_copy
        self.counts: dict[str, int] = {}

    def insert(self, objs: Sequence[Model]) -> None:
        if not objs:
            return
        model = type(objs[0])
        for start in range(0, len(objs), self.batch_size):
            batch = objs[start:start + self.batch_size]
            if self.use_copy:
                self._copy(model, batch)
            else:
                model._default_manager.using(self.using).bulk_create(batch, batch_size=self.batch_size)
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + len(objs)

    def _copy(self, model: type[Model], objs: Sequence[Model]) -> None:
        connection = connections[self.using]
        opts = model._meta
        quote = connection.ops.quote_name
        missing = [obj for obj in objs if obj.pk is None]
        with connection.cursor() as cursor:
            if missing:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [opts.db_table, opts.pk.column, len(missing)],
                )
                for obj, (pk,) in zip(missing, cursor.fetchall()):
                    obj.pk = pk
            fields = opts.concrete_fields
            columns = ", ".join(quote(f.column) for f in fields)
            with cursor.cursor.copy(f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN") as copy:
                for obj in objs:
                    copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
        for obj in objs:
            obj._state.adding = False
            obj._state.db = self.using


def date_int(day: dt.date | None) -> int:
    """YYYYMMDD as an int, the SearchKey.rank_hint encoding (0 for none)."""
    return day.year * 10000 + day.month * 100 + day.day if day else 0


def guest_from_spec(spec: GuestSpec, **extra: Any) -> Guest:
    """An unsaved Guest with the spec's profile fields (phones already E.164, emails lower-case)."""
    return Guest(
        family_name=spec.family_name, given_name=spec.given_name, family_name_latin=spec.family_name_latin,
        given_name_latin=spec.given_name_latin, gender=spec.gender, birthday=spec.birthday,
        nationality=spec.nationality, language=spec.language, phone=spec.phone, email=spec.email.lower(),
        city=spec.city, province=spec.province, country=spec.country, status=spec.status,
        status_reason=spec.status_reason, tier=spec.tier, source_channel=spec.source_channel, **extra,
    )


@dataclass
class GuestLoad:
    guests: int = 0
    documents: int = 0
    search_keys: int = 0
    links: int = 0


def guests_load(
    *,
    guests: Sequence[Guest],
    specs: Sequence[GuestSpec],
    writer: BulkWriter,
    property_ids: Sequence[int],
    today: dt.date,
    tag_ids: dict[str, int] | None = None,
) -> GuestLoad:
    """Insert `guests` (built with `guest_from_spec`) with their documents, extra contacts, search keys,
    home-property link and tags. `property_ids[spec.home]` is the property that holds each guest.
    """
    writer.insert(list(guests))
    documents: list[IdentityDocument] = []
    points: list[ContactPoint] = []
    keys: list[SearchKey] = []
    links: list[GuestProperty] = []
    tags: list[Any] = []
    through = Guest.tags.through
    for guest, spec in zip(guests, specs):
        for doc in spec.documents:
            number = validate_id_number(doc.doc_type, doc.number)
            documents.append(IdentityDocument(
                guest=guest, doc_type=doc.doc_type, number=number, number_hash=id_number_hash(number),
                number_masked=mask_id_number(number), issuing_country=doc.issuing_country,
                expires_on=today + dt.timedelta(days=doc.expires_in_days) if doc.expires_in_days else None,
                is_verified=doc.doc_type == "cn_id", created_at=guest.created_at,
            ))
        guest_points = []
        if spec.extra_phone:
            guest_points.append(ContactPoint(guest=guest, kind=ContactPoint.Kind.PHONE, value=spec.extra_phone,
                                             label="工作"))
        if spec.extra_email:
            guest_points.append(ContactPoint(guest=guest, kind=ContactPoint.Kind.EMAIL, value=spec.extra_email,
                                             label="work"))
        points += guest_points
        rank = date_int(guest.last_stay_on)
        for row in guest_search_key_rows(guest, contact_points=guest_points):
            row.rank_hint = rank
            keys.append(row)
        links.append(GuestProperty(guest=guest, property_id=property_ids[spec.home], first_seen=guest.created_at))
        if tag_ids:
            tags += [through(guest_id=guest.pk, tag_id=tag_ids[name]) for name in spec.tags]
    writer.insert(documents)
    writer.insert(points)
    writer.insert(keys)
    writer.insert(links)
    writer.insert(tags)
    return GuestLoad(guests=len(guests), documents=len(documents), search_keys=len(keys), links=len(links))


def tags_ensure(names: Sequence[str]) -> dict[str, int]:
    """Tag ids by name, creating the missing tags."""
    Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True)
    return dict(Tag.objects.filter(name__in=names).values_list("name", "id"))
