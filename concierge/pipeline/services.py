"""Writes of the pipeline: opportunities (create, update, move stage, win, lose), stages and sales targets.

Every stage move is optimistic: the caller passes the `version` it showed the user. The row is locked
(`select_for_update`), the version compared, and a stale move refused with a clear message, so two people dragging
the same card cannot silently overwrite each other. Each change writes the company timeline and a StageChange row.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.core.choices import ActivityKind
from concierge.core.i18n import LocalizedText
from concierge.core.services import activity_log
from concierge.guests.services import StaleVersionError
from concierge.pipeline.choices import LostReason, OpportunityStatus
from concierge.pipeline.models import Opportunity, SalesTarget, Stage, StageChange

ACTIVITY_KIND = ActivityKind.NOTE

DEFAULT_STAGES = (
    # name_en, name_zh, probability, is_won, is_lost
    ("Lead", "线索", 10, False, False),
    ("Qualified", "已确认需求", 25, False, False),
    ("Proposal", "方案报价", 50, False, False),
    ("Negotiation", "谈判", 75, False, False),
    ("Won", "赢单", 100, True, False),
    ("Lost", "输单", 0, False, True),
)


class StaleVersion(StaleVersionError):
    """The opportunity changed since the user loaded it (the API answers 409 "stale_version")."""


def stages_ensure_default() -> list[Stage]:
    """Create the default stages when no stage exists yet (idempotent)."""
    if not Stage.objects.exists():
        Stage.objects.bulk_create([
            Stage(name_en=en, name_zh=zh, order=(i + 1) * 10, default_probability=p, is_won=won, is_lost=lost)
            for i, (en, zh, p, won, lost) in enumerate(DEFAULT_STAGES)
        ])
    return list(Stage.objects.all())


def _log(*, actor: Any, opportunity: Opportunity, msgid: str, params: dict[str, Any]) -> None:
    activity_log(actor=actor, kind=ACTIVITY_KIND, company=opportunity.company, property=opportunity.property,
                 summary=LocalizedText(msgid, params), data={"opportunity_id": opportunity.pk})


def _first_open_stage() -> Stage:
    stage = Stage.objects.filter(is_active=True, is_won=False, is_lost=False).order_by("order", "id").first()
    if stage is None:
        raise ValidationError({"stage": _("No open pipeline stage is configured.")})
    return stage


def opportunity_create(
    *,
    actor: Any,
    title: str,
    company: Any,
    owner: Any,
    value: Decimal = Decimal("0"),
    currency: str = "CNY",
    stage: Stage | None = None,
    probability: int | None = None,
    expected_close: dt.date | None = None,
    contact: Any = None,
    property: Any = None,  # noqa: A002
    notes: str = "",
) -> Opportunity:
    """Open a new opportunity in `stage` (default: the first open stage); probability defaults to the stage's."""
    stage = stage or _first_open_stage()
    if stage.is_won or stage.is_lost:
        raise ValidationError({"stage": _("A new opportunity must start in an open stage.")})
    if not title.strip():
        raise ValidationError({"title": _("Enter a title.")})
    if value is None or Decimal(value) < 0:
        raise ValidationError({"value": _("Value cannot be negative.")})
    if probability is not None and not 0 <= probability <= 100:
        raise ValidationError({"probability": _("Probability must be between 0 and 100.")})
    if contact is not None and contact.company_id != company.pk:
        raise ValidationError({"contact": _("The contact does not work at this company.")})
    with transaction.atomic():
        opportunity = Opportunity.objects.create(
            title=title.strip(), company=company, owner=owner, origin_owner=owner, value=value, currency=currency,
            stage=stage, probability=stage.default_probability if probability is None else probability,
            expected_close=expected_close, contact=contact, property=property, notes=notes,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        StageChange.objects.create(opportunity=opportunity, from_stage=None, to_stage=stage,
                                   changed_by=opportunity.created_by)
        _log(actor=actor, opportunity=opportunity, msgid=gettext_noop("Opportunity opened: %(title)s"),
             params={"title": opportunity.title})
    return opportunity


UPDATABLE = ("title", "value", "currency", "probability", "expected_close", "contact", "property", "notes", "owner")


def opportunity_update(*, actor: Any, opportunity: Opportunity, version: int, **changes: Any) -> Opportunity:
    """Edit the fields of an opportunity (not its stage or status), refusing a stale version."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        locked = _lock(opportunity, version)
        for name, value in changes.items():
            setattr(locked, name, value)
        if "probability" in changes and not 0 <= int(locked.probability) <= 100:
            raise ValidationError({"probability": _("Probability must be between 0 and 100.")})
        if "value" in changes and Decimal(locked.value) < 0:
            raise ValidationError({"value": _("Value cannot be negative.")})
        if locked.contact_id and locked.contact.company_id != locked.company_id:
            raise ValidationError({"contact": _("The contact does not work at this company.")})
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db()
        _log(actor=actor, opportunity=locked, msgid=gettext_noop("Opportunity updated: %(title)s"),
             params={"title": locked.title})
    return locked


def _lock(opportunity: Opportunity, version: int | None) -> Opportunity:
    # of=("self",): the stage join is an outer join, which PostgreSQL cannot lock.
    locked = (Opportunity.objects.select_for_update(of=("self",)).select_related("stage", "company")
              .get(pk=opportunity.pk))
    if version is not None and int(version) != locked.version:
        raise StaleVersion(
            _("Someone else changed this opportunity meanwhile (version %(seen)s, now %(now)s). "
              "Reload the page and try again.") % {"seen": version, "now": locked.version},
            code="stale_version",
        )
    return locked


def opportunity_move(
    *,
    actor: Any,
    opportunity: Opportunity,
    stage: Stage,
    version: int | None,
    lost_reason: str = "",
    lost_reason_text: str = "",
    on: dt.date | None = None,
) -> Opportunity:
    """Move an opportunity to `stage`. Moving to a won stage wins it, to a lost stage loses it (reason required);
    moving a closed opportunity back to an open stage reopens it. Probability follows the stage's default."""
    if stage.is_lost and lost_reason not in LostReason.values:
        raise ValidationError({"lost_reason": _("Choose why the opportunity was lost.")})
    if stage.is_lost and lost_reason == LostReason.OTHER and not lost_reason_text.strip():
        raise ValidationError({"lost_reason_text": _("Describe the reason when choosing “Other”.")})
    if not stage.is_active:
        raise ValidationError({"stage": _("This stage is no longer in use.")})
    with transaction.atomic():
        locked = _lock(opportunity, version)
        previous = locked.stage
        if previous is not None and previous.pk == stage.pk:
            return locked
        locked.stage = stage
        locked.probability = stage.default_probability
        if stage.is_won:
            locked.status, locked.closed_on = OpportunityStatus.WON, on or timezone.localdate()
            locked.lost_reason, locked.lost_reason_text = "", ""
            locked.probability = 100
            msgid = gettext_noop("Opportunity won: %(title)s")
        elif stage.is_lost:
            locked.status, locked.closed_on = OpportunityStatus.LOST, on or timezone.localdate()
            locked.lost_reason, locked.lost_reason_text = lost_reason, lost_reason_text.strip()[:300]
            locked.probability = 0
            msgid = gettext_noop("Opportunity lost: %(title)s")
        else:
            locked.status, locked.closed_on = OpportunityStatus.OPEN, None
            locked.lost_reason, locked.lost_reason_text = "", ""
            msgid = gettext_noop("Opportunity moved to %(stage)s: %(title)s")
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db()
        StageChange.objects.create(opportunity=locked, from_stage=previous, to_stage=stage,
                                   changed_by=actor if getattr(actor, "pk", None) else None)
        _log(actor=actor, opportunity=locked, msgid=msgid, params={"title": locked.title, "stage": stage.name_en})
    return locked


def _terminal_stage(*, won: bool) -> Stage:
    stage = Stage.objects.filter(is_active=True, **({"is_won": True} if won else {"is_lost": True})).first()
    if stage is None:
        raise ValidationError({"stage": _("No won stage is configured.") if won else _("No lost stage is configured.")})
    return stage


def opportunity_win(*, actor: Any, opportunity: Opportunity, version: int | None,
                    on: dt.date | None = None) -> Opportunity:
    """Mark the opportunity won (moves it to the won stage)."""
    return opportunity_move(actor=actor, opportunity=opportunity, stage=_terminal_stage(won=True), version=version,
                            on=on)


def opportunity_lose(*, actor: Any, opportunity: Opportunity, version: int | None, lost_reason: str,
                     lost_reason_text: str = "", on: dt.date | None = None) -> Opportunity:
    """Mark the opportunity lost with a reason (moves it to the lost stage)."""
    return opportunity_move(actor=actor, opportunity=opportunity, stage=_terminal_stage(won=False), version=version,
                            lost_reason=lost_reason, lost_reason_text=lost_reason_text, on=on)


def sales_target_set(*, actor: Any, user: Any, month: dt.date, **values: Any) -> SalesTarget:
    """Create or replace a rep's targets for a month (`month` is normalised to its first day)."""
    allowed = {"revenue", "room_nights", "new_accounts", "contracts_signed", "visits", "pipeline_added", "won_value"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(_("Unknown target: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    for name, value in values.items():
        if value is None or Decimal(value) < 0:
            raise ValidationError({name: _("A target cannot be negative.")})
    target, _created = SalesTarget.objects.update_or_create(
        user=user, month=month.replace(day=1),
        defaults={**values, "updated_by": actor if getattr(actor, "pk", None) else None},
    )
    return target
