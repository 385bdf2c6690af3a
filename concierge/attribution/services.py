"""Writes of the attribution module: lead imports for offline campaigns, the attribution refresh, settings.

Lead import (business cards of a trade show) = a validation pass that writes nothing (`lead_import_upload`),
then the import itself in Celery (`lead_import_execute`), one transaction per batch of cards. Cleaning,
matching and writing guests reuse the foundation's import machinery (`concierge.imports`: parsers, column
mapping, `LeadImporter` with its `GuestWriter` and the dedupe scorer); this module adds the campaign side:
one `CampaignLead` per card (what it became and why) and one `CampaignTouch(kind="lead")`.

Attribution refresh = a few set-based SQL statements that rebuild `StayAttribution` and
`ContractAttribution` inside one transaction (see `attribution_refresh`).
"""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.attribution.choices import AttributionRule, LeadImportStatus, LeadOutcome
from concierge.attribution.models import (
    AttributionSettings,
    CampaignLead,
    ContractAttribution,
    LeadImport,
    StayAttribution,
)
from concierge.campaigns.models import Campaign, CampaignTouch, TouchKind
from concierge.core.security import validate_upload
from concierge.imports.choices import ImportKind, MatchMode
from concierge.imports.importers.base import ImportContext, ImportSummary, chunks
from concierge.imports.importers.leads import LeadImporter
from concierge.imports.mapping import ColumnMapping, build_mapping, normalise_header
from concierge.imports.matching import Found, GuestMatcher, review_threshold
from concierge.imports.parsers import read_table
from concierge.imports.values import Issue, RowReader
from concierge.stays.choices import PRODUCTIVE_STATUSES

logger = logging.getLogger(__name__)

BATCH_SIZE = 500  # cards per transaction (and per progress step)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
STORED_ERRORS = 500
STORED_MATCHES = 200

# Touch kinds that credit a stay or contract; bounced and unsubscribed never do.
COUNTING_KINDS = (TouchKind.SENT, TouchKind.DELIVERED, TouchKind.OPENED, TouchKind.CLICKED, TouchKind.RESPONDED,
                  TouchKind.LEAD)
# Contract statuses that mean "was signed".
SIGNED_CONTRACT_STATUSES = ("signed", "active", "expired", "terminated")

# A card's province has no column in the foundation's lead mapping: read it beside it.
_PROVINCE_HEADERS = {normalise_header(h) for h in ("province", "state", "province / state", "省", "省份")}


def field_label(name: str) -> str:
    """The user's word for a card column in error messages."""
    labels = {
        "external_ref": _("card id"), "full_name": _("name"), "family_name": _("family name"),
        "given_name": _("given name"), "phone": _("mobile"), "email": _("email"), "company": _("company"),
        "title": _("title"), "province": _("province"), "city": _("city"), "notes": _("notes"),
    }
    return str(labels.get(name, name))


# --- settings ---------------------------------------------------------------------------------------------------


def attribution_settings_update(*, actor: Any, by_guest: bool, by_company: bool,
                                lead_window_days: int) -> AttributionSettings:
    """Change the group-wide rules; the tables are rebuilt after commit so figures follow at once."""
    if not 1 <= int(lead_window_days) <= 3650:
        raise ValidationError({"lead_window_days": [_("Enter a number of days between 1 and 3650.")]})
    with transaction.atomic():
        obj = AttributionSettings.load()
        obj.by_guest, obj.by_company, obj.lead_window_days = by_guest, by_company, int(lead_window_days)
        obj.updated_by = actor if getattr(actor, "pk", None) else None
        obj.save()
        attribution_refresh_request()
    return obj


# --- lead import: reading and validation ------------------------------------------------------------------------


@dataclass
class ParsedCards:
    """The cards of a file, cleaned: good rows ready for the writer, and every error by row and field."""

    rows_total: int = 0
    rows: list[Any] = field(default_factory=list)  # GuestRow, with .extra["province"]
    errors: list[Issue] = field(default_factory=list)
    mapping: ColumnMapping | None = None

    @property
    def invalid_rows(self) -> int:
        return len({i.row for i in self.errors})


def _context(*, actor: Any, campaign: Campaign, threshold: float | None = None) -> ImportContext:
    source = f"lead:{campaign.pk}"
    summary = ImportSummary(kind=ImportKind.LEADS, source=source, match_mode=MatchMode.LINK)
    return ImportContext(actor=actor, source=source, match_mode=MatchMode.LINK, summary=summary,
                         threshold=review_threshold() if threshold is None else threshold,
                         holding_property=campaign.property,
                         campaign_tag=campaign.name[:60])


