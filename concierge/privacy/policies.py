"""What erasure does to every table that points at a guest, decided once per relation.

Every ForeignKey to `guests.Guest` in every installed app must have a policy here: a test fails when a module adds a
relation without one, so a new table can never silently keep a person's data after an erasure.

- KEEP: the row holds no personal data beyond the link to the (now anonymous) profile: stays, ledgers, aggregates.
- DELETE: the row *is* personal data (ID documents, contact points, alerts, search keys).
- BLANK: the row stays for the statistics, the listed fields are emptied (or set to the given value).
- METHOD: the model's own `anonymize()` method does it (it knows its free-text fields).
- MODULE: a module function erases these rows (listed in `MODULE_ERASERS`, run first).
- HISTORY: django-simple-history copies of personal rows: deleted for the erased profile.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KEEP, DELETE, BLANK, METHOD, MODULE, HISTORY = "keep", "delete", "blank", "method", "module", "history"
ERASED_TEXT = "(erased)"


@dataclass(frozen=True)
class Policy:
    action: str
    why: str
    values: dict[str, Any] = field(default_factory=dict)  # BLANK: field -> value written


POLICIES: dict[str, Policy] = {
    "core.Activity.guest": Policy(BLANK, "timeline kept for counts; what was written about the person is wiped",
                                  {"summary": ERASED_TEXT, "body": "", "data": {}}),
    "core.AuditEvent.guest": Policy(KEEP, "who looked at the profile, when (accountability; no personal content)"),
    "guests.Guest.merged_into": Policy(MODULE, "profiles merged into this one are the same person: erased too"),
    "guests.HistoricalGuest.merged_into": Policy(HISTORY, "history copies of the profile"),
    "guests.Guest_tags.guest": Policy(DELETE, "tags can describe the person (health, habits)"),
    "guests.GuestProperty.guest": Policy(KEEP, "which hotels hold the (anonymous) profile"),
    "guests.IdentityDocument.guest": Policy(DELETE, "ID documents are personal data (kept as keyed hashes only "
                                                    "for unsuitable customers)"),
    "guests.HistoricalIdentityDocument.guest": Policy(HISTORY, "history copies of ID documents"),
    "guests.ContactPoint.guest": Policy(DELETE, "extra phones and emails"),
    "guests.Preference.guest": Policy(DELETE, "preferences describe the person"),
    "guests.HistoricalPreference.guest": Policy(HISTORY, "history copies of preferences"),
    "guests.Alert.guest": Policy(DELETE, "alerts can be health data (allergies)"),
    "guests.HistoricalAlert.guest": Policy(HISTORY, "history copies of alerts"),
    "guests.ConsentRecord.guest": Policy(KEEP, "consent history is kept as proof (channel, yes/no, date, source)"),
    "guests.Contact.guest": Policy(MODULE, "the person's contact role at a company is wiped"),
    "guests.HistoricalContact.guest": Policy(HISTORY, "history copies of the contact role"),
    "guests.SearchKey.guest": Policy(DELETE, "name, phone and email look-up keys"),
    "stays.Stay.guest": Policy(KEEP, "stays stay for revenue and statistics, on the anonymous profile"),
    "stays.GuestPropertyStats.guest": Policy(KEEP, "aggregates"),
    "dedupe.DuplicateCandidate.left": Policy(DELETE, "duplicate reasons quote personal data"),
    "dedupe.DuplicateCandidate.right": Policy(DELETE, "duplicate reasons quote personal data"),
    "dedupe.MergeRecord.survivor": Policy(METHOD, "field snapshots of the merge are wiped; undo is then refused"),
    "dedupe.MergeRecord.merged": Policy(METHOD, "field snapshots of the merge are wiped; undo is then refused"),
    "imports.ImportRowIssue.guest": Policy(METHOD, "the raw cell text is wiped"),
    "imports.GuestExternalRef.guest": Policy(KEEP, "source-system reference (lets a re-import find the anonymous "
                                                   "profile instead of re-creating the person)"),
    "cases.Case.guest": Policy(METHOD, "case statistics kept, free text wiped"),
    "cases.LostItem.guest": Policy(METHOD, "the item stays, the link to the person goes"),
    "surveys.Invitation.guest": Policy(MODULE, "invitations lose the person and the email"),
    "surveys.Response.guest": Policy(MODULE, "scores kept, the person and free text removed"),
    "analytics.CustomerValue.guest": Policy(KEEP, "aggregates"),
    "clv.GuestClv.guest": Policy(KEEP, "aggregates"),
    "segments.SegmentSnapshotMember.guest": Policy(KEEP, "who a past campaign addressed (anonymous id)"),
    "dashboards.TopAccount.guest": Policy(KEEP, "aggregates"),
    "loyalty.Membership.guest": Policy(KEEP, "pseudonymous membership number; the ledger stays for the accounts"),
    "messaging.Message.guest": Policy(MODULE, "outbox rows lose address and text; queued ones are suppressed"),
    "messaging.ChannelAddress.guest": Policy(DELETE, "WeChat openid and other channel addresses"),
    "worklist.Task.guest": Policy(BLANK, "the task may name the person", {"title": ERASED_TEXT, "notes": ""}),
    "campaigns.CampaignTouch.guest": Policy(BLANK, "campaign counts kept; clicked links wiped", {"detail": ""}),
    "journeys.JourneyRun.guest": Policy(KEEP, "which journey ran when (anonymous)"),
    "attribution.StayAttribution.guest": Policy(KEEP, "aggregates"),
    "attribution.CampaignLead.guest": Policy(BLANK, "the lead counts for the campaign; the match reason may quote "
                                                    "the person's data", {"reason": ""}),
    "tours.Order.guest": Policy(BLANK, "orders and revenue stay; contact details go",
                                {"contact_name": ERASED_TEXT, "contact_phone": "", "note": ""}),
}


def relation_label(fk: Any) -> str:
    return f"{fk.model._meta.label}.{fk.name}"


def guest_relations_all() -> list[Any]:
    """Every ForeignKey / OneToOne / M2M-through FK to Guest, history tables included."""
    from concierge.guests.models import Guest

    relations = []
    for rel in Guest._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one):
            relations.append(rel.field)
    return relations


def unclassified_relations() -> list[str]:
    return sorted(label for label in map(relation_label, guest_relations_all()) if label not in POLICIES)
