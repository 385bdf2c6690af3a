"""Stay rows: the stays ledger from a PMS export, attached to guests by `guest_ref` or a strong key.

Per batch: stays this source imported before (same `external_ref`) are compared and updated only when a
value changed; new stays find their guest by `guest_ref` (this source's reference first, then any
source's when exactly one profile carries it), then by the guest's ID number; when neither finds one
and the row names the guest, the guest is created through `GuestWriter` (so the match mode and the
review queue apply to it). Everything is written with bulk statements.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.core.choices import ActivityKind
from concierge.guests.choices import SourceChannel
from concierge.guests.identity import id_number_hash
from concierge.guests.models import Company, Guest, GuestProperty, IdentityDocument, SearchKey
from concierge.imports.bulk import insert_objects, insert_rows, new_instance
from concierge.imports.importers.base import (
    BaseImporter,
    ImportContext,
    activity,
    chunks,
    date_int,
    insert_activities,
    lock_rows,
)
from concierge.imports.importers.guests import GuestRow, GuestWriter, keep_raw_in_notes, read_guest_values
from concierge.imports.models import GuestExternalRef
from concierge.imports.values import Issue, RowReader, choice_table
from concierge.properties.models import HotelGroup, Property
from concierge.stays.choices import PRODUCTIVE_STATUSES, MarketSegment, StayStatus
from concierge.stays.models import Product, Stay, StayItem

STATUSES = choice_table(StayStatus.choices, {
    "check-out": "checked_out", "checkout": "checked_out", "checked out": "checked_out", "departed": "checked_out",
    "离店": "checked_out", "已离店": "checked_out", "退房": "checked_out", "canceled": "cancelled",
    "cancel": "cancelled", "取消": "cancelled", "已取消": "cancelled", "no show": "no_show", "noshow": "no_show",
    "未到": "no_show", "in house": "in_house", "checked in": "in_house", "在住": "in_house", "入住": "in_house",
    "booked": "reserved", "confirmed": "reserved", "预订": "reserved", "已预订": "reserved",
})
CHANNELS = choice_table(SourceChannel.choices, {
    "ta/to": "travel_agency", "tato": "travel_agency", "travel agent": "travel_agency",
    "offline ta/to": "travel_agency",
    "online ta": "ota", "online travel agent": "ota", "携程": "ota", "ctrip": "ota", "trip.com": "ota",
    "booking.com": "ota", "expedia": "ota", "飞猪": "ota", "美团": "ota", "gds": "gds", "corporate": "corporate",
    "direct": "direct", "walk in": "walk_in", "散客": "walk_in", "website": "website", "官网": "website",
    "wechat": "wechat", "微信": "wechat", "undefined": "other", "其他": "other",
})
SEGMENTS = choice_table(MarketSegment.choices, {
    "groups": "group", "团队": "group", "会议": "mice", "meetings": "mice", "events": "mice",
    "complementary": "complimentary", "comp": "complimentary", "免费": "complimentary", "aviation": "crew",
    "airline": "crew", "机组": "crew",
    "transient": "leisure", "fit": "leisure", "散客": "leisure", "商务": "corporate", "协议": "corporate",
    "政府": "government", "长住": "long_stay", "undefined": "other",
})
_STAY_FIELDS = ("arrival", "departure", "room_nights", "room_type", "room_number", "rate_code", "adr", "room_revenue",
                "fnb_revenue", "other_revenue", "currency", "channel", "market_segment", "status", "adults", "children")
_COMPARED = ("id", "guest_id", "company_id", "property_id", *_STAY_FIELDS)
_STATUS_LABELS = {status.value: status.label for status in StayStatus}


@dataclass(eq=False)
class StayRow:
    row: int
    ref: str
    property_code: str
    guest_ref: str
    values: dict[str, Any]
    guest_row: GuestRow | None = None
    guest_document: tuple[str, str] | None = None
    items: list[str] = field(default_factory=list)
    company_name: str = ""
    country: str = ""
    warnings: list[Issue] = field(default_factory=list)
    property: Property | None = None
    guest: Guest | None = None
    guest_created: bool = False
    stay: Stay | None = None
    old_status: str = ""
    rejected: bool = False


class StayImporter(BaseImporter):
    kind = "stays"
    lookup_tables = BaseImporter.lookup_tables + ("stays_stay", "stays_stayitem")

    def __init__(self, ctx: ImportContext, mapping: Any) -> None:
        super().__init__(ctx, mapping)
        self.writer = GuestWriter(ctx, modify_existing=False, log_created=False)
        self.properties = {p.code.upper(): p for p in Property.objects.all()}
        self.products: dict[str, int] = {}
        self.companies: dict[str, int | None] = {}
        self.today = timezone.localdate()
        self._fresh: bool | None = None
        self.created: dict[str, int] = {}  # ref -> id of stays created in this run

    # --- reading ---------------------------------------------------------------------------------------------

    def read_row(self, reader: RowReader) -> StayRow | None:
        ref = reader.text("external_ref", 100, strict=True)
        if reader.ok and not ref:
            reader.reject("external_ref", _("A stay needs its reservation number (external_ref), so that a "
                                            "re-import updates it instead of adding it again."), code="required")
        code = reader.text("property", 20, strict=True)
        if reader.ok and not code:
            reader.reject("property", _("A stay needs a property code."), code="required")
        arrival = reader.date("arrival", required=True)
        departure = reader.date("departure")
        nights = reader.integer("nights", maximum=3650)
        if arrival and departure is None and nights is None:
            reader.reject("departure", _("Give a departure date or the number of nights."), code="required")
        if arrival and departure is not None and departure < arrival:
            reader.reject("departure", _("Departure cannot be before arrival."), code="departure_before_arrival")
        guest_ref = reader.text("guest_ref", 100, strict=True)
        if not reader.ok or arrival is None:
            return None
        if departure is None:
            departure = arrival + dt.timedelta(days=nights or 0)
        elif nights is not None and nights != (departure - arrival).days:
            reader.warn("nights", _("%(nights)s nights does not fit the dates; the dates were used.")
                        % {"nights": nights}, code="inconsistent", raw=str(nights))
        nights = (departure - arrival).days
        values: dict[str, Any] = {"arrival": arrival, "departure": departure, "room_nights": nights}
        status = reader.choice("status", STATUSES)
        if status:
            values["status"] = status
        for name, size in (("room_type", 40), ("room_number", 20), ("rate_code", 30)):
            text = reader.text(name, size)
            if text:
                values[name] = text
        for name, digits in (("adr", 12), ("room_revenue", 14), ("fnb_revenue", 14), ("other_revenue", 14)):
            amount = reader.decimal(name, max_digits=digits)
            if amount is not None:
                values[name] = amount
        if "room_revenue" not in values and values.get("adr") is not None:
            values["room_revenue"] = values["adr"] * nights
        if "adr" not in values and values.get("room_revenue") and nights:
            values["adr"] = (values["room_revenue"] / nights).quantize(Decimal("0.01"))
        currency = reader.text("currency").upper()
        if currency:
            if len(currency) == 3 and currency.isalpha():
                values["currency"] = currency
            else:
                reader.kept_raw("currency", currency)
        channel = reader.choice("channel", CHANNELS)
        if channel:
            values["channel"] = channel
        segment = reader.choice("market_segment", SEGMENTS)
        if segment:
            values["market_segment"] = segment
        for name in ("adults", "children"):
            number = reader.integer(name, maximum=99)
            if number is not None:
                values[name] = number
        row = StayRow(row=reader.row, ref=ref, property_code=code, guest_ref=guest_ref, values=values,
                      items=[i.strip()[:60] for i in reader.tags("items")], company_name=reader.text("company", 200),
                      country=reader.country("country"))
        before = len(reader.warnings)
        row.guest_row = read_guest_values(reader, self.ctx, prefix="guest_", ref=guest_ref)
        if row.guest_row is None:
            row.guest_document = reader.id_document("guest_id_type", "guest_id_number")
        if not reader.ok:
            return None
        guest_warnings = reader.warnings[before:]
        row.warnings = reader.warnings[:before]
        if row.guest_row is None:
            row.warnings += guest_warnings
        else:
            if row.country:
                row.guest_row.values.setdefault("country", row.country)
            keep_raw_in_notes(row.guest_row, self.ctx, guest_warnings)
        return row

    # --- writing ---------------------------------------------------------------------------------------------

    def write(self, rows: list[StayRow]) -> None:
        rows = [r for r in rows if self._resolve_property(r)]
        existing = self._existing_stays(rows)
        allowed = self.ctx.property_ids
        if allowed is not None:
            for row in rows:
                stored = existing.get(row.ref)
                if stored is not None and stored["property_id"] not in allowed:
                    self.reject(row.row, "external_ref", _("The reservation “%(ref)s” is recorded at a property you "
                                                           "do not work at.") % {"ref": row.ref},
                                code="not_visible")
                    row.rejected = True
            rows = [r for r in rows if not r.rejected]
        self._find_guests(rows, existing)
        rows = [r for r in rows if not r.rejected]
        self._create_guests([r for r in rows if r.guest is None and r.ref not in existing])
        rows = [r for r in rows if r.guest is not None or r.ref in existing]
        self._resolve_companies(rows)
        created, updated = self._write_stays(rows, existing)
        self._items(rows, existing)
        self._links_and_recency(created + updated)
        self._activities(created, updated)

    def _resolve_property(self, row: StayRow) -> bool:
        ctx = self.ctx
        prop = self.properties.get(row.property_code.upper())
        allowed = ctx.property_ids
        if prop is None:
            if not ctx.create_properties:
                self.reject(row.row, "property", _("Unknown property code “%(code)s”. Create the property first, or "
                                                   "import with “create unknown properties”.")
                            % {"code": row.property_code},
                            code="unknown_property", raw=row.property_code)
                return False
            if allowed is not None:
                self.reject(row.row, "property", _("Only a group-wide user can create the property “%(code)s”.")
                            % {"code": row.property_code}, code="unknown_property", raw=row.property_code)
                return False
            group = HotelGroup.objects.order_by("pk").first() or HotelGroup.objects.create(
                name_zh="导入的酒店", name_en="Imported properties")
            prop = Property.objects.create(group=group, code=row.property_code, name_zh=row.property_code,
                                           name_en=row.property_code)
            self.properties[prop.code.upper()] = prop
            self.summary.count("properties_created")
        elif allowed is not None and prop.pk not in allowed:
            self.reject(row.row, "property", _("You do not work at property “%(code)s”.") % {"code": prop.code},
                        code="property_not_allowed", raw=row.property_code)
            return False
        row.property = prop
        if row.guest_row is not None:
            row.guest_row.property_id = prop.pk
        return True

    @property
    def fresh(self) -> bool:
        """No stay of this source exists yet (see GuestWriter.fresh)."""
        if self._fresh is None:
            self._fresh = not Stay.objects.filter(source=self.ctx.source).exists()
        return self._fresh

    def _existing_stays(self, rows: list[StayRow]) -> dict[str, dict[str, Any]]:
        """{reference: stored values} of stays this source imported before (read without locks: rows that
        turn out to change are locked and re-read before they are written)."""
        refs = sorted({r.ref for r in rows})
        if self.fresh:
            ids = [self.created[r] for r in refs if r in self.created]
            if not ids:
                return {}
            qs = Stay.objects.filter(pk__in=ids).values("external_ref", *_COMPARED)
        else:
            qs = Stay.objects.filter(source=self.ctx.source, external_ref__in=refs).values("external_ref", *_COMPARED)
        return {v.pop("external_ref"): v for v in qs}

    def _find_guests(self, rows: list[StayRow], existing: dict[str, Any]) -> None:
        """guest_ref (this source, then any source when unambiguous), then the guest's ID number."""
        own, alias = self.writer.existing_by_ref((r.guest_ref for r in rows), minimal=True)
        found = {**alias, **own}
        missing = sorted({r.guest_ref for r in rows if r.guest_ref and r.guest_ref not in found})
        if missing:
            candidates: dict[str, set[int]] = defaultdict(set)
            others = self.writer.matcher.other_sources()
            if others:
                for ref, guest_id in Guest.objects.filter(source__in=others, external_ref__in=missing).values_list(
                        "external_ref", Coalesce("merged_into_id", "id")):
                    candidates[ref].add(guest_id)
            if self.writer.matcher.foreign_aliases():
                for ref, guest_id in GuestExternalRef.objects.filter(external_ref__in=missing).values_list(
                        "external_ref", "guest_id"):
                    candidates[ref].add(guest_id)
            live = self.writer._live_guests(set().union(*candidates.values()) if candidates else set(), minimal=True)
            for ref, ids in candidates.items():
                guests = {live[i].pk: live[i] for i in ids if i in live}
                if len(guests) == 1:
                    found[ref] = next(iter(guests.values()))
                elif len(guests) > 1:
                    for row in rows:
                        if row.guest_ref == ref and row.ref not in existing:
                            row.warnings.append(Issue(row.row, "guest_ref", _(
                                "The reference “%(ref)s” belongs to %(n)s profiles from different sources; "
                                "the guest was matched by the other columns.") % {"ref": ref, "n": len(guests)},
                                code="ambiguous_ref"))
        for row in rows:
            if row.guest_ref in found:
                row.guest = found[row.guest_ref]
        hashes: dict[str, list[StayRow]] = defaultdict(list)
        for row in rows:
            document = row.guest_document or (row.guest_row.document if row.guest_row else None)
            if row.guest is None and document:
                hashes[id_number_hash(document[1])].append(row)
        if hashes:
            owners: dict[str, int] = {}
            for number_hash, guest_id in IdentityDocument.objects.filter(number_hash__in=list(hashes)).order_by(
                    "guest_id").values_list("number_hash", "guest_id"):
                owners.setdefault(number_hash, guest_id)
            live = self.writer._live_guests(set(owners.values()), minimal=True)
            for number_hash, guest_id in owners.items():
                for row in hashes[number_hash]:
                    row.guest = live.get(guest_id)
        if self.ctx.user is not None:
            visible = set(Guest.objects.visible_to(self.ctx.user).filter(
                pk__in=[r.guest.pk for r in rows if r.guest is not None]).values_list("pk", flat=True))
            for row in rows:
                if row.guest is not None and row.guest.pk not in visible:
                    # Another hotel's guest: not theirs to attach a stay to, nor to duplicate under the same ref.
                    self.reject(row.row, "guest_ref", _("The guest “%(ref)s” belongs to a property you do not "
                                                        "work at.") % {"ref": row.guest_ref or "—"},
                                code="not_visible")
                    row.rejected = True

    def _create_guests(self, rows: list[StayRow]) -> None:
        """Create the guests of new stays nobody could be found for (one profile per guest_ref)."""
        unique: dict[Any, GuestRow] = {}
        for row in rows:
            if row.guest_row is None:
                if row.guest_ref:
                    message = _("No guest has the reference “%(ref)s”; add the guest's name (guest_name) to "
                                "create one.") % {"ref": row.guest_ref}
                else:
                    message = _("A stay needs a guest: give guest_ref, the guest's ID number or the guest's name.")
                self.reject(row.row, "guest_ref", message, code="unknown_guest", raw=row.guest_ref)
                continue
            key = row.guest_ref or id(row)
            productive = row.values.get("status", self._default_status(row)) in PRODUCTIVE_STATUSES
            arrival = row.values["arrival"] if productive else None
            if key in unique:
                first = unique[key]
                if arrival and (first.last_stay_on is None or arrival > first.last_stay_on):
                    first.last_stay_on = arrival
                row.guest_row = first
                continue
            row.guest_row.last_stay_on = arrival
            unique[key] = row.guest_row
        if not unique:
            return
        guest_rows = list(unique.values())
        self.writer.write(guest_rows)
        for guest_row in guest_rows:
            if guest_row.outcome == "created":
                self.summary.count("guests_created")
                if guest_row.flags:
                    self.summary.flagged += 1
            elif guest_row.outcome == "attached":
                self.summary.count("guests_attached")
            self.summary.warnings.extend(guest_row.warnings)
        for row in rows:
            if row.guest_row is not None and row.guest_row.guest is not None:
                row.guest = row.guest_row.guest
                row.guest_created = row.guest_row.outcome == "created"

    def _resolve_companies(self, rows: list[StayRow]) -> None:
        names = {r.company_name for r in rows if r.company_name} - set(self.companies)
        if names:
            q = Q(name_zh__in=names) | Q(name_en__in=names) | Q(account_number__in=names)
            for pk, zh, en, account in Company.objects.filter(q).order_by("pk").values_list(
                    "pk", "name_zh", "name_en", "account_number"):
                for name in (zh, en, account):
                    if name in names:
                        self.companies.setdefault(name, pk)
            for name in names:
                self.companies.setdefault(name, None)
        for row in rows:
            if row.company_name:
                company_id = self.companies[row.company_name]
                if company_id is None:
                    row.warnings.append(Issue(row.row, "company", _(
                        "No company is called “%(name)s”; the value was kept as text.")
                        % {"name": row.company_name[:80]},
                        code="unreadable", raw=row.company_name))
                else:
                    row.values["company_id"] = company_id

    def _default_status(self, row: StayRow) -> str:
        departure = row.values["departure"]
        if departure < self.today:
            return StayStatus.CHECKED_OUT
        return StayStatus.IN_HOUSE if row.values["arrival"] <= self.today else StayStatus.RESERVED

    def _write_stays(
        self, rows: list[StayRow], existing: dict[str, dict[str, Any]],
    ) -> tuple[list[StayRow], list[StayRow]]:
        ctx = self.ctx
        new: list[Stay] = []
        created: list[StayRow] = []
        updated: list[tuple[StayRow, dict[str, Any]]] = []
        seen: dict[str, StayRow] = {}
        for row in rows:
            values = dict(row.values)
            if row.guest is not None:
                values["guest_id"] = row.guest.pk
            values["property_id"] = row.property.pk  # type: ignore[union-attr]
            if row.ref in seen:  # the same reservation twice in one batch: the later row wins
                first = seen[row.ref]
                row.warnings.append(Issue(row.row, "external_ref", _(
                    "The reservation “%(ref)s” is also on row %(first)s; this row updates it.")
                    % {"ref": row.ref, "first": first.row}, code="repeated_ref"))
                assert first.stay is not None
                first.stay.__dict__.update(values)
                row.stay = first.stay
                self.summary.updated += 1
                continue
            stored = existing.get(row.ref)
            if stored is None:
                values.setdefault("status", self._default_status(row))
                values.setdefault("currency", row.property.currency)  # type: ignore[union-attr]
                stay = new_instance(Stay, {"source": ctx.source, "external_ref": row.ref, "created_at": ctx.now,
                                           "updated_at": ctx.now, **values})
                new.append(stay)
                row.stay = stay
                seen[row.ref] = row
                created.append(row)
                self.summary.created += 1
                if row.guest is not None and not row.guest_created:
                    self.summary.attached += 1
                continue
            # A stand-in carrying the stored values: the stay's id for items and issues, nothing is saved from it.
            row.stay = new_instance(Stay, {**stored, "source": ctx.source, "external_ref": row.ref})
            row.old_status = stored["status"]
            diff = {name: value for name, value in values.items() if stored.get(name) != value}
            if diff:
                updated.append((row, diff))
                self.summary.updated += 1
            else:
                self.summary.unchanged += 1
        insert_objects(new)
        self.created.update((s.external_ref, s.pk) for s in new)
        if updated:
            # Lock and re-read the stays that change, so an edit made meanwhile is not overwritten blindly.
            locked = {s.pk: s for s in lock_rows(Stay.objects.filter(pk__in=[r.stay.pk for r, _d in updated]))}
            fields: set[str] = {"updated_at"}
            for row, diff in updated:
                stay = locked[row.stay.pk]  # type: ignore[union-attr]
                row.old_status = stay.status
                for name, value in diff.items():
                    setattr(stay, name, value)
                    fields.add(name.removesuffix("_id"))
                stay.updated_at = ctx.now
                row.stay = stay
            Stay.objects.bulk_update(list(locked.values()), sorted(fields), batch_size=500)
        for row in rows:
            for issue in row.warnings:
                issue.target = row.stay
            self.summary.warnings.extend(row.warnings)
        return created, [r for r, _d in updated]

    def _items(self, rows: list[StayRow], existing: dict[str, dict[str, Any]]) -> None:
        wanted = [(row.stay, code) for row in rows for code in row.items if code and row.stay is not None]
        if not wanted:
            return
        codes = {code for _s, code in wanted} - set(self.products)
        if codes:
            Product.objects.bulk_create([Product(code=c, name_zh=c, name_en=c) for c in sorted(codes)],
                                        ignore_conflicts=True)
            self.products.update(Product.objects.filter(code__in=codes).values_list("code", "id"))
        old_ids = [s["id"] for s in existing.values()]
        have = (set(StayItem.objects.filter(stay_id__in=old_ids).values_list("stay_id", "product_id"))
                if old_ids else set())
        items = []
        for stay, code in wanted:
            key = (stay.pk, self.products[code])
            if key not in have:
                have.add(key)
                items.append((stay.pk, self.products[code], 1, Decimal("0")))
        insert_rows(StayItem, ["stay_id", "product_id", "quantity", "amount"], items)

    def _links_and_recency(self, rows: list[StayRow]) -> None:
        """Guest↔property links, company↔property links, and the guests' last-stay date and search recency."""
        links = {(r.guest.pk, r.property.pk) for r in rows  # type: ignore[union-attr]
                 if r.guest is not None and not r.guest_created}  # created profiles were linked when created
        if links:
            have = set(GuestProperty.objects.filter(guest_id__in={g for g, _p in links}).values_list(
                "guest_id", "property_id"))
            GuestProperty.objects.bulk_create(
                [GuestProperty(guest_id=g, property_id=p, first_seen=self.ctx.now) for g, p in sorted(links - have)],
                batch_size=2000, ignore_conflicts=True)
        through = Company.properties.through
        company_links = {(r.values["company_id"], r.property.pk) for r in rows  # type: ignore[union-attr]
                         if r.values.get("company_id")}
        through.objects.bulk_create([through(company_id=c, property_id=p) for c, p in sorted(company_links)],
                                    ignore_conflicts=True)
        latest: dict[int, tuple[Guest, dt.date]] = {}
        for row in rows:
            stay = row.stay
            if row.guest is None or stay.status not in PRODUCTIVE_STATUSES:
                continue
            current = latest.get(row.guest.pk)
            if current is None or stay.arrival > current[1]:
                latest[row.guest.pk] = (row.guest, stay.arrival)
        by_day: dict[dt.date, list[int]] = defaultdict(list)
        for guest, day in latest.values():
            if guest.last_stay_on is None or day > guest.last_stay_on:
                guest.last_stay_on = day
                by_day[day].append(guest.pk)
        for day, ids in by_day.items():
            for chunk in chunks(ids, 1000):
                Guest.objects.filter(pk__in=chunk).update(last_stay_on=day)
                SearchKey.objects.filter(guest_id__in=chunk).update(rank_hint=date_int(day))

    def _activities(self, created: list[StayRow], updated: list[StayRow]) -> None:
        ctx = self.ctx
        actor = ctx.actor_or_none
        entries = []
        for row in created:
            stay = row.stay
            if row.guest is None:
                continue
            entries.append(activity(
                msgid=gettext_noop("Stay %(arrival)s–%(departure)s, room %(room)s (%(status)s)"),
                params={"arrival": stay.arrival.isoformat(), "departure": stay.departure.isoformat(),
                        "room": stay.room_number or "—", "status": _STATUS_LABELS[stay.status]},
                actor=actor, kind=ActivityKind.STAY, guest=row.guest.pk, company=stay.company_id,
                property_id=stay.property_id,
                data={"stay_id": stay.pk, "import_batch": ctx.batch_id, "row": row.row,
                      **({"guest_created": True} if row.guest_created else {})},
                occurred_at=timezone.make_aware(dt.datetime.combine(stay.arrival, dt.time(14, 0))),
            ))
        for row in updated:
            stay = row.stay
            if stay.guest_id and row.old_status != stay.status:
                entries.append(activity(
                    msgid=gettext_noop("Stay %(arrival)s: %(old)s → %(new)s"),
                    params={"arrival": stay.arrival.isoformat(), "old": _STATUS_LABELS[row.old_status],
                            "new": _STATUS_LABELS[stay.status]},
                    actor=actor, kind=ActivityKind.STAY, guest=stay.guest_id, property_id=stay.property_id,
                    data={"stay_id": stay.pk, "import_batch": ctx.batch_id, "row": row.row,
                      **({"guest_created": True} if row.guest_created else {})}, occurred_at=ctx.now,
                ))
        insert_activities(entries)