def parse_cards(*, data: bytes, file_name: str, importer: LeadImporter | None = None,
                campaign: Campaign | None = None) -> ParsedCards:
    """Read and check every card without touching the database. Raises ValidationError for a bad file.

    A row is an error when the foundation's lead reader rejects it (no name, a name too long), when the card id is
    missing or repeated in the file, or when a mobile or email cannot be read: those are the keys duplicates are
    found by, so a card with an unreadable one would risk a silent duplicate.
    """
    table = read_table(data=data, file_name=file_name)
    mapping = build_mapping(table.headers, kind=ImportKind.LEADS)
    province_at = next((i for i, h in enumerate(table.headers) if normalise_header(h) in _PROVINCE_HEADERS), None)
    if importer is None:
        # Reading a row touches no table: the threshold only matters when writing.
        importer = LeadImporter(_context(actor=None, campaign=campaign or Campaign(name="-"), threshold=1.0), mapping)
    parsed = ParsedCards(mapping=mapping)
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        parsed.rows_total += 1
        reader = RowReader(number, mapping.row_values(cells))
        row = importer.read_row(reader) if reader.ok else None
        errors = list(reader.errors)
        card_id = reader.text("external_ref", 100, strict=True) if "external_ref" in mapping.fields else ""
        if not card_id and not any(e.field == "external_ref" for e in errors):
            errors.append(Issue(number, "external_ref", _("The card id is missing."), "required"))
        elif card_id in seen:
            errors.append(Issue(number, "external_ref", _("The card id “%(id)s” is also on row %(row)s.")
                                % {"id": card_id, "row": seen[card_id]}, "repeated_ref", card_id))
        else:
            seen[card_id] = number
        for issue in reader.warnings:
            if issue.field in ("phone", "email") and issue.code == "unreadable":
                errors.append(Issue(number, issue.field, issue.message, "invalid", issue.raw))
        if errors or row is None:
            parsed.errors.extend(errors)
            continue
        province = str(cells[province_at]).strip()[:100] if province_at is not None and province_at < len(cells) \
            else ""
        if province:
            row.values["province"] = province
        parsed.rows.append(row)
    return parsed


def _store_upload(data: bytes, name: str) -> str:
    from concierge.imports.services import work_dir

    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in (".csv", ".xlsx", ".txt") else ".bin"
    path = work_dir() / f"leads-{uuid.uuid4().hex}{suffix}"
    path.write_bytes(data)
    return str(path)


def _errors_json(errors: list[Issue]) -> list[dict[str, Any]]:
    return [{"row": i.row, "field": i.field, "label": field_label(i.field), "message": i.message, "raw": i.raw[:80]}
            for i in sorted(errors, key=lambda e: (e.row, e.field))[:STORED_ERRORS]]


