"""Writes for guest profiles, companies, contacts, preferences, alerts and consent.

Every function takes the acting user explicitly, runs in a transaction, keeps the search keys in
step with the names, phones and emails, and writes a timeline entry a hotel user would care about.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.core.choices import CONTACT_KINDS, ActivityKind
from concierge.core.phones import normalize_phone, phone_search_keys
from concierge.core.i18n import LocalizedText
from concierge.core.services import activity_log
from concierge.guests.choices import (
    AlertSeverity,
    ConsentChannel,
    GuestStatus,
    PreferenceCategory,
    SearchKeyKind,
)
from concierge.guests.identity import (
    cn_id_birthday,
    cn_id_gender,
    id_number_hash,
    mask_id_number,
    validate_id_number,
)
from concierge.guests.models import (
    Alert,
    Company,
    ConsentRecord,
    Contact,
    ContactPoint,
    Guest,
    GuestProperty,
    IdentityDocument,
    Preference,
    SearchKey,
    Tag,
)
from concierge.guests.names import company_keys, name_keys, split_full_name

GUEST_EDITABLE_FIELDS = (
    "family_name", "given_name", "family_name_latin", "given_name_latin", "gender", "birthday", "nationality",
    "language", "phone", "email", "address_1", "address_2", "city", "province", "postcode", "country", "company",
    "status", "status_reason", "tier", "owner", "source_channel", "notes", "external_ref", "source",
)
COMPANY_EDITABLE_FIELDS = (
    "name_zh", "name_en", "account_number", "industry", "country", "province", "city", "channel", "phone", "fax",
    "email", "postcode", "address", "homepage", "payment_method", "contact_frequency_days", "status",
    "status_reason", "owner", "parent", "notes", "external_ref", "source",
)


class StaleVersionError(ValidationError):
    """Raised when a profile was changed by someone else since the editor loaded it."""


# --- search keys ---------------------------------------------------------------------------------------------


def guest_search_key_rows(guest: Guest, *, contact_points: Iterable[ContactPoint] | None = None) -> list[SearchKey]:
    """Unsaved search-key rows for a guest's names, phones and emails.

    `contact_points` defaults to the saved guest's additional phones and emails; bulk loaders
    (seed_demo, the search benchmark) pass them in to avoid one query per guest.
    """
    keys = name_keys(
        family=guest.family_name, given=guest.given_name,
        family_latin=guest.family_name_latin, given_latin=guest.given_name_latin,
    )
    rows = [SearchKey(kind=kind, key=key[:120], guest=guest) for kind, values in keys.items() for key in values]
    phones = {guest.phone} if guest.phone else set()
    emails = {guest.email.lower()} if guest.email else set()
    if contact_points is None:
        contact_points = guest.contact_points.all() if guest.pk else []
    for point in contact_points:
        (phones if point.kind == ContactPoint.Kind.PHONE else emails).add(point.value.lower())
    for phone in phones:
        rows += [SearchKey(kind=SearchKeyKind.PHONE, key=k, guest=guest) for k in phone_search_keys(phone)]
    rows += [SearchKey(kind=SearchKeyKind.EMAIL, key=e[:120], guest=guest) for e in emails]
    return rows


def guest_search_keys_rebuild(*, guest: Guest) -> None:
    """Replace the guest's search keys with ones computed from the current profile."""
    SearchKey.objects.filter(guest=guest).delete()
    SearchKey.objects.bulk_create(guest_search_key_rows(guest))


def company_search_keys_rebuild(*, company: Company) -> None:
    SearchKey.objects.filter(company=company).delete()
    rows = [SearchKey(kind=SearchKeyKind.COMPANY, key=k, company=company) for k in
            company_keys(name_zh=company.name_zh, name_en=company.name_en)]
    if company.phone:
        rows += [SearchKey(kind=SearchKeyKind.PHONE, key=k, company=company) for k in phone_search_keys(company.phone)]
    if company.account_number:
        rows.append(SearchKey(kind=SearchKeyKind.COMPANY, key=company.account_number.lower()[:120], company=company))
    SearchKey.objects.bulk_create(rows)


# --- guests --------------------------------------------------------------------------------------------------


