"""Trade-show and campaign leads: business cards (name, company, title, phone, email) become prospects.

Every card is tagged with the campaign. A card matching an existing profile — a strong key, which for
business cards includes the same phone or email when the scorer agrees (score at or above the review
threshold) — is counted as "matched existing": the profile gets the campaign tag and its empty fields
filled, nothing is duplicated. Other cards become prospect profiles (source channel "trade show /
event"); weaker look-alikes go to the review queue. A card with a company also becomes a contact of that
company (the company is created as a prospect when it does not exist yet).
"""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.guests.choices import GuestStatus, SourceChannel
from concierge.guests.models import Contact
from concierge.imports.importers.base import BaseImporter, ImportContext
from concierge.imports.importers.guests import (
    GuestRow,
    GuestWriter,
    count_guest_outcomes,
    keep_raw_in_notes,
    read_guest_values,
)
from concierge.imports.values import RowReader


class LeadImporter(BaseImporter):
    kind = "leads"

    def __init__(self, ctx: ImportContext, mapping: Any) -> None:
        super().__init__(ctx, mapping)
        self.writer = GuestWriter(ctx, contact_keys=True, source_channel=SourceChannel.EVENT,
                                  status=GuestStatus.PROSPECT, company_status="prospect")
        self.writer.created_msgid = gettext_noop("Prospect created from business card (%(source)s)")

    def read_row(self, reader: RowReader) -> GuestRow | None:
        row = read_guest_values(reader, self.ctx)
        if row is None and reader.ok:
            reader.reject("full_name", _("The card has no name."), code="no_name")
        if not reader.ok or row is None:
            return None
        row.extra = {"title": reader.text("title", 120), "department": reader.text("department", 120)}
        keep_raw_in_notes(row, self.ctx, reader.warnings)
        return row

    def write(self, rows: list[GuestRow]) -> None:
        self.writer.write(rows)
        count_guest_outcomes(self.summary, rows)
        self._contacts([r for r in rows if r.guest is not None and r.values.get("company_id")])

    def _contacts(self, rows: list[GuestRow]) -> None:
        """A contact per (company, person), unless the company already lists the person."""
        if not rows:
            return
        companies = {r.values["company_id"] for r in rows}
        known_guests = set(Contact.objects.filter(company_id__in=companies, guest__isnull=False)
                           .values_list("company_id", "guest_id"))
        known_names = {(c, n.strip().lower()) for c, n in
                       Contact.objects.filter(company_id__in=companies).values_list("company_id", "name")}
        new = []
        for row in rows:
            guest = row.guest
            assert guest is not None
            name = (guest.display_name or row.display)[:120]
            company_id = row.values["company_id"]
            if (company_id, guest.pk) in known_guests or (company_id, name.lower()) in known_names:
                continue
            known_guests.add((company_id, guest.pk))
            known_names.add((company_id, name.lower()))
            new.append(Contact(
                company_id=company_id, guest=guest, name=name, name_latin=guest.latin_name[:120],
                position=row.extra.get("title", ""), department=row.extra.get("department", ""),
                phone=guest.phone, email=guest.email, created_at=self.ctx.now,
            ))
        Contact.objects.bulk_create(new, batch_size=1000)
        Contact.history.bulk_history_create(new, default_user=self.ctx.actor_or_none, default_date=self.ctx.now,
                                            default_change_reason=f"import {self.ctx.source}"[:100])
        self.summary.count("contacts_created", len(new))
