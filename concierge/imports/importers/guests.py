"""Guest rows: reading, matching against existing profiles, and bulk writing.

`GuestWriter` is shared by the guest, stay (the stay's guest) and lead importers. Per batch it:

1. finds rows this source imported before — by the profile's own `source` + `external_ref`, or by a
   reference recorded when an earlier import attached a row (`GuestExternalRef`) — and updates them
   (own profiles are overwritten with the file's non-empty values; profiles a row was attached to only
   get their empty fields filled);
2. matches the other rows against existing profiles and against rows created earlier in the same
   batch (`matching.GuestMatcher`, the dedupe scorer). With `match="link"` a strong-key match (same ID
   number, the same external reference from another source; for business cards also the same phone or
   email with a score above the review threshold) is attached; every other match at or above the
   review threshold is created and put in the review queue. With `match="flag"` nothing is attached and
   every match is created and flagged;
3. writes everything with bulk inserts/updates: profiles (with their history rows), ID documents,
   property links, tags, contact points, search keys, timeline entries and review-queue pairs.

Empty cells never clear a stored value.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.core.choices import ActivityKind
from concierge.core.phones import phone_search_keys
from concierge.dedupe.scoring import GuestRecord
from concierge.guests.choices import GuestStatus, SearchKeyKind, SourceChannel
from concierge.guests.identity import cn_id_birthday, cn_id_gender, id_number_hash, mask_id_number
from concierge.guests.models import Company, ContactPoint, Guest, GuestProperty, IdentityDocument, SearchKey
from concierge.guests.names import has_cjk, name_keys, split_full_name
from concierge.guests.services import company_create
from concierge.imports.bulk import insert_history, insert_objects, insert_rows, new_instance
from concierge.imports.importers.base import (
    BaseImporter,
    ImportContext,
    activity,
    chunks,
    date_int,
    insert_activities,
    lock_rows,
    tag_ids,
)
from concierge.imports.matching import Found, GuestMatcher, PendingIndex, Probe, flag_pairs, rank_found
from concierge.imports.models import GuestExternalRef
from concierge.imports.values import Issue, RowReader

# Guest model fields an import row may set, with their maximum lengths.
_TEXT_FIELDS = {
    "family_name": 100, "given_name": 100, "family_name_latin": 100, "given_name_latin": 100,
    "address_1": 200, "address_2": 200, "city": 100, "province": 100, "postcode": 20,
}
NAME_FIELDS = ("family_name", "given_name", "family_name_latin", "given_name_latin")
_HANZI, _NAME = str(SearchKeyKind.HANZI.value), str(SearchKeyKind.NAME.value)  # plain str: enum look-ups add up
KEY_FIELDS = frozenset({*NAME_FIELDS, "phone", "email"})  # fields the search keys are made from


@dataclass(eq=False)
class GuestRow:
    """One incoming profile (a guest row, a lead, or a stay's guest), cleaned."""

    row: int
    ref: str
    values: dict[str, Any]  # Guest field -> value, non-empty values only
    extra_phones: list[str] = field(default_factory=list)
    extra_emails: list[str] = field(default_factory=list)
    document: tuple[str, str] | None = None
    tags: list[str] = field(default_factory=list)
    company_name: str = ""
    property_id: int | None = None
    notes_lines: list[str] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    last_stay_on: dt.date | None = None
    extra: dict[str, str] = field(default_factory=dict)  # importer-specific cells (a card's title, ...)
    # Results, filled by GuestWriter.write().
    guest: Guest | None = None
    outcome: str = ""  # created / updated / unchanged / attached / existing
    flags: list[Found] = field(default_factory=list)
    attached_to: "GuestRow | None" = None
    _record: GuestRecord | None = None
    _names: dict[str, set[str]] | None = None
    _probe: Probe | None = None

    def changed(self) -> None:
        """Forget derived keys after the values changed (a later row folded into this one)."""
        self._record = self._names = self._probe = None

    @property
    def names(self) -> dict[str, set[str]]:
        """Search/look-up keys of the name (guests.names.name_keys), computed once."""
        if self._names is None:
            v = self.values
            self._names = name_keys(family=v.get("family_name", ""), given=v.get("given_name", ""),
                                    family_latin=v.get("family_name_latin", ""),
                                    given_latin=v.get("given_name_latin", ""))
        return self._names

    @property
    def probe(self) -> Probe:
        if self._probe is None:
            v = self.values
            self._probe = Probe(
                ref=self.ref,
                id_hashes=(id_number_hash(self.document[1]),) if self.document else (),
                phones=tuple(p for p in [v.get("phone", ""), *self.extra_phones] if p),
                emails=tuple(e for e in [v.get("email", ""), *self.extra_emails] if e),
                names=tuple([(_HANZI, k[:120]) for k in self.names["hanzi"]]
                            + [(_NAME, k[:120]) for k in self.names["name"]]),
                birthday=v.get("birthday"),
                make_record=lambda: self.record,
            )
        return self._probe

    @property
    def record(self) -> GuestRecord:
        if self._record is None:
            values = dict(self.values)
            values["external_ref"] = self.ref
            values["phone"] = values.get("phone", "")
            values["extra_phones"] = self.extra_phones
            values["extra_emails"] = self.extra_emails
            if self.document:
                values["id_documents"] = [{"doc_type": self.document[0], "number": self.document[1]}]
            self._record = GuestRecord.from_values(values)
        return self._record

    @property
    def display(self) -> str:
        v = self.values
        return (f"{v.get('family_name', '')}{v.get('given_name', '')}"
                or f"{v.get('given_name_latin', '')} {v.get('family_name_latin', '')}".strip())


def read_guest_values(
    reader: RowReader, ctx: ImportContext, *, prefix: str = "", ref: str | None = None,
) -> GuestRow | None:
    """Clean the guest columns of a row (names prefixed with `prefix` in stay files). None when nameless.

    `ref` is the profile's reference; by default the row's `external_ref` column.
    """
    p = prefix
    values: dict[str, Any] = {}
    for name in ("family_name", "given_name", "family_name_latin", "given_name_latin"):
        text = reader.text(p + name, _TEXT_FIELDS[name], strict=True)
        if text:
            values[name] = text
    full_name = reader.text(p + ("name" if prefix else "full_name"), 200, strict=True)
    if full_name and not (values.get("family_name") or values.get("given_name")):
        family, given = split_full_name(full_name)
        if len(family) > 100 or len(given) > 100:
            reader.reject(p + "full_name", _("Longer than %(max)s characters.") % {"max": 100}, code="too_long")
        values["family_name"], values["given_name"] = family[:100], given[:100]
    values = {k: v for k, v in values.items() if v}
    if not any(values.get(n) for n in NAME_FIELDS):
        return None
    phones = reader.phones(p + "phone")
    emails = reader.emails(p + "email")
    if phones:
        values["phone"] = phones[0]
    if emails:
        values["email"] = emails[0]
    gender = reader.gender(p + "gender")
    if gender:
        values["gender"] = gender
    birthday = reader.date(p + "birthday", not_after=dt.date.today())
    if birthday:
        values["birthday"] = birthday
    for name in ("nationality", "country"):
        code = reader.country(p + name)
        if code:
            values[name] = code
    for name in ("address_1", "address_2", "city", "province", "postcode"):
        text = reader.text(p + name, _TEXT_FIELDS[name])
        if text:
            values[name] = text
    notes = reader.text(p + "notes")
    if notes:
        values["notes"] = notes
    document = reader.id_document(p + "id_type", p + "id_number")
    if document and document[0] == "cn_id":
        values.setdefault("birthday", cn_id_birthday(document[1]))
        values.setdefault("gender", cn_id_gender(document[1]))
        values = {k: v for k, v in values.items() if v}
    if ref is None:
        ref = reader.text("external_ref", 100, strict=True)
    company = reader.text(p + "company", 200)
    return GuestRow(
        row=reader.row, ref=ref, values=values, extra_phones=phones[1:], extra_emails=emails[1:], document=document,
        tags=reader.tags(p + "tags"), company_name=company,
        property_id=getattr(ctx.holding_property, "pk", None),
    )


def keep_raw_in_notes(row: GuestRow, ctx: ImportContext, warnings: Iterable[Issue]) -> None:
    """Unreadable optional cells are kept in the profile's notes (ID numbers only masked)."""
    for issue in warnings:
        row.warnings.append(issue)
        if issue.raw and issue.code in ("unreadable", "bad_id", "truncated"):
            row.notes_lines.append(ctx.note_line(issue.field, issue.raw))


class GuestWriter:
    """Resolves and writes batches of `GuestRow`s (see the module docstring)."""

    def __init__(
        self, ctx: ImportContext, *, contact_keys: bool = False, modify_existing: bool = True,
        source_channel: str = SourceChannel.IMPORT, status: str = GuestStatus.ACTIVE, company_status: str = "active",
        log_created: bool = True,
    ) -> None:
        self.ctx = ctx
        # A profile created for a stay is announced by the stay's own timeline entry (and its history row).
        self.log_created = log_created
        self.contact_keys = contact_keys
        self.modify_existing = modify_existing
        self.source_channel = source_channel
        self.status = status
        self.company_status = company_status
        self.matcher = GuestMatcher(user=ctx.user, source=ctx.source, threshold=ctx.threshold,
                                    contact_keys=contact_keys)
        self._companies: dict[str, int] = {}
        self._fresh: bool | None = None
        self.created: dict[str, int] = {}  # ref -> id (ids, not instances: an import may create 100,000s)
        self.aliased: dict[str, int] = {}
        self.created_msgid = gettext_noop("Profile created by import from %(source)s")

    # --- look-ups --------------------------------------------------------------------------------------------

    @property
    def fresh(self) -> bool:
        """Whether this source never imported profiles before. Then there is nothing to look up by reference in
        the database: the profiles (and references attached) of this run are remembered instead, which saves two
        queries per batch. Read on first use, inside the import's transaction and source lock."""
        if self._fresh is None:
            self._fresh = not (Guest.objects.filter(source=self.ctx.source).exists()
                               or GuestExternalRef.objects.filter(source=self.ctx.source).exists())
        return self._fresh

    def existing_by_ref(
        self, refs: Iterable[str], *, minimal: bool = False,
    ) -> tuple[dict[str, Guest], dict[str, Guest]]:
        """({ref: profile this source created}, {ref: profile a row of this source was attached to}), live.

        `minimal` loads only what a stay needs from its guest (id, last stay), for look-ups that change nothing.
        """
        refs = sorted({r for r in refs if r})
        if not refs:
            return {}, {}
        if self.fresh:
            own_ids = {r: self.created[r] for r in refs if r in self.created}
            alias_ids = {r: self.aliased[r] for r in refs if r in self.aliased and r not in own_ids}
            if not (own_ids or alias_ids):
                return {}, {}
        else:
            own_ids = dict(Guest.objects.filter(source=self.ctx.source, external_ref__in=refs)
                           .values_list("external_ref", "id"))
            alias_ids = dict(GuestExternalRef.objects.filter(source=self.ctx.source, external_ref__in=refs)
                             .values_list("external_ref", "guest_id"))
        guests = self._live_guests(set(own_ids.values()) | set(alias_ids.values()), minimal=minimal)
        own: dict[str, Guest] = {}
        alias: dict[str, Guest] = {}
        for ref, guest_id in own_ids.items():
            guest = guests.get(guest_id)
            if guest is None:
                continue
            # A profile of this source merged into another: the survivor only gets blanks filled, so a
            # re-import does not undo the values chosen in the merge.
            mine = guest.source == self.ctx.source and guest.external_ref == ref
            (own if mine else alias)[ref] = guest
        for ref, guest_id in alias_ids.items():
            if guest_id in guests and ref not in own and ref not in alias:
                alias[ref] = guests[guest_id]
        return own, alias

    def _live_guests(self, ids: set[int], *, minimal: bool = False) -> dict[int, Guest]:
        """{requested id: live profile}; a merged tombstone resolves to its survivor (chains followed)."""
        result: dict[int, Guest] = {}
        pending = {i: i for i in ids}
        for _depth in range(5):
            if not pending:
                break
            qs = Guest.objects.filter(pk__in=list(set(pending.values())))
            if minimal:
                qs = qs.only("id", "merged_into_id", "last_stay_on", "source", "external_ref")
            elif self.modify_existing:
                qs = lock_rows(qs)
            found = {g.pk: g for g in qs}
            next_pending = {}
            for asked, current in pending.items():
                guest = found.get(current)
                if guest is None:
                    continue
                if guest.merged_into_id:
                    next_pending[asked] = guest.merged_into_id
                else:
                    result[asked] = guest
            pending = next_pending
        return result

    # --- the batch -------------------------------------------------------------------------------------------

    def write(self, rows: list[GuestRow]) -> None:
        """Resolve every row (sets `guest`, `outcome`, `flags`) and write the batch."""
        ctx = self.ctx
        own, alias = self.existing_by_ref(r.ref for r in rows)
        if ctx.user is not None and (own or alias):
            hidden = self._hidden({g.pk for g in [*own.values(), *alias.values()]})
            for row in rows:
                guest = own.get(row.ref) or alias.get(row.ref)
                if guest is not None and guest.pk in hidden:
                    # Another hotel's profile carries this source's reference: refuse rather than change a
                    # profile the importer cannot see, or create a second profile with the same reference.
                    row.outcome = "rejected"
                    ctx.summary.rejected.append(Issue(row.row, "external_ref", _(
                        "The reference “%(ref)s” belongs to a profile of a property you do not work at.")
                        % {"ref": row.ref}, code="not_visible"))
            rows = [r for r in rows if r.outcome != "rejected"]
        by_ref: dict[str, GuestRow] = {}
        overwrite: list[GuestRow] = []
        fill: list[GuestRow] = []
        to_match: list[GuestRow] = []
        for row in rows:
            if row.ref and row.ref in own:
                row.guest = own[row.ref]
                (overwrite if self.modify_existing else fill).append(row)
            elif row.ref and row.ref in alias:
                row.guest = alias[row.ref]
                fill.append(row)
            elif row.ref and row.ref in by_ref:
                first = by_ref[row.ref]
                row.warnings.append(Issue(row.row, "external_ref", _(
                    "The reference “%(ref)s” is also on row %(first)s; this row updates that profile.")
                    % {"ref": row.ref, "first": first.row}, code="repeated_ref"))
                row.attached_to = first
                row.outcome = "updated"
                _merge_pending(first, row, overwrite=True)
            else:
                to_match.append(row)
                if row.ref:
                    by_ref[row.ref] = row

        new: list[GuestRow] = []
        attach_db: list[tuple[GuestRow, int]] = []
        pending = PendingIndex()
        for row, found in zip(to_match, self.matcher.find([r.probe for r in to_match])):
            found = rank_found(found + pending.find(row.probe, threshold=ctx.threshold,
                                                    contact_keys=self.contact_keys))
            strong = [f for f in found if f.strong]
            if ctx.link and strong:
                best = strong[0]
                if best.pending is not None:
                    row.attached_to = best.pending
                    row.outcome = "attached"
                    _merge_pending(best.pending, row, overwrite=False)
                else:
                    attach_db.append((row, best.guest_id))
                continue
            row.flags = found
            row.outcome = "created"
            new.append(row)
            pending.add(row.probe, row)

        if attach_db:
            guests = self._live_guests({gid for _r, gid in attach_db})
            for row, guest_id in attach_db:
                row.guest = guests[guest_id]
                row.outcome = "attached"
                fill.append(row)

        self._resolve_companies([r for r in new + overwrite + fill if r.company_name])
        self._create(new)
        self._update(overwrite, fill)
        self._aliases(rows)
        self._flag(new)
        for row in rows:
            if row.attached_to is not None:
                row.guest = row.attached_to.guest
            for issue in row.warnings:
                issue.target = row.guest

    def _hidden(self, ids: set[int]) -> set[int]:
        """Of these profiles, the ones the importing user cannot see."""
        return ids - set(Guest.objects.visible_to(self.ctx.user).filter(pk__in=ids).values_list("pk", flat=True))

    # --- companies -------------------------------------------------------------------------------------------

    def _resolve_companies(self, rows: list[GuestRow]) -> None:
        names = {r.company_name for r in rows} - set(self._companies)
        if names:
            for pk, zh, en in Company.objects.filter(Q(name_zh__in=names) | Q(name_en__in=names)).order_by("pk") \
                    .values_list("pk", "name_zh", "name_en"):
                for name in (zh, en):
                    if name in names:
                        self._companies.setdefault(name, pk)
            for name in sorted(names - set(self._companies)):
                key = "name_zh" if has_cjk(name) else "name_en"
                company = company_create(
                    actor=self.ctx.actor_or_none,
                    properties=[self.ctx.holding_property] if self.ctx.holding_property else [],
                    tags=[self.ctx.campaign_tag] if self.ctx.campaign_tag else [], source=self.ctx.source,
                    status=self.company_status, **{key: name},
                )
                self._companies[name] = company.pk
                self.ctx.summary.count("companies_created")
        for row in rows:
            row.values["company_id"] = self._companies[row.company_name]

    # --- create ----------------------------------------------------------------------------------------------

    def _create(self, rows: list[GuestRow]) -> None:
        if not rows:
            return
        ctx = self.ctx
        actor = ctx.actor_or_none
        guests = []
        for row in rows:
            values = dict(row.values)
            if row.notes_lines:
                values["notes"] = "\n".join(filter(None, [values.get("notes", ""), *dict.fromkeys(row.notes_lines)]))
            guest = new_instance(Guest, {
                "created_by_id": getattr(actor, "pk", None), "source": ctx.source, "external_ref": row.ref,
                "source_channel": self.source_channel, "status": self.status, "last_stay_on": row.last_stay_on,
                "created_at": ctx.now, "updated_at": ctx.now, **values,
            })
            row.guest = guest
            guests.append(guest)
        insert_objects(guests)
        for row in rows:
            if row.ref:
                self.created[row.ref] = row.guest.pk  # type: ignore[union-attr]
        insert_history(Guest, guests, history_type="+", user=actor, reason=self._reason(), date=ctx.now)
        points: list[ContactPoint] = []
        docs: list[IdentityDocument] = []
        links: list[tuple[int, int, dt.datetime]] = []
        keys: list[tuple[str, str, int, int]] = []
        activities: list[tuple[Any, ...]] = []
        through = Guest.tags.through
        tags = tag_ids(t for row in rows for t in self._tags(row))
        tag_links: list[tuple[int, int]] = []
        for row in rows:
            guest = row.guest
            assert guest is not None
            phones = [p for p in row.extra_phones if p != guest.phone]
            emails = [e for e in row.extra_emails if e != guest.email]
            points += [ContactPoint(guest=guest, kind=ContactPoint.Kind.PHONE, value=p) for p in phones]
            points += [ContactPoint(guest=guest, kind=ContactPoint.Kind.EMAIL, value=e) for e in emails]
            if row.document:
                docs.append(_document(guest, *row.document))
            if row.property_id:
                links.append((guest.pk, row.property_id, ctx.now))
            hint = date_int(guest.last_stay_on)
            keys += [(kind, key, guest.pk, hint) for kind, key in search_key_pairs(guest, phones, emails, row.names)]
            tag_links += [(guest.pk, tags[t]) for t in self._tags(row)]
            if self.log_created:
                activities.append(activity(
                    msgid=self.created_msgid, params={"source": ctx.source},
                    actor=actor, kind=ActivityKind.PROFILE, guest=guest, property_id=row.property_id,
                    data={"event": "created", "import_batch": ctx.batch_id, "row": row.row}, occurred_at=ctx.now,
                ))
        insert_objects(points)
        self._documents(docs)
        # New profiles: none of these rows can exist yet, so plain inserts (no conflict handling) are safe.
        insert_rows(GuestProperty, ["guest_id", "property_id", "first_seen"], links)
        insert_rows(through, ["guest_id", "tag_id"], tag_links)
        insert_rows(SearchKey, ["kind", "key", "guest_id", "rank_hint"], keys)
        insert_activities(activities)

    def _documents(self, docs: list[IdentityDocument]) -> None:
        if docs:
            insert_objects(docs)
            insert_history(IdentityDocument, docs, history_type="+", user=self.ctx.actor_or_none,
                           reason=self._reason(), date=self.ctx.now)

    def _tags(self, row: GuestRow) -> list[str]:
        if not self.ctx.campaign_tag:
            return row.tags  # already sorted and unique (RowReader.tags)
        return sorted({*row.tags, self.ctx.campaign_tag})

    def _reason(self) -> str:
        return f"import {self.ctx.source} #{self.ctx.batch_id or '-'}"[:100]

    # --- update / fill ---------------------------------------------------------------------------------------

    def _update(self, overwrite: list[GuestRow], fill: list[GuestRow]) -> None:
        rows = overwrite + fill
        if not rows:
            return
        ctx = self.ctx
        actor = ctx.actor_or_none
        ids = {r.guest.pk for r in rows if r.guest is not None}
        doc_hashes: dict[int, set[str]] = defaultdict(set)
        for guest_id, number_hash in IdentityDocument.objects.filter(guest_id__in=ids).values_list(
                "guest_id", "number_hash"):
            doc_hashes[guest_id].add(number_hash)
        prop_links = set(GuestProperty.objects.filter(guest_id__in=ids).values_list("guest_id", "property_id"))
        point_values = set(ContactPoint.objects.filter(guest_id__in=ids).values_list("guest_id", "kind", "value"))
        through = Guest.tags.through
        tags = tag_ids(t for row in rows for t in self._tags(row))
        tag_links = set(through.objects.filter(guest_id__in=ids, tag_id__in=list(tags.values()))
                        .values_list("guest_id", "tag_id"))

        changed_guests: dict[int, Guest] = {}
        changed_fields: set[str] = set()
        rekey: set[int] = set()
        new_docs: list[IdentityDocument] = []
        new_links: list[GuestProperty] = []
        new_points: list[ContactPoint] = []
        new_tags = []
        activities: list[tuple[Any, ...]] = []
        overwrite_ids = {id(r) for r in overwrite}
        for row in rows:
            guest = row.guest
            assert guest is not None
            changes: list[str] = []
            for name, value in row.values.items():
                if name == "notes":
                    continue
                current = getattr(guest, "company_id" if name == "company_id" else name)
                if current == value:
                    continue
                if id(row) in overwrite_ids or current in ("", None):
                    setattr(guest, name, value)
                    changes.append(name)
                elif name in ("phone", "email"):
                    kind = ContactPoint.Kind.PHONE if name == "phone" else ContactPoint.Kind.EMAIL
                    if (guest.pk, kind, value) not in point_values:
                        point_values.add((guest.pk, kind, value))
                        new_points.append(ContactPoint(guest=guest, kind=kind, value=value))
                        changes.append(f"extra_{name}")
            for kind, values in ((ContactPoint.Kind.PHONE, row.extra_phones),
                                 (ContactPoint.Kind.EMAIL, row.extra_emails)):
                for value in values:
                    primary = guest.phone if kind == ContactPoint.Kind.PHONE else guest.email
                    if value != primary and (guest.pk, kind, value) not in point_values:
                        point_values.add((guest.pk, kind, value))
                        new_points.append(ContactPoint(guest=guest, kind=kind, value=value))
                        changes.append(f"extra_{kind}")
            notes = guest.notes
            for line in [row.values.get("notes", ""), *row.notes_lines]:
                if line and line not in notes:
                    notes = f"{notes}\n{line}" if notes else line
            if notes != guest.notes:
                guest.notes = notes
                changes.append("notes")
            if row.document:
                number_hash = id_number_hash(row.document[1])
                if number_hash not in doc_hashes[guest.pk]:
                    doc_hashes[guest.pk].add(number_hash)
                    new_docs.append(_document(guest, *row.document))
                    changes.append("id_document")
            if row.property_id and (guest.pk, row.property_id) not in prop_links:
                prop_links.add((guest.pk, row.property_id))
                new_links.append(GuestProperty(guest=guest, property_id=row.property_id, first_seen=ctx.now))
                changes.append("property")
            for tag in self._tags(row):
                if (guest.pk, tags[tag]) not in tag_links:
                    tag_links.add((guest.pk, tags[tag]))
                    new_tags.append(through(guest_id=guest.pk, tag_id=tags[tag]))
                    changes.append("tags")
            model_changes = [c for c in changes if not c.startswith("extra_") and c not in
                             ("id_document", "property", "tags")]
            if model_changes:
                changed_guests[guest.pk] = guest
                changed_fields.update(model_changes)
            if set(changes) & (KEY_FIELDS | {"extra_phone", "extra_email"}):
                rekey.add(guest.pk)
            if row.outcome != "attached":
                row.outcome = "updated" if changes else "unchanged"
            if row.outcome == "attached" or changes:
                activities.append(self._change_activity(row, sorted(set(changes))))

        if changed_guests:
            objs = list(changed_guests.values())
            for guest in objs:
                guest.version += 1
                guest.updated_at = ctx.now
            fields = sorted({"company" if f == "company_id" else f for f in changed_fields} | {"version", "updated_at"})
            Guest.objects.bulk_update(objs, fields, batch_size=500)
            insert_history(Guest, objs, history_type="~", user=actor, reason=self._reason(), date=ctx.now)
        ContactPoint.objects.bulk_create(new_points, batch_size=1000, ignore_conflicts=True)
        self._documents(new_docs)
        GuestProperty.objects.bulk_create(new_links, batch_size=2000, ignore_conflicts=True)
        through.objects.bulk_create(new_tags, batch_size=2000, ignore_conflicts=True)
        if rekey:
            self._rekey([r.guest for r in rows if r.guest is not None and r.guest.pk in rekey])
        insert_activities(activities)

    def _change_activity(self, row: GuestRow, changes: list[str]) -> tuple[Any, ...]:
        ctx = self.ctx
        labels = ", ".join(dict.fromkeys(_field_label(c) for c in changes)) or "—"
        params = {"source": ctx.source, "row": row.row, "ref": row.ref or "—", "fields": labels}
        if row.outcome == "attached":
            msgid = gettext_noop("Import from %(source)s linked row %(row)s (reference %(ref)s) to this profile; "
                                 "filled in: %(fields)s")
        else:
            msgid = gettext_noop("Profile updated by import from %(source)s: %(fields)s")
        assert row.guest is not None
        return activity(msgid=msgid, params=params, actor=ctx.actor_or_none, kind=ActivityKind.PROFILE,
                        guest=row.guest, property_id=row.property_id, occurred_at=ctx.now,
                        data={"event": "import_" + (row.outcome or "updated"), "fields": changes,
                              "import_batch": ctx.batch_id, "row": row.row})

    def _rekey(self, guests: list[Guest]) -> None:
        """Rebuild the search keys of changed profiles (as guest_search_keys_rebuild, for many at once)."""
        unique = {g.pk: g for g in guests}
        ids = list(unique)
        points: dict[int, list[ContactPoint]] = defaultdict(list)
        for point in ContactPoint.objects.filter(guest_id__in=ids):
            points[point.guest_id].append(point)
        keys = []
        for guest in unique.values():
            hint = date_int(guest.last_stay_on)
            own = points.get(guest.pk, [])
            phones = [p.value for p in own if p.kind == ContactPoint.Kind.PHONE]
            emails = [p.value for p in own if p.kind == ContactPoint.Kind.EMAIL]
            keys += [(kind, key, guest.pk, hint) for kind, key in search_key_pairs(guest, phones, emails)]
        for chunk in chunks(ids, 1000):
            SearchKey.objects.filter(guest_id__in=chunk).delete()
        insert_rows(SearchKey, ["kind", "key", "guest_id", "rank_hint"], keys)

    # --- references and review queue -------------------------------------------------------------------------

    def _aliases(self, rows: list[GuestRow]) -> None:
        """Remember this source's reference for profiles rows were attached to, so re-imports find them."""
        aliases = {}
        for row in rows:
            guest = row.attached_to.guest if row.attached_to is not None else row.guest
            if row.outcome != "attached" or not row.ref or guest is None:
                continue
            if guest.source == self.ctx.source and guest.external_ref == row.ref:
                continue
            aliases.setdefault(row.ref, GuestExternalRef(guest=guest, source=self.ctx.source, external_ref=row.ref,
                                                         batch=self.ctx.batch))
            self.aliased[row.ref] = guest.pk
        GuestExternalRef.objects.bulk_create(list(aliases.values()), ignore_conflicts=True)

    def _flag(self, rows: list[GuestRow]) -> None:
        pairs = []
        for row in rows:
            for found in row.flags:
                other = found.guest_id if found.pending is None else getattr(found.pending.guest, "pk", None)
                if row.guest is not None and other:
                    pairs.append((row.guest.pk, other, found.match))
        if pairs:
            self.ctx.summary.count("review_pairs", flag_pairs(pairs))


def search_key_pairs(
    guest: Guest, phones: Iterable[str], emails: Iterable[str], names: dict[str, set[str]] | None = None,
) -> list[tuple[str, str]]:
    """(kind, key) of a guest's search keys: the rows `guests.services.guest_search_key_rows` builds, as plain
    pairs (model instances would cost more than inserting them). test_search_keys keeps the two in step.
    `names` are the guest's name_keys when already computed."""
    keys = names if names is not None else name_keys(
        family=guest.family_name, given=guest.given_name,
        family_latin=guest.family_name_latin, given_latin=guest.given_name_latin)
    pairs = [(kind, key[:120]) for kind, values in keys.items() for key in values]
    phone_set = {guest.phone} if guest.phone else set()
    email_set = {guest.email.lower()} if guest.email else set()
    phone_set.update(p.lower() for p in phones)
    email_set.update(e.lower() for e in emails)
    for phone in phone_set:
        pairs += [(SearchKeyKind.PHONE, k) for k in phone_search_keys(phone)]
    pairs += [(SearchKeyKind.EMAIL, e[:120]) for e in email_set]
    return pairs


def _document(guest: Guest, doc_type: str, number: str) -> IdentityDocument:
    return IdentityDocument(guest=guest, doc_type=doc_type, number=number, number_hash=id_number_hash(number),
                            number_masked=mask_id_number(number))


def _merge_pending(target: GuestRow, row: GuestRow, *, overwrite: bool) -> None:
    """Fold a later row of the same file into a profile still waiting to be inserted."""
    for name, value in row.values.items():
        if overwrite or not target.values.get(name):
            target.values[name] = value
    if row.document and not target.document:
        target.document = row.document
    for phone in ([row.values.get("phone")] if not overwrite else []) + row.extra_phones:
        if phone and phone != target.values.get("phone") and phone not in target.extra_phones:
            target.extra_phones.append(phone)
    for email in ([row.values.get("email")] if not overwrite else []) + row.extra_emails:
        if email and email != target.values.get("email") and email not in target.extra_emails:
            target.extra_emails.append(email)
    target.tags = sorted(set(target.tags) | set(row.tags))
    target.company_name = target.company_name or row.company_name
    target.notes_lines += [line for line in row.notes_lines if line not in target.notes_lines]
    if row.last_stay_on and (target.last_stay_on is None or row.last_stay_on > target.last_stay_on):
        target.last_stay_on = row.last_stay_on
    target.changed()


def _field_label(name: str) -> str:
    labels = {"id_document": _("ID document"), "property": _("property"), "tags": _("tags"),
              "extra_phone": _("additional phone"), "extra_email": _("additional email"), "company_id": _("company")}
    if name in labels:
        return str(labels[name])
    try:
        return str(Guest._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a label is cosmetic
        return name


class GuestImporter(BaseImporter):
    """`kind="guests"`: one profile per row."""

    kind = "guests"

    def __init__(self, ctx: ImportContext, mapping: Any) -> None:
        super().__init__(ctx, mapping)
        self.writer = GuestWriter(ctx)

    def read_row(self, reader: RowReader) -> GuestRow | None:
        row = read_guest_values(reader, self.ctx)
        if row is None and reader.ok:
            reader.reject("full_name", _("The row has no name (family name, given name or full name)."),
                          code="no_name")
        if not reader.ok or row is None:
            return None
        keep_raw_in_notes(row, self.ctx, reader.warnings)
        return row

    def write(self, rows: list[GuestRow]) -> None:
        self.writer.write(rows)
        count_guest_outcomes(self.summary, rows)


def count_guest_outcomes(summary: Any, rows: list[GuestRow]) -> None:
    for row in rows:
        if row.outcome == "rejected":
            continue
        if row.outcome == "created":
            summary.created += 1
            if row.flags:
                summary.flagged += 1
        elif row.outcome == "attached":
            summary.attached += 1
        elif row.outcome == "updated":
            summary.updated += 1
        else:
            summary.unchanged += 1
        summary.warnings.extend(row.warnings)