def _clean_guest_values(values: dict[str, Any]) -> dict[str, Any]:
    """Normalise a dict of guest fields; raises ValidationError naming the field."""
    cleaned = dict(values)
    full_name = cleaned.pop("full_name", "") or ""
    if full_name and not (cleaned.get("family_name") or cleaned.get("given_name")):
        cleaned["family_name"], cleaned["given_name"] = split_full_name(full_name)
    for name in ("family_name", "given_name", "family_name_latin", "given_name_latin"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    if "phone" in cleaned:
        try:
            cleaned["phone"] = normalize_phone(cleaned["phone"] or "")
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc
    if "email" in cleaned:
        cleaned["email"] = (cleaned["email"] or "").strip().lower()
    for code in ("nationality", "country"):
        if code in cleaned:
            cleaned[code] = (cleaned[code] or "").strip().upper()
    return cleaned


def _require_name(guest: Guest) -> None:
    if not (guest.family_name or guest.given_name or guest.family_name_latin or guest.given_name_latin):
        raise ValidationError({"family_name": [_("A guest needs a name (native or Latin).")]})


def _require_status_reason(status: str, reason: str, field: str = "status_reason") -> None:
    if status in (GuestStatus.UNSUITABLE, GuestStatus.LOST) and not (reason or "").strip():
        raise ValidationError({field: [_("Give a reason when marking a customer lost or unsuitable.")]})


@transaction.atomic
def guest_create(
    *,
    actor: Any,
    property: Any,  # noqa: A002
    tags: Iterable[str] = (),
    id_documents: Iterable[dict[str, Any]] = (),
    extra_phones: Iterable[str] = (),
    extra_emails: Iterable[str] = (),
    **values: Any,
) -> Guest:
    """Create a guest profile at `property` (the property that holds it), with optional ID documents."""
    unknown = set(values) - set(GUEST_EDITABLE_FIELDS) - {"full_name"}
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    guest = Guest(created_by=actor if getattr(actor, "pk", None) else None, **_clean_guest_values(values))
    _require_name(guest)
    _require_status_reason(guest.status, guest.status_reason)
    guest.full_clean(exclude=["owner", "company", "created_by", "merged_into"])
    guest.save()
    if property is not None:
        GuestProperty.objects.get_or_create(guest=guest, property=property)
    for doc in id_documents:
        identity_document_add(actor=actor, guest=guest, **doc, log=False)
    for phone in extra_phones:
        _contact_point_add(guest, ContactPoint.Kind.PHONE, phone)
    for email in extra_emails:
        _contact_point_add(guest, ContactPoint.Kind.EMAIL, email)
    guest_tags_set(guest=guest, names=tags)
    guest_search_keys_rebuild(guest=guest)
    activity_log(actor=actor, kind=ActivityKind.PROFILE, guest=guest, property=property,
                 summary=LocalizedText(gettext_noop("Profile created")), data={"event": "created"})
    return guest


def _contact_point_add(guest: Guest, kind: str, raw: str) -> None:
    if kind == ContactPoint.Kind.PHONE:
        value = normalize_phone(raw)
        if not value or value == guest.phone:
            return
    else:
        value = (raw or "").strip().lower()
        if not value or value == guest.email:
            return
    ContactPoint.objects.get_or_create(guest=guest, kind=kind, value=value)


def guest_tags_set(*, guest: Guest, names: Iterable[str]) -> None:
    clean = sorted({n.strip()[:60] for n in names if n and n.strip()})
    if not clean:
        return
    existing = {t.name: t for t in Tag.objects.filter(name__in=clean)}
    missing = [Tag(name=n) for n in clean if n not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    guest.tags.add(*Tag.objects.filter(name__in=clean))


@transaction.atomic
def guest_update(*, actor: Any, guest: Guest, expected_version: int | None = None, **values: Any) -> Guest:
    """Change profile fields. With `expected_version`, refuses to overwrite someone else's newer edit."""
    unknown = set(values) - set(GUEST_EDITABLE_FIELDS) - {"full_name"}
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    if "tier" in values:  # the loyalty programme owns the tier: an edit from a stale read must not revert it
        raise ValidationError({"tier": [_("The tier is set by the loyalty programme; it cannot be edited here.")]})
    locked = Guest.objects.select_for_update().get(pk=guest.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersionError(
            {"version": [_("This profile was changed by someone else. Reload it and apply your change again.")]},
        )
    if locked.merged_into_id:
        raise ValidationError(
            {"version": [_("This profile was merged into another one; edit the surviving profile instead.")]}
        )
    cleaned = _clean_guest_values(values)
    changed = [name for name, value in cleaned.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    old_status = locked.status
    for name in changed:
        setattr(locked, name, cleaned[name])
    _require_name(locked)
    _require_status_reason(locked.status, locked.status_reason)
    locked.full_clean(exclude=["owner", "company", "created_by", "merged_into"])
    locked.version += 1  # the row is locked (select_for_update), so a plain increment is safe
    locked.save()
    if set(changed) & {"family_name", "given_name", "family_name_latin", "given_name_latin", "phone", "email"}:
        guest_search_keys_rebuild(guest=locked)
    summary = LocalizedText(gettext_noop("Profile updated: %(fields)s"), {
        "fields": ", ".join(str(Guest._meta.get_field(n).verbose_name) for n in changed)
    })
    if "status" in changed and locked.status != old_status:
        summary = LocalizedText(gettext_noop("Status changed to %(status)s: %(reason)s"), {
            "status": GuestStatus(locked.status).label, "reason": locked.status_reason,
        })
    activity_log(actor=actor, kind=ActivityKind.PROFILE, guest=locked, summary=summary,
                 data={"event": "updated", "fields": changed})
    return locked


@transaction.atomic
def identity_document_add(
    *, actor: Any, guest: Guest, doc_type: str, number: str, issuing_country: str = "",
    expires_on: dt.date | None = None, is_verified: bool = False, log: bool = True,
) -> IdentityDocument:
    """Add an ID document: validated, encrypted, hashed for look-up. Fills birthday/gender from a PRC ID."""
    try:
        normalized = validate_id_number(doc_type, number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from exc
    doc = IdentityDocument.objects.create(
        guest=guest, doc_type=doc_type, number=normalized, number_hash=id_number_hash(normalized),
        number_masked=mask_id_number(normalized), issuing_country=(issuing_country or "").upper(),
        expires_on=expires_on, is_verified=is_verified,
    )
    if doc_type == "cn_id":
        updates = {}
        if not guest.birthday:
            updates["birthday"] = cn_id_birthday(normalized)
        if not guest.gender:
            updates["gender"] = cn_id_gender(normalized)
        if updates:
            Guest.objects.filter(pk=guest.pk).update(**updates)
            for name, value in updates.items():
                setattr(guest, name, value)
    if log:
        activity_log(actor=actor, kind=ActivityKind.PROFILE, guest=guest,
                     summary=LocalizedText(gettext_noop("ID document added: %(doc)s"), {"doc": str(doc)}))
    return doc


# --- preferences, alerts, consent ----------------------------------------------------------------------------


@transaction.atomic
def preference_add(
    *, actor: Any, guest: Guest, category: str, value: str, note: str = "", source: str = "staff",
    stay: Any = None,
) -> Preference:
    """Record a preference; an identical active one is refreshed rather than duplicated."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({"value": [_("Say what the guest prefers.")]})
    pref = Preference(guest=guest, category=category, value=value, note=note, source=source, stay=stay,
                      recorded_by=actor if getattr(actor, "pk", None) else None)
    pref.full_clean(exclude=["guest", "stay", "recorded_by"])
    existing = Preference.objects.filter(guest=guest, category=category, value=value, is_active=True).first()
    if existing:
        existing.note, existing.source, existing.recorded_at = note or existing.note, source, timezone.now()
        existing.save(update_fields=["note", "source", "recorded_at"])
        pref = existing
    else:
        pref.save()
    activity_log(actor=actor, kind=ActivityKind.PREFERENCE, guest=guest,
                 property=getattr(stay, "property", None),
                 summary=LocalizedText(gettext_noop("Preference: %(category)s — %(value)s"), {
                     "category": PreferenceCategory(pref.category).label, "value": value}),
                 data={"preference_id": pref.pk, "category": category, "value": value})
    return pref


@transaction.atomic
def preference_deactivate(*, actor: Any, preference: Preference) -> None:
    preference.is_active = False
    preference.save(update_fields=["is_active"])
    activity_log(actor=actor, kind=ActivityKind.PREFERENCE, guest=preference.guest,
                 summary=LocalizedText(gettext_noop("Preference removed: %(pref)s"), {"pref": str(preference)}),
                 data={"preference_id": preference.pk, "removed": True})


@transaction.atomic
def alert_add(
    *, actor: Any, guest: Guest, text: str, severity: str = "warning", category: str = "other", stay: Any = None,
) -> Alert:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write what staff must know.")]})
    alert = Alert(guest=guest, text=text, severity=severity, category=category, stay=stay,
                  created_by=actor if getattr(actor, "pk", None) else None)
    alert.full_clean(exclude=["guest", "stay", "created_by"])
    alert.save()
    activity_log(actor=actor, kind=ActivityKind.ALERT, guest=guest, property=getattr(stay, "property", None),
                 summary=LocalizedText(gettext_noop("Alert (%(severity)s): %(text)s"), {"severity": AlertSeverity(alert.severity).label, "text": text}),
                 data={"alert_id": alert.pk})
    return alert


@transaction.atomic
def alert_deactivate(*, actor: Any, alert: Alert) -> None:
    alert.is_active = False
    alert.save(update_fields=["is_active"])
    activity_log(actor=actor, kind=ActivityKind.ALERT, guest=alert.guest,
                 summary=LocalizedText(gettext_noop("Alert cleared: %(text)s"), {"text": alert.text}), data={"alert_id": alert.pk})


@transaction.atomic
def consent_set(*, actor: Any, guest: Guest, channel: str, granted: bool, source: str) -> ConsentRecord:
    """Record a consent decision (history kept; the newest per channel is in force)."""
    record = ConsentRecord(guest=guest, channel=channel, granted=granted, source=source,
                           recorded_by=actor if getattr(actor, "pk", None) else None)
    record.full_clean(exclude=["guest", "recorded_by"])
    record.save()
    activity_log(actor=actor, kind=ActivityKind.CONSENT, guest=guest,
                 summary=LocalizedText(
                     gettext_noop("Consent given for %(channel)s") if granted
                     else gettext_noop("Consent withdrawn for %(channel)s"),
                     {"channel": ConsentChannel(record.channel).label}),
                 data={"channel": channel, "granted": granted, "source": source})
    return record


# --- companies and contacts ----------------------------------------------------------------------------------


def _clean_company_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    for name in ("phone", "fax"):
        if name in cleaned:
            try:
                cleaned[name] = normalize_phone(cleaned[name] or "")
            except ValidationError as exc:
                raise ValidationError({name: exc.messages}) from exc
    if "email" in cleaned:
        cleaned["email"] = (cleaned["email"] or "").strip().lower()
    return cleaned


@transaction.atomic
def company_create(*, actor: Any, properties: Iterable[Any] = (), tags: Iterable[str] = (), **values: Any) -> Company:
    unknown = set(values) - set(COMPANY_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    company = Company(**_clean_company_values(values))
    if not (company.name_zh or company.name_en):
        raise ValidationError({"name_zh": [_("A company needs a Chinese or an English name.")]})
    _require_status_reason(company.status, company.status_reason)
    company.full_clean(exclude=["owner", "industry", "parent"])
    company.save()
    from concierge.sales.services import account_ownership_start  # the ownership history starts with the owner

    account_ownership_start(company=company, owner=company.owner, actor=actor)
    company.properties.add(*properties)
    clean_tags = sorted({t.strip() for t in tags if t and t.strip()})
    if clean_tags:
        Tag.objects.bulk_create([Tag(name=t) for t in clean_tags], ignore_conflicts=True)
        company.tags.add(*Tag.objects.filter(name__in=clean_tags))
    company_search_keys_rebuild(company=company)
    activity_log(actor=actor, kind=ActivityKind.PROFILE, company=company, summary=LocalizedText(gettext_noop("Company created")))
    return company


@transaction.atomic
def company_update(*, actor: Any, company: Company, expected_version: int | None = None, **values: Any) -> Company:
    unknown = set(values) - set(COMPANY_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    locked = Company.objects.select_for_update().get(pk=company.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersionError(
            {"version": [_("This company was changed by someone else. Reload it and apply your change again.")]}
        )
    cleaned = _clean_company_values(values)
    if "owner" in cleaned and cleaned["owner"] != locked.owner:
        from concierge.sales.services import company_owner_change  # owners change only there (ownership history)

        company_owner_change(company=locked, new_owner=cleaned["owner"], actor=actor)
    cleaned.pop("owner", None)
    changed = [n for n, v in cleaned.items() if getattr(locked, n) != v]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, cleaned[name])
    if not (locked.name_zh or locked.name_en):
        raise ValidationError({"name_zh": [_("A company needs a Chinese or an English name.")]})
    _require_status_reason(locked.status, locked.status_reason)
    locked.full_clean(exclude=["owner", "industry", "parent"])
    locked.version += 1  # the row is locked (select_for_update), so a plain increment is safe
    locked.save()
    if set(changed) & {"name_zh", "name_en", "phone", "account_number"}:
        company_search_keys_rebuild(company=locked)
    activity_log(actor=actor, kind=ActivityKind.PROFILE, company=locked,
                 summary=LocalizedText(gettext_noop("Company updated: %(fields)s"), {
                     "fields": ", ".join(str(Company._meta.get_field(n).verbose_name) for n in changed)}),
                 data={"fields": changed})
    return locked


@transaction.atomic
def contact_create(*, actor: Any, company: Company, name: str, **values: Any) -> Contact:
    if not (name or "").strip():
        raise ValidationError({"name": [_("A contact needs a name.")]})
    if values.get("phone"):
        try:
            values["phone"] = normalize_phone(values["phone"])
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc
    if values.get("email"):
        values["email"] = values["email"].strip().lower()
    contact = Contact(company=company, name=name.strip(), **values)
    contact.full_clean(exclude=["company", "guest"])
    contact.save()
    activity_log(actor=actor, kind=ActivityKind.PROFILE, company=company, guest=contact.guest,
                 summary=LocalizedText(gettext_noop("Contact added: %(name)s (%(position)s)"), {"name": contact.name,
                                                                     "position": contact.position or "—"}))
    return contact


@transaction.atomic
def contact_update(*, actor: Any, contact: Contact, expected_version: int | None = None, **values: Any) -> Contact:
    """Change contact fields. With `expected_version`, refuses to overwrite someone else's newer edit.

    The version is claimed first with a conditional UPDATE (… WHERE version = the one loaded), so of two
    concurrent saves from the same version exactly one wins, on PostgreSQL and SQLite alike.
    """
    values.pop("version", None)
    if "phone" in values and values["phone"]:
        try:
            values["phone"] = normalize_phone(values["phone"])
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc
    if "email" in values:
        values["email"] = (values["email"] or "").strip().lower()
    claimed = Contact.objects.filter(pk=contact.pk)
    if expected_version is not None:
        claimed = claimed.filter(version=expected_version)
    if not claimed.update(version=F("version") + 1):
        raise StaleVersionError(
            {"version": [_("Someone else changed this contact; reload to see their changes.")]}
        )
    locked = Contact.objects.get(pk=contact.pk)  # fresh copy: fields not in `values` keep their stored value
    for name, value in values.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["company", "guest"])
    locked.save()
    return locked


# --- timeline ------------------------------------------------------------------------------------------------


@transaction.atomic
def interaction_log(
    *, actor: Any, kind: str, summary: str, guest: Guest | None = None, company: Company | None = None,
    property: Any = None, body: str = "", occurred_at: dt.datetime | None = None,  # noqa: A002
) -> Any:
    """Log a call, email, visit, meeting, message or note on the shared timeline."""
    # Preference, alert, consent, stay and profile entries have their own services; only contacts and notes here.
    if kind not in (*CONTACT_KINDS, ActivityKind.NOTE):
        raise ValidationError({"kind": [_("Choose call, email, visit, meeting, message or note.")]})
    if guest is None and company is None:
        raise ValidationError({"guest": [_("Choose a guest or a company.")]})
    if not (summary or "").strip():
        raise ValidationError({"summary": [_("Write a short summary.")]})
    return activity_log(actor=actor, kind=kind, summary=summary.strip(), guest=guest, company=company,
                        property=property, body=body, occurred_at=occurred_at)
