"""Company rows (accounts).

Re-import: companies this source created (same `external_ref`) are updated with the file's non-empty
values. Matching: the same front-desk account number, or the same external reference from another
source, is a strong key — attached with `match="link"` (empty fields filled). The dedupe review queue
holds guest pairs only, so a company that merely shares its name with an existing one is created and
reported as a flagged warning naming the existing company; with `match="flag"` strong matches are
reported the same way instead of attached.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.core.choices import ActivityKind
from concierge.core.phones import phone_search_keys
from concierge.guests.choices import CompanyStatus, PaymentMethod, SearchKeyKind
from concierge.guests.models import Company, Industry, SearchKey
from concierge.guests.names import company_keys, has_cjk
from concierge.imports.importers.base import (
    BaseImporter,
    ImportContext,
    activity,
    chunks,
    insert_activities,
    lock_rows,
    tag_ids,
)
from concierge.imports.importers.stays import CHANNELS
from concierge.imports.values import Issue, RowReader, choice_table

PAYMENT_METHODS = choice_table(PaymentMethod.choices, {
    "挂账": "city_ledger", "月结": "city_ledger", "city ledger": "city_ledger", "credit": "city_ledger",
    "现付": "cash", "现金": "cash", "card": "cash", "预付": "prepaid", "prepay": "prepaid", "代金券": "voucher",
})
COMPANY_STATUSES = choice_table(CompanyStatus.choices, {
    "潜在": "prospect", "潜在客户": "prospect", "合作": "active", "合作中": "active", "有效": "active",
    "停用": "inactive", "无效": "inactive", "流失": "lost", "黑名单": "unsuitable",
})
_TEXT = {"name_zh": 200, "name_en": 200, "province": 100, "city": 100, "address": 300, "postcode": 20}
_url_validator = URLValidator()


def company_key_rows(company: Company) -> list[SearchKey]:
    """Search keys of a company — the same rows as `guests.services.company_search_keys_rebuild` writes,
    built in memory so many companies are keyed with one insert (a test keeps the two in step)."""
    rows = [SearchKey(kind=SearchKeyKind.COMPANY, key=k, company=company)
            for k in company_keys(name_zh=company.name_zh, name_en=company.name_en)]
    if company.phone:
        rows += [SearchKey(kind=SearchKeyKind.PHONE, key=k, company=company) for k in phone_search_keys(company.phone)]
    if company.account_number:
        rows.append(SearchKey(kind=SearchKeyKind.COMPANY, key=company.account_number.lower()[:120], company=company))
    return rows


@dataclass(eq=False)
class CompanyRow:
    row: int
    ref: str
    values: dict[str, Any]
    tags: list[str] = field(default_factory=list)
    notes_lines: list[str] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    company: Company | None = None
    outcome: str = ""
    attached_to: "CompanyRow | None" = None  # a row earlier in the same batch with the same account number


class CompanyImporter(BaseImporter):
    kind = "companies"
    lookup_tables = ("guests_company", "guests_searchkey")

    def __init__(self, ctx: ImportContext, mapping: Any) -> None:
        super().__init__(ctx, mapping)
        self.industries: dict[str, int] = {}
        for pk, code, zh, en in Industry.objects.values_list("pk", "code", "name_zh", "name_en"):
            for name in (code, zh, en):
                self.industries.setdefault(name.strip().lower(), pk)

    def read_row(self, reader: RowReader) -> CompanyRow | None:
        values: dict[str, Any] = {}
        for name in ("name_zh", "name_en"):
            text = reader.text(name, _TEXT[name], strict=True)
            if text:
                values[name] = text
        generic = reader.text("name", 200, strict=True)
        if generic:
            values.setdefault("name_zh" if has_cjk(generic) else "name_en", generic)
        if reader.ok and not values:
            reader.reject("name", _("The row has no company name."), code="no_name")
        ref = reader.text("external_ref", 100, strict=True)
        account = reader.text("account_number", 40, strict=True)
        if not reader.ok:
            return None
        if account:
            values["account_number"] = account
        for name in ("province", "city", "address", "postcode"):
            text = reader.text(name, _TEXT[name])
            if text:
                values[name] = text
        country = reader.country("country")
        if country:
            values["country"] = country
        for name in ("phone", "fax"):
            numbers = reader.phones(name)
            if numbers:
                values[name] = numbers[0]
        emails = reader.emails("email")
        if emails:
            values["email"] = emails[0]
        homepage = reader.text("homepage", 200)
        if homepage:
            url = homepage if "://" in homepage else f"https://{homepage}"
            try:
                _url_validator(url)
                values["homepage"] = url
            except ValidationError:
                reader.kept_raw("homepage", homepage)
        industry = reader.raw("industry")
        if industry:
            if industry.lower() in self.industries:
                values["industry_id"] = self.industries[industry.lower()]
            else:
                reader.kept_raw("industry", industry)
        for name, table in (("channel", CHANNELS), ("payment_method", PAYMENT_METHODS), ("status", COMPANY_STATUSES)):
            value = reader.choice(name, table)
            if value:
                values[name] = value
        if values.get("status") in (CompanyStatus.LOST, CompanyStatus.UNSUITABLE):
            values["status_reason"] = _("Imported from %(source)s") % {"source": self.ctx.source}
        notes = reader.text("notes")
        if notes:
            values["notes"] = notes
        row = CompanyRow(row=reader.row, ref=ref, values=values, tags=reader.tags("tags"))
        for issue in reader.warnings:
            row.warnings.append(issue)
            if issue.raw:
                row.notes_lines.append(self.ctx.note_line(issue.field, issue.raw))
        return row

    # --- writing ---------------------------------------------------------------------------------------------

    def _visible(self, qs: Any) -> Any:
        return qs if self.ctx.user is None else qs.visible_to(self.ctx.user)

    def write(self, rows: list[CompanyRow]) -> None:
        ctx = self.ctx
        refs = sorted({r.ref for r in rows if r.ref})
        own = {c.external_ref: c for c in lock_rows(Company.objects.filter(source=ctx.source, external_ref__in=refs))}
        accounts = sorted({r.values["account_number"] for r in rows if r.values.get("account_number")})
        strong: dict[tuple[str, str], Company] = {}
        for company in self._visible(Company.objects.filter(
                Q(account_number__in=accounts) | Q(external_ref__in=refs) & ~Q(source=ctx.source))).order_by("pk"):
            if company.account_number in accounts:
                strong.setdefault(("account", company.account_number), company)
            if company.external_ref in refs and company.source != ctx.source:
                strong.setdefault(("ref", company.external_ref), company)
        names: dict[int, set[str]] = {}
        all_keys: set[str] = set()
        for row in rows:
            names[id(row)] = company_keys(name_zh=row.values.get("name_zh", ""), name_en=row.values.get("name_en", ""))
            all_keys |= names[id(row)]
        by_key: dict[str, list[int]] = defaultdict(list)
        for key, company_id in SearchKey.objects.filter(kind=SearchKeyKind.COMPANY, key__in=list(all_keys),
                                                        company__isnull=False).values_list("key", "company_id"):
            by_key[key].append(company_id)
        visible_similar = set(self._visible(Company.objects.filter(
            pk__in={i for ids in by_key.values() for i in ids})).values_list("pk", flat=True))

        new: list[CompanyRow] = []
        overwrite: list[CompanyRow] = []
        fill: list[CompanyRow] = []
        pending_accounts: dict[str, CompanyRow] = {}
        pending_keys: dict[str, CompanyRow] = {}
        for row in rows:
            if row.ref and row.ref in own:
                row.company = own[row.ref]
                overwrite.append(row)
                continue
            match = strong.get(("account", row.values.get("account_number", ""))) or strong.get(("ref", row.ref))
            pending = pending_accounts.get(row.values.get("account_number", ""))
            if match is not None or pending is not None:
                if ctx.link:
                    if match is not None:
                        row.company = match
                        row.outcome = "attached"
                        fill.append(row)
                    else:
                        assert pending is not None
                        for name, value in row.values.items():
                            pending.values.setdefault(name, value)
                        row.outcome = "attached"
                        row.company = None
                        row.attached_to = pending
                    continue
                other = match or pending
                self._flag(row, other)
            similar = sorted({i for k in names[id(row)] for i in by_key.get(k, ()) if i in visible_similar})
            if similar and not row.outcome:
                self._flag(row, Company.objects.get(pk=similar[0]))
            elif not row.outcome:
                twin = next((pending_keys[k] for k in names[id(row)] if k in pending_keys), None)
                if twin is not None:
                    self._flag(row, twin)
            row.outcome = row.outcome or "created"
            new.append(row)
            if row.values.get("account_number"):
                pending_accounts.setdefault(row.values["account_number"], row)
            for key in names[id(row)]:
                pending_keys.setdefault(key, row)
        self._create(new)
        self._update(overwrite, fill)
        for row in rows:
            if row.attached_to is not None:
                row.company = row.attached_to.company
            for issue in row.warnings:
                issue.target = row.company
            self.summary.warnings.extend(row.warnings)
            if row.outcome in ("created", "flagged"):
                self.summary.created += 1
                if row.outcome == "flagged":
                    self.summary.flagged += 1
            elif row.outcome == "attached":
                self.summary.attached += 1
            elif row.outcome == "updated":
                self.summary.updated += 1
            else:
                self.summary.unchanged += 1

    def _flag(self, row: CompanyRow, other: Any) -> None:
        label = str(other.company) if isinstance(other, CompanyRow) and other.company else (
            _("row %(row)s") % {"row": other.row} if isinstance(other, CompanyRow) else f"{other} (#{other.pk})")
        row.warnings.append(Issue(row.row, "name", _("Possible duplicate of company %(other)s; created anyway, please "
                                                     "review.") % {"other": label}, code="possible_duplicate"))
        row.outcome = "flagged"

    def _create(self, rows: list[CompanyRow]) -> None:
        if not rows:
            return
        ctx = self.ctx
        companies = []
        for row in rows:
            values = dict(row.values)
            if row.notes_lines:
                values["notes"] = "\n".join(filter(None, [values.get("notes", ""), *row.notes_lines]))
            row.company = Company(source=ctx.source, external_ref=row.ref, created_at=ctx.now, **values)
            companies.append(row.company)
        Company.objects.bulk_create(companies, batch_size=1000)
        Company.history.bulk_history_create(companies, default_user=ctx.actor_or_none, default_date=ctx.now,
                                            default_change_reason=f"import {ctx.source}"[:100])
        if ctx.holding_property is not None:
            through = Company.properties.through
            prop_id = ctx.holding_property.pk
            through.objects.bulk_create([through(company_id=c.pk, property_id=prop_id) for c in companies],
                                        ignore_conflicts=True)
        self._tags(rows, set())
        SearchKey.objects.bulk_create([k for c in companies for k in company_key_rows(c)], batch_size=2000)
        insert_activities([
            activity(msgid=gettext_noop("Company created by import from %(source)s"), params={"source": ctx.source},
                     actor=ctx.actor_or_none, kind=ActivityKind.PROFILE, company=row.company,
                     data={"event": "created", "import_batch": ctx.batch_id, "row": row.row}, occurred_at=ctx.now)
            for row in rows
        ])

    def _tags(self, rows: list[CompanyRow], existing: set[tuple[int, int]]) -> int:
        names = {t for r in rows for t in r.tags} | ({self.ctx.campaign_tag} if self.ctx.campaign_tag else set())
        ids = tag_ids(names)
        through = Company.tags.through
        links = []
        for row in rows:
            assert row.company is not None
            for tag in set(row.tags) | ({self.ctx.campaign_tag} if self.ctx.campaign_tag else set()):
                key = (row.company.pk, ids[tag])
                if key not in existing:
                    existing.add(key)
                    links.append(through(company_id=key[0], tag_id=key[1]))
                    row.outcome = row.outcome if row.outcome in ("attached", "created", "flagged") else "updated"
        through.objects.bulk_create(links, ignore_conflicts=True)
        return len(links)

    def _update(self, overwrite: list[CompanyRow], fill: list[CompanyRow]) -> None:
        rows = overwrite + fill
        if not rows:
            return
        ctx = self.ctx
        overwrite_ids = {id(r) for r in overwrite}
        changed: dict[int, Company] = {}
        fields: set[str] = set()
        rekey: set[int] = set()
        for row in rows:
            company = row.company
            assert company is not None
            diff = []
            for name, value in row.values.items():
                if name == "notes":
                    continue
                current = getattr(company, name)
                if current != value and (id(row) in overwrite_ids or current in ("", None)):
                    setattr(company, name, value)
                    diff.append(name)
            notes = company.notes
            for line in [row.values.get("notes", ""), *row.notes_lines]:
                if line and line not in notes:
                    notes = f"{notes}\n{line}" if notes else line
            if notes != company.notes:
                company.notes = notes
                diff.append("notes")
            if diff:
                changed[company.pk] = company
                fields.update(diff)
                if set(diff) & {"name_zh", "name_en", "phone", "account_number"}:
                    rekey.add(company.pk)
            if row.outcome != "attached":
                row.outcome = "updated" if diff else "unchanged"
        if changed:
            objs = list(changed.values())
            for company in objs:
                company.version += 1
                company.updated_at = ctx.now
            names = sorted({f.removesuffix("_id") for f in fields} | {"version", "updated_at"})
            Company.objects.bulk_update(objs, names, batch_size=500)
            Company.history.bulk_history_create(objs, update=True, default_user=ctx.actor_or_none, default_date=ctx.now,
                                                default_change_reason=f"import {ctx.source}"[:100])
        ids = [r.company.pk for r in rows if r.company is not None]
        through = Company.tags.through
        existing = set(through.objects.filter(company_id__in=ids).values_list("company_id", "tag_id"))
        self._tags(rows, existing)
        if ctx.holding_property is not None:
            props = Company.properties.through
            have = set(props.objects.filter(company_id__in=ids, property_id=ctx.holding_property.pk)
                       .values_list("company_id", flat=True))
            missing = [props(company_id=i, property_id=ctx.holding_property.pk) for i in set(ids) - have]
            props.objects.bulk_create(missing, ignore_conflicts=True)
            for row in rows:
                if row.company is not None and row.company.pk not in have and row.outcome == "unchanged":
                    row.outcome = "updated"
        if rekey:
            for chunk in chunks(sorted(rekey), 1000):
                SearchKey.objects.filter(company_id__in=chunk).delete()
            SearchKey.objects.bulk_create([k for pk in rekey for k in company_key_rows(changed[pk])], batch_size=2000)
        insert_activities([
            activity(msgid=gettext_noop("Company updated by import from %(source)s"), params={"source": ctx.source},
                     actor=ctx.actor_or_none, kind=ActivityKind.PROFILE, company=row.company, occurred_at=ctx.now,
                     data={"event": "import_" + row.outcome, "import_batch": ctx.batch_id, "row": row.row})
            for row in rows if row.outcome in ("updated", "attached")
        ])