def lead_import_upload(*, actor: Any, campaign: Campaign, upload: Any, file_name: str = "",
                       enqueue: bool = True) -> LeadImport:
    """Validate an uploaded card file against an offline campaign and, when every row is good, queue the import.

    Nothing but the `LeadImport` row is written here. A file with row errors is kept (status "invalid", errors by
    row and field) so the user can fix it, or import only the good rows with `lead_import_start(skip_invalid=True)`.
    `enqueue=False` leaves a good file queued for the caller to run (`lead_import_execute`, as seed commands do).
    Raises ValidationError({"file": ...}) for an unreadable file and ({"campaign": ...}) for a message campaign.
    """
    if not campaign.is_offline:
        raise ValidationError({"campaign": [_("Leads are imported into offline campaigns (trade shows, events).")]})
    if isinstance(upload, bytes):
        data = upload
    else:
        if (getattr(upload, "size", 0) or 0) > MAX_UPLOAD_BYTES:
            raise ValidationError({"file": [_("The file is larger than %(mb)s MB.")
                                            % {"mb": MAX_UPLOAD_BYTES // 2**20}]})
        if getattr(upload, "name", None) and hasattr(upload, "read"):  # an uploaded file, not bytes/a path
            validate_upload(upload, allowed_extensions=("csv", "txt", "xlsx", "xlsm"), max_bytes=MAX_UPLOAD_BYTES)
        data = upload.read()
        file_name = file_name or getattr(upload, "name", "") or ""
    try:
        parsed = parse_cards(data=data, file_name=file_name, campaign=campaign)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    if parsed.rows_total == 0:
        raise ValidationError({"file": [_("The file has no cards.")]})
    status = LeadImportStatus.INVALID if parsed.errors else LeadImportStatus.QUEUED
    lead_import = LeadImport.objects.create(
        campaign=campaign, status=status, file_name=file_name[:255], file_path=_store_upload(data, file_name),
        rows_total=parsed.rows_total, rows_invalid=parsed.invalid_rows, error_count=parsed.invalid_rows,
        errors=_errors_json(parsed.errors), created_by=actor if getattr(actor, "pk", None) else None,
    )
    if status == LeadImportStatus.QUEUED and enqueue:
        _enqueue(lead_import)
    return lead_import


def lead_import_start(*, actor: Any, lead_import: LeadImport) -> LeadImport:
    """Import the good rows of a file that had errors (the bad ones are skipped and reported)."""
    claimed = LeadImport.objects.filter(pk=lead_import.pk, status=LeadImportStatus.INVALID).exclude(
        file_path="").update(status=LeadImportStatus.QUEUED, skip_invalid=True)
    if not claimed:
        raise ValidationError(_("This import is already running or finished."), code="already_run")
    lead_import.refresh_from_db()
    _enqueue(lead_import)
    return lead_import


def _enqueue(lead_import: LeadImport) -> None:
    def run() -> None:
        if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
            lead_import_execute(lead_import_id=lead_import.pk)
            return
        from concierge.attribution.tasks import run_lead_import

        run_lead_import.delay(lead_import.pk)

    transaction.on_commit(run)


def lead_uploads_purge(*, older_than_days: int = 7) -> int:
    """Delete stored files of lead imports that were refused and never imported (they hold personal data)."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    stale = LeadImport.objects.filter(status=LeadImportStatus.INVALID, created_at__lt=cutoff).exclude(file_path="")
    paths = list(stale.values_list("file_path", flat=True))
    for path in paths:
        Path(path).unlink(missing_ok=True)
    stale.update(file_path="")
    return len(paths)


# --- lead import: the import ------------------------------------------------------------------------------------


class _RecordingMatcher(GuestMatcher):
    """The foundation's matcher, remembering what it found per row so the report can say why a card matched."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.found: dict[int, list[Found]] = {}

    def find(self, probes: Any) -> list[list[Found]]:
        results = super().find(probes)
        for probe, found in zip(probes, results):
            self.found[id(probe)] = found
        return results


_STRONG_LABELS = {"phone": gettext_noop("same mobile"), "email": gettext_noop("same email"),
                  "id_number": gettext_noop("same ID number"), "external_ref": gettext_noop("same reference")}


def _match_reason(found: Found | None) -> str:
    if found is None:
        return _("imported before with the same card id")
    key = _(_STRONG_LABELS.get(found.strong, gettext_noop("similar profile")))
    return (_("%(key)s as guest #%(id)s (%(evidence)s)")
            % {"key": key, "id": found.guest_id, "evidence": found.match.text() or "—"})[:300]


def campaign_touch_time(campaign: Campaign) -> datetime:
    """When a campaign's leads were collected: its start date (noon, local time), else when it was created."""
    day = campaign.starts_on or campaign.ends_on
    if day is None:
        return campaign.created_at
    return timezone.make_aware(datetime.combine(day, dtime(12, 0)))


def _lock_campaign(campaign_id: int) -> None:
    """One batch of one campaign at a time (PostgreSQL); SQLite's IMMEDIATE transactions already serialise."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"concierge-leads:{campaign_id}"])


def lead_import_execute(*, lead_import_id: int, refresh: bool = True) -> LeadImport | None:
    """Run a queued lead import (the Celery task's body). Idempotent: only a queued import is claimed.

    Each batch of cards commits on its own, so progress is visible while it runs and a failure keeps the batches
    already done; a run that is repeated skips the cards already recorded for the campaign (unique card id), and
    touches are keyed by campaign and card id, so nothing is doubled.
    """
    claimed = LeadImport.objects.filter(pk=lead_import_id, status=LeadImportStatus.QUEUED).update(
        status=LeadImportStatus.RUNNING, started_at=timezone.now())
    if not claimed:
        return None
    lead_import = LeadImport.objects.select_related("campaign", "campaign__property", "created_by").get(
        pk=lead_import_id)
    language = getattr(lead_import.created_by, "language", None) or settings.LANGUAGE_CODE
    started = time.perf_counter()
    try:
        with translation.override(language):
            summary = _run(lead_import)
    except Exception as exc:  # noqa: BLE001 - the job records why; committed batches stay (re-run skips them)
        logger.exception("lead import %s failed", lead_import_id)
        LeadImport.objects.filter(pk=lead_import_id).update(
            status=LeadImportStatus.FAILED, finished_at=timezone.now(),
            error=_("The import stopped: %(error)s") % {"error": str(exc)[:500]})
    else:
        summary["seconds"] = round(time.perf_counter() - started, 2)
        LeadImport.objects.filter(pk=lead_import_id).update(
            status=LeadImportStatus.SUCCEEDED, finished_at=timezone.now(), summary=summary)
        if refresh:
            attribution_refresh_request()
    Path(lead_import.file_path).unlink(missing_ok=True)
    LeadImport.objects.filter(pk=lead_import_id).update(file_path="")
    lead_import.refresh_from_db()
    return lead_import


def _run(lead_import: LeadImport) -> dict[str, Any]:
    campaign = lead_import.campaign
    ctx = _context(actor=lead_import.created_by, campaign=campaign)
    data = Path(lead_import.file_path).read_bytes()
    table = read_table(data=data, file_name=lead_import.file_name)
    mapping = build_mapping(table.headers, kind=ImportKind.LEADS)
    importer = LeadImporter(ctx, mapping)
    matcher = _RecordingMatcher(user=ctx.user, source=ctx.source, threshold=ctx.threshold, contact_keys=True)
    importer.writer.matcher = matcher
    parsed = parse_cards(data=data, file_name=lead_import.file_name, importer=importer)
    if parsed.errors and not lead_import.skip_invalid:
        raise ValidationError(_("The file has rows with errors."))
    occurred_at = campaign_touch_time(campaign)
    matches: list[dict[str, Any]] = []
    for batch in chunks(parsed.rows, BATCH_SIZE):
        counts = {"created": 0, "matched": 0, "skipped": 0, "errors": 0}
        with transaction.atomic():
            _lock_campaign(campaign.pk)
            known = set(CampaignLead.objects.filter(campaign=campaign, card_id__in=[r.ref for r in batch])
                        .values_list("card_id", flat=True))
            fresh = [r for r in batch if r.ref not in known]
            counts["skipped"] = len(batch) - len(fresh)
            matcher.found.clear()
            rejected_before = len(ctx.summary.rejected)
            importer.write(fresh)
            counts["errors"] = len(ctx.summary.rejected) - rejected_before
            leads: list[CampaignLead] = []
            touches: list[CampaignTouch] = []
            for row in fresh:
                if row.guest is None or row.outcome == "rejected":
                    continue
                company_id = row.values.get("company_id")
                if row.outcome == "created":
                    outcome = LeadOutcome.CREATED
                    reason = ""
                    if row.flags:
                        flag = row.flags[0]
                        reason = (_("possible duplicate of guest #%(id)s, sent to the duplicate review queue "
                                    "(%(evidence)s)") % {"id": flag.guest_id or "—",
                                                         "evidence": flag.match.text() or "—"})[:300]
                elif row.attached_to is not None:
                    outcome = LeadOutcome.MATCHED
                    reason = _("same person as row %(row)s of this file") % {"row": row.attached_to.row}
                else:
                    outcome = LeadOutcome.MATCHED
                    strong = [f for f in matcher.found.get(id(row.probe), []) if f.strong and f.guest_id]
                    reason = _match_reason(strong[0] if strong else None)
                counts["created" if outcome == LeadOutcome.CREATED else "matched"] += 1
                key = f"lead:{campaign.pk}:{row.ref}"[:200]
                touches.append(CampaignTouch(campaign=campaign, guest=row.guest, company_id=company_id,
                                             kind=TouchKind.LEAD, occurred_at=occurred_at, dedupe_key=key,
                                             detail=_("business card, row %(row)s") % {"row": row.row}))
                leads.append(CampaignLead(campaign=campaign, lead_import=lead_import, row=row.row, card_id=row.ref,
                                          guest=row.guest, company_id=company_id, outcome=outcome, reason=reason,
                                          touch_id=None))
                if outcome == LeadOutcome.MATCHED and len(matches) < STORED_MATCHES:
                    matches.append({"row": row.row, "card_id": row.ref, "guest": row.guest.pk, "reason": reason})
            CampaignTouch.objects.bulk_create(touches, batch_size=1000, ignore_conflicts=True)
            touch_ids = dict(CampaignTouch.objects.filter(dedupe_key__in=[t.dedupe_key for t in touches])
                             .values_list("dedupe_key", "id"))
            for lead in leads:
                lead.touch_id = touch_ids.get(f"lead:{campaign.pk}:{lead.card_id}"[:200])
            CampaignLead.objects.bulk_create(leads, batch_size=1000)
            LeadImport.objects.filter(pk=lead_import.pk).update(
                rows_done=F("rows_done") + len(batch), created_count=F("created_count") + counts["created"],
                matched_count=F("matched_count") + counts["matched"],
                skipped_count=F("skipped_count") + counts["skipped"],
                error_count=F("error_count") + counts["errors"])
    extra = dict(ctx.summary.extra)
    write_errors = _errors_json(ctx.summary.rejected)
    if write_errors:
        LeadImport.objects.filter(pk=lead_import.pk).update(errors=lead_import.errors + write_errors)
    return {"matches": matches, "companies_created": extra.get("companies_created", 0),
            "contacts_created": extra.get("contacts_created", 0), "review_pairs": extra.get("review_pairs", 0)}


# --- attribution refresh ----------------------------------------------------------------------------------------


def _day(expr: str) -> str:
    """SQL for the day number of a date or (UTC) datetime column, comparable by subtraction on both databases."""
    if connection.vendor == "postgresql":
        return f"(CAST({expr} AS date) - DATE '2000-01-01')"
    return f"CAST(julianday(date({expr})) AS INTEGER)"


def _in(values: Any) -> tuple[str, list[str]]:
    values = [str(v) for v in values]
    return ", ".join(["%s"] * len(values)), values


def attribution_refresh_request() -> None:
    """Queue a refresh after the current transaction commits (a lead import, a settings change, the button)."""
    AttributionSettings.objects.filter(pk=AttributionSettings.load().pk).update(refresh_requested_at=timezone.now())

    def run() -> None:
        if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
            attribution_refresh()
            return
        from concierge.attribution.tasks import refresh_attribution

        refresh_attribution.delay()

    transaction.on_commit(run)


def attribution_refresh() -> dict[str, Any]:
    """Rebuild StayAttribution and ContractAttribution in the database (a DELETE and an INSERT … SELECT each).

    Rule (docs/attribution.md): for each productive stay (in house, checked out), the candidates are
    1. touches of a counting kind on the stay's guest (when attribution by guest is on),
    2. such touches on the stay's billing company or the guest's company (when attribution by company is on),
    3. the lead touch of a campaign whose card *created* the guest, within the longer lead window;
    each on or before the arrival day and, for 1 and 2, within the campaign's attribution window. The candidate with
    the best rule (1 before 2 before 3) and then the latest touch wins. Days compare as UTC dates.
    """
    started = time.perf_counter()
    conf = AttributionSettings.load()
    now = timezone.now()
    stay_statuses, stay_params = _in(PRODUCTIVE_STATUSES)
    kinds, kind_params = _in(COUNTING_KINDS)
    touch_day, arrival_day = _day("t.occurred_at"), _day("s.arrival")
    window = f"{touch_day} <= {arrival_day} AND {arrival_day} - {touch_day} <= cp.attribution_window_days"
    branches: list[str] = []
    params: list[Any] = []
    base = (f"FROM stays_stay s {{join}} JOIN campaigns_campaign cp ON cp.id = t.campaign_id "
            f"WHERE s.status IN ({stay_statuses}) AND t.kind IN ({kinds}) AND {window}")
    select = "SELECT s.id AS stay_id, t.campaign_id AS campaign_id, t.id AS touch_id, '{rule}' AS rule, " \
             "{prio} AS prio, t.occurred_at AS touched_at "
    if conf.by_guest:
        branches.append(select.format(rule=AttributionRule.GUEST.value, prio=1)
                        + base.format(join="JOIN campaigns_campaigntouch t ON t.guest_id = s.guest_id"))
        params += stay_params + kind_params
    if conf.by_company:
        branches.append(select.format(rule=AttributionRule.COMPANY.value, prio=2)
                        + base.format(join="JOIN campaigns_campaigntouch t ON t.company_id = s.company_id"))
        params += stay_params + kind_params
        branches.append(select.format(rule=AttributionRule.COMPANY.value, prio=2)
                        + base.format(join="JOIN guests_guest g ON g.id = s.guest_id "
                                           "JOIN campaigns_campaigntouch t ON t.company_id = g.company_id"))
        params += stay_params + kind_params
    branches.append(
        select.format(rule=AttributionRule.LEAD.value, prio=3)
        + "FROM stays_stay s JOIN attribution_campaignlead l ON l.guest_id = s.guest_id AND l.outcome = %s "
          "JOIN campaigns_campaigntouch t ON t.id = l.touch_id "
          f"WHERE s.status IN ({stay_statuses}) AND {touch_day} <= {arrival_day} "
          f"AND {arrival_day} - {touch_day} <= %s")
    params += [LeadOutcome.CREATED.value, *stay_params, conf.lead_window_days]
    stay_sql = f"""
        INSERT INTO attribution_stayattribution
            (stay_id, campaign_id, touch_id, guest_id, rule, is_first_stay, arrival, room_nights, revenue, computed_at)
        SELECT w.stay_id, w.campaign_id, w.touch_id, s.guest_id, w.rule,
               CASE WHEN f.n = 1 THEN 1 ELSE 0 END = 1, s.arrival, s.room_nights,
               s.room_revenue + s.fnb_revenue + s.other_revenue, %s
        FROM (
            SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.stay_id
                                           ORDER BY c.prio, c.touched_at DESC, c.touch_id DESC) AS rn
            FROM ({" UNION ALL ".join(branches)}) c
        ) w
        JOIN stays_stay s ON s.id = w.stay_id
        LEFT JOIN (
            SELECT id, ROW_NUMBER() OVER (PARTITION BY guest_id ORDER BY arrival, id) AS n
            FROM stays_stay WHERE guest_id IS NOT NULL AND status IN ({stay_statuses})
        ) f ON f.id = s.id
        WHERE w.rn = 1
    """  # noqa: S608 - only placeholders and fixed names are interpolated
    stay_params_all = [now, *params, *stay_params]
    contracts = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM attribution_stayattribution")
            cursor.execute(stay_sql, stay_params_all)
            cursor.execute("DELETE FROM attribution_contractattribution")
            contract_model = _contract_model()
            if contract_model is not None:
                signed, signed_params = _in(SIGNED_CONTRACT_STATUSES)
                signed_day = _day("k.signed_on")
                cursor.execute(f"""
                    INSERT INTO attribution_contractattribution
                        (contract_id, campaign_id, touch_id, company_id, signed_on, room_night_commitment, computed_at)
                    SELECT contract_id, campaign_id, touch_id, company_id, signed_on, rnc, %s FROM (
                        SELECT k.id AS contract_id, t.campaign_id AS campaign_id, t.id AS touch_id,
                               k.company_id AS company_id, k.signed_on AS signed_on,
                               COALESCE(k.room_night_commitment, 0) AS rnc,
                               ROW_NUMBER() OVER (PARTITION BY k.id ORDER BY t.occurred_at DESC, t.id DESC) AS rn
                        FROM {connection.ops.quote_name(contract_model._meta.db_table)} k
                        JOIN campaigns_campaigntouch t ON t.company_id = k.company_id
                        JOIN campaigns_campaign cp ON cp.id = t.campaign_id
                        WHERE k.signed_on IS NOT NULL AND k.status IN ({signed}) AND t.kind IN ({kinds})
                          AND {touch_day} <= {signed_day}
                          AND {signed_day} - {touch_day} <= cp.attribution_window_days
                    ) x WHERE x.rn = 1
                """, [now, *signed_params, *kind_params])  # noqa: S608
                contracts = ContractAttribution.objects.count()
        stays = StayAttribution.objects.count()
        seconds = time.perf_counter() - started
        AttributionSettings.objects.filter(pk=conf.pk).update(refreshed_at=now, refresh_seconds=round(seconds, 3))
    return {"stays": stays, "contracts": contracts, "seconds": round(seconds, 3)}


def _contract_model() -> Any:
    """contracts.Contract when that app is installed and migrated, else None (attribution works without it)."""
    try:
        model = apps.get_model("contracts", "Contract")
    except LookupError:
        return None
    fields = {f.name for f in model._meta.concrete_fields}
    if not {"company", "signed_on", "status"} <= fields:
        return None
    if model._meta.db_table not in connection.introspection.table_names():
        return None
    return model
