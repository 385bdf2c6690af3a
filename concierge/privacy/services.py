"""Personal-data rights (PIPL / GDPR): export everything held about a guest, erase (anonymise) a guest, retention.

Erasure never deletes the profile row or its stays: the person's fields are wiped, rows that are personal data are
deleted, free text is blanked, and what remains (stays, points, scores, counts) is anonymous. An "unsuitable"
customer leaves only keyed hashes of their identifiers (`UnsuitableFingerprint`). Each relation's treatment is in
`policies.POLICIES`.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.cases.choices import OPEN_STATUSES
from concierge.core.choices import AuditAction
from concierge.core.crypto import blind_index
from concierge.core.services import audit_record
from concierge.guests.choices import GuestStatus
from concierge.guests.models import Guest, IdentityDocument
from concierge.privacy.models import Erasure, FingerprintKind, UnsuitableFingerprint
from concierge.privacy.policies import (
    BLANK,
    DELETE,
    HISTORY,
    KEEP,
    METHOD,
    MODULE,
    POLICIES,
    guest_relations_all,
    relation_label,
    unclassified_relations,
)

# Guest fields wiped by an erasure. Kept: country / province / nationality / language (coarse, for the statistics
# by region), company, tier, owner, channel, dates.
WIPED_GUEST_FIELDS: dict[str, Any] = {
    "family_name": "", "given_name": "", "family_name_latin": "", "given_name_latin": "", "gender": "",
    "birthday": None, "phone": "", "email": "", "address_1": "", "address_2": "", "city": "", "postcode": "",
    "notes": "", "status_reason": "", "external_ref": "",
}


# --- export --------------------------------------------------------------------------------------------------------


def _rows(queryset: Iterable[Any]) -> list[dict[str, Any]]:
    return [{"model": r["model"], "id": r["pk"], **r["fields"]} for r in serializers.serialize("python", queryset)]


def guest_export(*, guest: Guest, actor: Any, ip_address: str | None = None) -> dict[str, Any]:
    """Everything held about `guest` as one JSON-ready document (decrypted ID numbers included), audited.

    The profile, then every row of every table that points at it (history and read-audit tables excluded), each with
    its own child rows one level down (a stay's items, a case's events, a survey response's answers).
    """
    data: dict[str, Any] = {
        "format": "concierge-personal-data/1", "generated_at": timezone.now().isoformat(),
        "profile": _rows([guest])[0],
        "tags": list(guest.tags.values_list("name", flat=True)),
        "records": {},
    }
    for fk in guest_relations_all():
        model = fk.model
        policy = POLICIES.get(relation_label(fk))
        if (policy is not None and policy.action == HISTORY) or model._meta.auto_created \
                or model._meta.label == "core.AuditEvent":
            continue
        rows = model._base_manager.filter(**{fk.attname: guest.pk})
        rows = list(rows[:10_000])
        if not rows:
            continue
        serialised = _rows(rows)
        children = _children(model, [r.pk for r in rows])
        if children:
            for item in serialised:
                item["children"] = {label: [c for c in kids if c["_parent"] == item["id"]]
                                    for label, kids in children.items()}
                for kids in item["children"].values():
                    for c in kids:
                        c.pop("_parent", None)
        data["records"].setdefault(model._meta.label, []).extend(serialised)
    audit_record(actor=actor, action=AuditAction.EXPORT, guest=guest, field="personal_data",
                 detail=_("Personal data export"), ip_address=ip_address)
    return data


def _children(parent: Any, pks: list[Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for rel in parent._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and rel.one_to_many):
            continue
        child, fk = rel.related_model, rel.field
        if getattr(child, "instance_type", None) is not None or any(
                f.is_relation and f.related_model is Guest for f in child._meta.concrete_fields):
            continue  # history tables; rows that point at the guest themselves are exported on their own
        rows = list(child._base_manager.filter(**{f"{fk.attname}__in": pks})[:10_000])
        if rows:
            items = _rows(rows)
            for row, item in zip(rows, items, strict=True):
                item["_parent"] = getattr(row, fk.attname)
            out[child._meta.label] = items
    return out


def guest_export_json(*, guest: Guest, actor: Any, ip_address: str | None = None) -> str:
    return json.dumps(guest_export(guest=guest, actor=actor, ip_address=ip_address), cls=DjangoJSONEncoder,
                      ensure_ascii=False, indent=1)


# --- the unsuitable register ---------------------------------------------------------------------------------------


def _name_birthday_key(guest: Guest) -> str | None:
    name = (guest.family_name + guest.given_name).strip() or (guest.family_name_latin + guest.given_name_latin).strip()
    if not name or not guest.birthday:
        return None
    return f"{name.casefold().replace(' ', '')}|{guest.birthday.isoformat()}"


def guest_fingerprints(guest: Guest) -> list[tuple[str, str]]:
    """(kind, keyed digest) of the identifiers of `guest` (the same digests a new profile is checked against)."""
    prints = [(FingerprintKind.ID_NUMBER, h) for h in
              IdentityDocument.objects.filter(guest=guest).values_list("number_hash", flat=True) if h]
    if guest.phone:
        prints.append((FingerprintKind.PHONE, blind_index(guest.phone, purpose="unsuitable:phone")))
    if guest.email:
        prints.append((FingerprintKind.EMAIL, blind_index(guest.email.strip().lower(), purpose="unsuitable:email")))
    key = _name_birthday_key(guest)
    if key:
        prints.append((FingerprintKind.NAME_BIRTHDAY, blind_index(key, purpose="unsuitable:name_birthday")))
    return prints


def unsuitable_matches(*, guest: Guest) -> list[UnsuitableFingerprint]:
    """Register entries (of erased unsuitable customers) whose hash equals one of this profile's identifiers."""
    prints = guest_fingerprints(guest)
    if not prints:
        return []
    condition = Q()
    for kind, digest in prints:
        condition |= Q(kind=kind, digest=digest)
    return list(UnsuitableFingerprint.objects.filter(condition)[:10])


# --- erasure -------------------------------------------------------------------------------------------------------


def _module_erasers(guest: Guest) -> dict[str, int]:
    from concierge.guests.models import Contact
    from concierge.messaging.services import messaging_anonymize_guest
    from concierge.surveys.services import surveys_anonymize_guest

    counts = {"messaging.Message": messaging_anonymize_guest(guest=guest)}
    surveys_anonymize_guest(guest=guest)
    contacts = Contact.objects.filter(guest=guest)
    contact_ids = list(contacts.values_list("pk", flat=True))
    counts["guests.Contact"] = contacts.update(name=str(_("(erased)")), name_latin="", phone="", email="",
                                               birthday=None, notes="", is_active=False, guest=None,
                                               version=F("version") + 1)  # an open edit form must not restore it
    if contact_ids:
        Contact.history.model.objects.filter(id__in=contact_ids).delete()
    return counts


def _erase_one(guest: Guest) -> dict[str, int]:
    counts = _module_erasers(guest)
    # History copies last: deleting personal rows first makes simple-history write one more copy of each.
    relations = sorted(guest_relations_all(), key=lambda fk: POLICIES[relation_label(fk)].action == HISTORY)
    for fk in relations:
        label = relation_label(fk)
        policy = POLICIES[label]
        model = fk.model
        rows = model._base_manager.filter(**{fk.attname: guest.pk})
        if policy.action == KEEP or policy.action == MODULE:
            continue
        if policy.action in (DELETE, HISTORY):
            deleted, _detail = rows.delete()
            counts[label] = deleted
        elif policy.action == BLANK:
            counts[label] = rows.update(**policy.values)
        elif policy.action == METHOD:
            n = 0
            for row in rows.iterator():
                row.anonymize()
                n += 1
            counts[label] = n
    Guest.history.model.objects.filter(id=guest.pk).delete()
    return counts


@transaction.atomic
def guest_erase(*, guest: Guest, actor: Any, basis: str = Erasure.Basis.REQUEST, note: str = "",
                ip_address: str | None = None) -> Erasure:
    """Erase a guest's personal data everywhere (and that of profiles merged into it), keeping anonymous records.

    Refused for an already erased profile and while a module has not declared what erasure does to its table.
    """
    missing = unclassified_relations()
    if missing:
        raise ValidationError(_("Erasure is not possible: no privacy policy for %(tables)s.")
                              % {"tables": ", ".join(missing)})
    guest = Guest.objects.select_for_update().get(pk=guest.pk)
    if guest.erased_at:
        raise ValidationError(_("This profile was already erased."), code="already_erased")
    if guest.merged_into_id:
        raise ValidationError(_("Erase the surviving profile #%(id)s instead; this one was merged into it.")
                              % {"id": guest.merged_into_id}, code="merged")
    profiles = [guest, *Guest.objects.select_for_update().filter(merged_into=guest).order_by("pk")]
    if any(p.status == GuestStatus.UNSUITABLE for p in profiles):
        reason = next((p.status_reason for p in profiles if p.status == GuestStatus.UNSUITABLE), "")
        UnsuitableFingerprint.objects.bulk_create(
            [UnsuitableFingerprint(kind=kind, digest=digest, reason=reason[:300])
             for p in profiles for kind, digest in guest_fingerprints(p)])
    counts: dict[str, int] = {}
    now = timezone.now()
    for profile in profiles:
        for label, n in _erase_one(profile).items():
            counts[label] = counts.get(label, 0) + n
        for name, value in WIPED_GUEST_FIELDS.items():
            setattr(profile, name, value)
        profile.status = GuestStatus.ERASED
        profile.erased_at = now
        profile.version += 1
        profile.save_without_historical_record()
    erasure = Erasure.objects.create(guest_id_erased=guest.pk, basis=basis, note=note[:300], counts=counts,
                                     actor=actor if getattr(actor, "pk", None) else None)
    audit_record(actor=actor, action=AuditAction.ERASE, guest=guest, field="personal_data",
                 detail=f"{basis}: {note}"[:300], ip_address=ip_address)
    return erasure


# --- retention -----------------------------------------------------------------------------------------------------


def retention_candidates(*, as_of: dt.date | None = None, months: int | None = None) -> Any:
    """Live profiles with no stay and no change for `PRIVACY_RETENTION_MONTHS` (None: retention is off)."""
    months = settings.PRIVACY_RETENTION_MONTHS if months is None else months
    if not months:
        return Guest.objects.none()
    cutoff = (as_of or timezone.localdate()) - relativedelta(months=months)
    return (Guest.objects.filter(merged_into__isnull=True, erased_at__isnull=True)
            .annotate(last_seen=Coalesce("last_stay_on", TruncDate("updated_at")))
            .filter(last_seen__lt=cutoff)
            .exclude(cases__status__in=OPEN_STATUSES))


def retention_sweep(*, as_of: dt.date | None = None, limit: int = 500) -> int:
    """Anonymise (never delete) up to `limit` profiles past the retention period. Returns how many."""
    done = 0
    for pk in list(retention_candidates(as_of=as_of).order_by("pk").values_list("pk", flat=True)[:limit]):
        guest = Guest.objects.get(pk=pk)
        try:
            guest_erase(guest=guest, actor=None, basis=Erasure.Basis.RETENTION,
                        note=f"inactive for {settings.PRIVACY_RETENTION_MONTHS} months")
        except ValidationError:
            continue
        done += 1
    return done


def privacy_models_with_personal_fields() -> list[str]:
    """For the docs: every guest relation and what erasure does with it."""
    return [f"{label}: {p.action} — {p.why}" for label, p in sorted(POLICIES.items())]

