"""Writes for loyalty: enrolment, earning from stays (and reversing), redemption, adjustment, expiry, tiers.

Locking rule: every write that changes a member's ledger first locks the membership row (`select_for_update`);
when several members are involved they are locked in id order. The balance is then read as a SUM, so a
redemption and an expiry of the same member cannot both spend the same points.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from concierge.core.choices import ActivityKind
from concierge.core.i18n import LocalizedText
from concierge.core.models import Activity
from concierge.core.services import activity_log
from concierge.guests.models import Guest
from concierge.loyalty.choices import BonusKind, RedemptionStatus, TierChangeKind, TransactionKind
from concierge.loyalty.models import (
    BonusRule,
    Membership,
    PointTransaction,
    Programme,
    Redemption,
    Reward,
    Tier,
    TierChange,
)
from concierge.loyalty.selectors import WINDOW_MONTHS, membership_balance
from concierge.loyalty.signals import tier_changed
from concierge.stays.choices import StayStatus
from concierge.stays.models import Stay

logger = logging.getLogger(__name__)

# The timeline has no loyalty kind of its own yet; membership changes are profile changes of the guest.
ACTIVITY_KIND = ActivityKind.PROFILE
CHUNK = 5000


def _expiry(programme: Programme, day: dt.date) -> dt.date | None:
    return day + relativedelta(months=programme.expiry_months) if programme.expiry_months else None


def _tier_param(tier: Tier | None) -> Any:
    """Tier names in timeline entries render in the reader's language when the name has a translation."""
    return gettext_lazy(tier.name_en) if tier else "—"


def _lock_memberships(ids: list[int]) -> dict[int, Membership]:
    return {m.pk: m for m in Membership.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("pk")}


# --- enrolment ------------------------------------------------------------------------------------------------


def membership_enrol(*, actor: Any, guest: Guest, programme: Programme) -> Membership:
    """Enrol a guest (idempotent: an existing membership is returned). Starts on the entry tier."""
    existing = Membership.objects.filter(guest=guest).select_related("tier").first()
    if existing is not None:
        return existing
    entry = programme.tiers.order_by("order").first()
    if entry is None:
        raise ValidationError({"programme": [_("The programme has no tiers yet.")]})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            guest=guest, defaults={"programme": programme, "tier": entry, "number": f"M{guest.pk:09d}"})
        if created:
            Guest.objects.filter(pk=guest.pk).update(tier=entry.name_zh[:30])
            activity_log(actor=actor, kind=ACTIVITY_KIND, guest=guest,
                         summary=LocalizedText(gettext_noop("Joined the loyalty programme (%(number)s, %(tier)s)"),
                                               {"number": membership.number, "tier": _tier_param(entry)}),
                         data={"membership_id": membership.pk})
    return membership


# --- earning from stays -----------------------------------------------------------------------------------------


@dataclass
class Earning:
    """What a stay earns: base points (qualifying), bonus points (not qualifying), nights, and how."""

    base: int
    bonus: int
    nights: int
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def points(self) -> int:
        return self.base + self.bonus


def _stay_months(stay: Stay) -> set[int]:
    last_night = max(stay.departure - dt.timedelta(days=1), stay.arrival)
    months, day = set(), stay.arrival.replace(day=1)
    while day <= last_night:
        months.add(day.month)
        day += relativedelta(months=1)
    return months


def stay_earning(*, stay: Stay, programme: Programme) -> Earning:
    """The points a checked-out stay earns under the programme rules.

    Base = ⌊room revenue × room rate + F&B × F&B rate + other × other rate⌋ + nights × points per night.
    Each applicable bonus rule adds base × (multiplier − 1) + fixed points (rules add up; they do not compound).
    Campaigns apply when the departure date falls in their window (and at their property, if set); the
    first-stay bonus applies to the member's earliest checked-out stay; the birthday bonus when a night of the
    stay falls in the guest's birthday month.
    """
    revenue = (stay.room_revenue * programme.room_points_per_unit + stay.fnb_revenue * programme.fnb_points_per_unit
               + stay.other_revenue * programme.other_points_per_unit)
    nights = int(stay.room_nights or 0)
    by_revenue = int(Decimal(revenue).to_integral_value(rounding=ROUND_FLOOR))
    base = by_revenue + nights * programme.points_per_night
    detail: dict[str, Any] = {"revenue_points": by_revenue, "night_points": nights * programme.points_per_night,
                              "bonuses": []}
    bonus = 0
    for rule in programme.bonus_rules.filter(is_active=True):
        if not _bonus_applies(rule, stay):
            continue
        extra = int((base * (rule.multiplier - 1)).to_integral_value(rounding=ROUND_FLOOR)) + rule.fixed_points
        if extra:
            bonus += extra
            detail["bonuses"].append({"rule": rule.pk, "kind": rule.kind, "name": rule.name_en, "points": extra})
    return Earning(base=base, bonus=bonus, nights=nights, detail=detail)


def _bonus_applies(rule: BonusRule, stay: Stay) -> bool:
    if rule.kind == BonusKind.CAMPAIGN:
        if rule.property_id and rule.property_id != stay.property_id:
            return False
        if rule.starts_on and stay.departure < rule.starts_on:
            return False
        return not (rule.ends_on and stay.departure > rule.ends_on)
    if rule.kind == BonusKind.FIRST_STAY:
        first = (Stay.objects.filter(guest_id=stay.guest_id, status=StayStatus.CHECKED_OUT)
                 .order_by("departure", "id").values_list("pk", flat=True).first())
        return first == stay.pk
    if rule.kind == BonusKind.BIRTHDAY_MONTH:
        birthday = Guest.objects.filter(pk=stay.guest_id).values_list("birthday", flat=True).first()
        return bool(birthday and birthday.month in _stay_months(stay))
    return False


def _reverse(*, original: PointTransaction, actor: Any, reason: str) -> PointTransaction:
    return PointTransaction.objects.create(
        membership_id=original.membership_id, kind=TransactionKind.REVERSE, points=-original.points,
        qualifying_points=-original.qualifying_points, nights=-original.nights, occurred_on=original.occurred_on,
        stay_id=original.stay_id, reward_id=original.reward_id, reverses=original, reason=reason[:300],
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def stay_points_sync(*, stay_id: int, actor: Any = None) -> str:
    """Bring the ledger in line with one stay. Idempotent; safe to call after every save of a stay.

    Checked out → the stay's current earning is on the ledger exactly once (a changed amount, guest or rule
    outcome reverses the old earn row and writes a new one). Any other status → an earn row is reversed.
    Returns "earned", "corrected", "reversed" or "unchanged".
    """
    with transaction.atomic():
        stay = Stay.objects.select_related("property__group").filter(pk=stay_id).first()
        active = list(PointTransaction.objects.filter(stay_id=stay_id, kind=TransactionKind.EARN,
                                                      reversal__isnull=True))
        membership: Membership | None = None
        earning: Earning | None = None
        if stay is not None and stay.status == StayStatus.CHECKED_OUT and stay.guest_id:
            programme = Programme.objects.filter(group_id=stay.property.group_id, is_active=True).first()
            if programme is not None:
                membership = Membership.objects.filter(guest_id=stay.guest_id, programme=programme).first()
                if membership is None and programme.auto_enrol:
                    membership = membership_enrol(actor=actor, guest=stay.guest, programme=programme)
            if membership is not None:
                earning = stay_earning(stay=stay, programme=programme)
        locked = _lock_memberships([t.membership_id for t in active] + ([membership.pk] if membership else []))
        # Re-read under the lock: a concurrent call may have written the rows already.
        active = list(PointTransaction.objects.filter(stay_id=stay_id, kind=TransactionKind.EARN,
                                                      reversal__isnull=True))
        if earning is not None and membership is not None:
            same = [t for t in active if t.membership_id == membership.pk and t.points == earning.points
                    and t.qualifying_points == earning.base and t.nights == earning.nights]
            if same and len(active) == 1:
                return "unchanged"
        for row in active:
            _reverse(original=row, actor=actor,
                     reason=gettext_noop("Stay corrected") if earning else gettext_noop("Stay cancelled"))
        if earning is None or membership is None:
            return "reversed" if active else "unchanged"
        assert stay is not None
        revision = (PointTransaction.objects.filter(stay_id=stay_id, kind=TransactionKind.EARN)
                    .order_by("-stay_revision").values_list("stay_revision", flat=True).first() or 0) + 1
        programme = locked[membership.pk].programme
        PointTransaction.objects.create(
            membership=membership, kind=TransactionKind.EARN, points=earning.points,
            qualifying_points=earning.base, nights=earning.nights, occurred_on=stay.departure,
            expires_on=_expiry(programme, stay.departure), stay=stay, stay_revision=revision,
            detail=earning.detail, created_by=actor if getattr(actor, "pk", None) else None,
        )
        return "corrected" if active else "earned"


def stay_points_sync_safely(stay_id: int) -> None:
    """on_commit hook after a stay is saved: earning must never break a stay save; the nightly
    reconciliation repeats anything that failed here."""
    try:
        stay_points_sync(stay_id=stay_id)
    except (IntegrityError, ValidationError):
        logger.exception("loyalty: earning for stay %s failed; the nightly reconciliation will retry", stay_id)


def stays_reconcile(*, limit: int | None = None) -> dict[str, int]:
    """Nightly: earn for checked-out stays that have no earn row, reverse earn rows of stays no longer checked out.

    Catches stays written without signals (bulk imports, `QuerySet.update`). Revenue corrected by bulk writes is
    not detected here; `stay_points_sync` fixes a single stay.
    """
    active_earn = PointTransaction.objects.filter(stay_id=OuterRef("pk"), kind=TransactionKind.EARN,
                                                  reversal__isnull=True)
    programme_groups = Programme.objects.filter(is_active=True).values("group_id")
    members = Membership.objects.filter(guest_id=OuterRef("guest_id"))
    auto = Programme.objects.filter(is_active=True, auto_enrol=True).values("group_id")
    missing = (Stay.objects.filter(status=StayStatus.CHECKED_OUT, guest__isnull=False,
                                   property__group_id__in=programme_groups)
               .filter(Q(Exists(members)) | Q(property__group_id__in=auto))
               .filter(~Exists(active_earn)).values_list("pk", flat=True).order_by("pk"))
    stale = (PointTransaction.objects.filter(kind=TransactionKind.EARN, reversal__isnull=True, stay__isnull=False)
             .exclude(stay__status=StayStatus.CHECKED_OUT).values_list("stay_id", flat=True).distinct())
    ids = list(missing[:limit] if limit else missing) + list(stale)
    counts: dict[str, int] = defaultdict(int)
    for stay_id in ids:
        counts[stay_points_sync(stay_id=stay_id)] += 1
    return dict(counts)


# --- adjustments, redemption ------------------------------------------------------------------------------------


def points_adjust(*, actor: Any, membership: Membership, points: int, reason: str,
                  qualifying: bool = False) -> PointTransaction:
    """A manual correction (goodwill, fix). Negative adjustments cannot take the balance below zero."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason for the adjustment.")]})
    if not points:
        raise ValidationError({"points": [_("Enter a number of points other than zero.")]})
    with transaction.atomic():
        locked = _lock_memberships([membership.pk])[membership.pk]
        if points < 0:
            balance = membership_balance(locked)
            if balance + points < 0:
                raise ValidationError({"points": [_("The balance is %(balance)s points; it cannot go below zero.")
                                                  % {"balance": balance}]})
        today = timezone.localdate()
        row = PointTransaction.objects.create(
            membership=locked, kind=TransactionKind.ADJUST, points=points,
            qualifying_points=points if qualifying else 0, occurred_on=today,
            expires_on=_expiry(locked.programme, today) if points > 0 else None, reason=reason[:300],
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        activity_log(actor=actor, kind=ACTIVITY_KIND, guest=locked.guest,
                     summary=LocalizedText(gettext_noop("Loyalty points adjusted by %(points)s: %(reason)s"),
                                           {"points": f"{points:+d}", "reason": reason[:200]}),
                     data={"membership_id": locked.pk, "transaction_id": row.pk})
    return row


def points_redeem(*, actor: Any, membership: Membership, reward: Reward, quantity: int = 1) -> Redemption:
    """Spend points on a catalogue reward, in one transaction: lock the member, check the balance, take stock.

    Stock is taken with a conditional UPDATE (stock = stock − n WHERE stock ≥ n), so two members redeeming the
    last item cannot both get it; the member lock means two redemptions cannot spend the same points.
    """
    if quantity < 1:
        raise ValidationError({"quantity": [_("Redeem at least one.")]})
    if not reward.is_active or reward.programme_id != membership.programme_id:
        raise ValidationError({"reward": [_("This reward is not available.")]})
    cost = reward.points_cost * quantity
    with transaction.atomic():
        locked = _lock_memberships([membership.pk])[membership.pk]
        balance = membership_balance(locked)
        if balance < cost:
            raise ValidationError({"reward": [
                _("Not enough points: %(cost)s needed, %(balance)s available.") % {"cost": cost, "balance": balance}
            ]})
        if reward.stock is not None:
            taken = Reward.objects.filter(pk=reward.pk, stock__gte=quantity).update(stock=F("stock") - quantity)
            if not taken:
                raise ValidationError({"reward": [_("Out of stock: %(reward)s.") % {"reward": reward.name}]})
        row = PointTransaction.objects.create(
            membership=locked, kind=TransactionKind.REDEEM, points=-cost, reward=reward,
            reason=f"{reward.name_en} ×{quantity}"[:300], created_by=actor if getattr(actor, "pk", None) else None,
        )
        redemption = Redemption.objects.create(membership=locked, reward=reward, quantity=quantity, points=cost,
                                               transaction=row,
                                               created_by=actor if getattr(actor, "pk", None) else None)
        activity_log(actor=actor, kind=ACTIVITY_KIND, guest=locked.guest,
                     summary=LocalizedText(gettext_noop("Redeemed %(points)s points for %(reward)s ×%(quantity)s"),
                                           {"points": cost, "reward": gettext_lazy(reward.name_en),
                                            "quantity": quantity}),
                     data={"membership_id": locked.pk, "redemption_id": redemption.pk})
    return redemption


def redemption_cancel(*, actor: Any, redemption: Redemption) -> Redemption:
    """Give the points back (a reversal row) and return the stock."""
    with transaction.atomic():
        _lock_memberships([redemption.membership_id])
        locked = Redemption.objects.select_for_update().select_related("transaction", "reward").get(pk=redemption.pk)
        if locked.status == RedemptionStatus.CANCELLED:
            return locked
        _reverse(original=locked.transaction, actor=actor, reason=gettext_noop("Redemption cancelled"))
        if locked.reward.stock is not None:
            Reward.objects.filter(pk=locked.reward_id, stock__isnull=False).update(stock=F("stock") + locked.quantity)
        locked.status = RedemptionStatus.CANCELLED
        locked.save(update_fields=["status"])
    return locked


# --- expiry -----------------------------------------------------------------------------------------------------


def _expiry_figures(membership_ids: list[int] | None, as_of: dt.date) -> Any:
    """Per member: points due to expire (unreversed lots with expires_on ≤ as_of), points consumed, points already
    expired and the balance — one GROUP BY. Reversed rows and their reversals cancel out and are left out."""
    unreversed = Q(reversal__isnull=True) & ~Q(kind=TransactionKind.REVERSE)
    lots = Q(kind__in=[TransactionKind.EARN, TransactionKind.ADJUST], points__gt=0) & unreversed
    qs = PointTransaction.objects.all()
    if membership_ids is not None:
        qs = qs.filter(membership_id__in=membership_ids)
    return (qs.order_by().values("membership_id").annotate(
        due=Coalesce(Sum("points", filter=lots & Q(expires_on__lte=as_of)), 0),
        consumed=Coalesce(Sum("points", filter=Q(kind__in=[TransactionKind.REDEEM, TransactionKind.ADJUST],
                                                 points__lt=0) & unreversed), 0),
        expired=Coalesce(Sum("points", filter=Q(kind=TransactionKind.EXPIRE)), 0),
        balance=Coalesce(Sum("points"), 0),
    ))


def points_expire(*, as_of: dt.date | None = None) -> int:
    """Write expire rows for points past their expiry date that were not spent. Returns points expired.

    Rule (FIFO): spending uses the oldest points first. So by a date D, the points that must have expired are
    max(0, points expiring on or before D − points spent), and the job writes the difference to what has
    already expired (never more than the balance). Running it twice writes nothing the second time.
    """
    as_of = as_of or timezone.localdate()
    candidates = [r["membership_id"] for r in _expiry_figures(None, as_of).filter(due__gt=0)
                  if max(0, r["due"] + r["consumed"]) + r["expired"] > 0 and r["balance"] > 0]
    total = 0
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start:start + CHUNK]
        with transaction.atomic():
            _lock_memberships(chunk)
            rows = []
            for r in _expiry_figures(chunk, as_of):
                owed = max(0, r["due"] + r["consumed"]) + r["expired"]
                points = min(owed, r["balance"])
                if points > 0:
                    rows.append(PointTransaction(membership_id=r["membership_id"], kind=TransactionKind.EXPIRE,
                                                 points=-points, occurred_on=as_of,
                                                 reason=gettext_noop("Points expired")))
                    total += points
            PointTransaction.objects.bulk_create(rows, batch_size=1000)
    return total


# --- tiers ------------------------------------------------------------------------------------------------------


@dataclass
class TierEvaluation:
    upgrades: int = 0
    downgrades: int = 0
    grace_started: int = 0
    grace_cleared: int = 0
    members: int = 0


def _target_sql(programmes: list[Programme]) -> tuple[str, list[Any]]:
    """SQL CASE giving the tier each member qualifies for (highest order first), built from the tier table."""
    params: list[Any] = []
    sql = ["CASE m.programme_id"]
    for programme in programmes:
        tiers = sorted(programme.tiers.all(), key=lambda t: -t.order)
        sql.append("WHEN %s THEN CASE")
        params.append(programme.pk)
        for tier in tiers:
            if not tier.min_points and not tier.min_nights:
                continue
            conditions = []
            if tier.min_points:
                conditions.append("COALESCE(q.qp, 0) >= %s")
                params.append(tier.min_points)
            if tier.min_nights:
                conditions.append("COALESCE(q.qn, 0) >= %s")
                params.append(tier.min_nights)
            sql.append(f"WHEN {' OR '.join(conditions)} THEN %s")
            params.append(tier.pk)
        sql.append("ELSE %s END")
        params.append(tiers[-1].pk)
    sql.append("END")
    return " ".join(sql), params


def evaluate_tiers(as_of: dt.date | None = None) -> TierEvaluation:
    """Nightly: move every member to the tier their rolling-12-month qualifying points or nights earn.

    Set-based: one GROUP BY over the window gives each member's totals, a CASE maps them to a tier, and only the
    members whose tier (or grace date) must change come back from the database. Upgrades apply at once.
    A member below their tier gets a grace date (as_of + grace months) and is downgraded on that date if they
    still fall short; requalifying in the meantime clears it. Each change is logged (TierChange, a timeline
    entry) and `tier_changed` is sent after commit. Idempotent: a second run the same day changes nothing.
    """
    as_of = as_of or timezone.localdate()
    since = as_of - relativedelta(months=WINDOW_MONTHS)
    programmes = [p for p in Programme.objects.filter(is_active=True).prefetch_related("tiers") if p.tiers.all()]
    result = TierEvaluation()
    if not programmes:
        return result
    target, target_params = _target_sql(programmes)
    tx = PointTransaction._meta.db_table
    ms = Membership._meta.db_table
    tt = Tier._meta.db_table
    sql = f"""
        SELECT s.id, s.guest_id, s.tier_id, s.target_id, s.grace_until, s.qp, s.qn, ct."order", nt."order", p.grace_months
        FROM (
            SELECT m.id, m.guest_id, m.tier_id, m.grace_until, m.programme_id, COALESCE(q.qp, 0) AS qp,
                   COALESCE(q.qn, 0) AS qn, {target} AS target_id
            FROM {ms} m
            LEFT JOIN (
                SELECT membership_id, SUM(qualifying_points) AS qp, SUM(nights) AS qn
                FROM {tx} WHERE occurred_on > %s AND occurred_on <= %s GROUP BY membership_id
            ) q ON q.membership_id = m.id
            WHERE m.programme_id IN ({", ".join(["%s"] * len(programmes))})
        ) s
        JOIN {tt} ct ON ct.id = s.tier_id
        JOIN {tt} nt ON nt.id = s.target_id
        JOIN {Programme._meta.db_table} p ON p.id = s.programme_id
        WHERE nt."order" > ct."order"
           OR (nt."order" < ct."order" AND (s.grace_until IS NULL OR s.grace_until <= %s))
           OR (nt."order" >= ct."order" AND s.grace_until IS NOT NULL)
    """
    params = [*target_params, since, as_of, *[p.pk for p in programmes], as_of]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    tiers = {t.pk: t for p in programmes for t in p.tiers.all()}
    moves: dict[tuple[int, int], list[tuple[int, int, int, int]]] = defaultdict(list)  # (from, to) → members
    grace_start: dict[int, list[int]] = defaultdict(list)  # grace months → member ids
    grace_clear: list[int] = []
    for member_id, guest_id, tier_id, target_id, grace_until, qp, qn, cur_order, new_order, grace_months in rows:
        if isinstance(grace_until, str):
            grace_until = dt.date.fromisoformat(grace_until)
        if new_order > cur_order:
            moves[(tier_id, target_id)].append((member_id, guest_id, int(qp), int(qn)))
        elif new_order < cur_order:
            if grace_until is None and grace_months:
                grace_start[grace_months].append(member_id)
            else:
                moves[(tier_id, target_id)].append((member_id, guest_id, int(qp), int(qn)))
        else:
            grace_clear.append(member_id)
    result.members = Membership.objects.count()
    changes: list[tuple[int, int, int, int, str]] = []
    with transaction.atomic():
        for (from_id, to_id), members in moves.items():
            kind = TierChangeKind.UPGRADE if tiers[to_id].order > tiers[from_id].order else TierChangeKind.DOWNGRADE
            for start in range(0, len(members), CHUNK):
                chunk = members[start:start + CHUNK]
                # Conditional UPDATE (still on the old tier): an overlapping run cannot log a change twice.
                ids = list(Membership.objects.filter(pk__in=[m[0] for m in chunk], tier_id=from_id)
                           .values_list("pk", flat=True))
                Membership.objects.filter(pk__in=ids, tier_id=from_id).update(
                    tier_id=to_id, tier_since=as_of, grace_until=None)
                done = set(ids)
                applied = [m for m in chunk if m[0] in done]
                Guest.objects.filter(pk__in=[m[1] for m in applied]).update(tier=tiers[to_id].name_zh[:30])
                changes.extend((m[0], m[1], from_id, to_id, kind) for m in applied)
                TierChange.objects.bulk_create([
                    TierChange(membership_id=m[0], kind=kind, from_tier_id=from_id, to_tier_id=to_id,
                               qualifying_points=m[2], nights=m[3], effective_on=as_of) for m in applied
                ], batch_size=1000)
                verb = (gettext_noop("Loyalty tier upgraded: %(old)s → %(new)s") if kind == TierChangeKind.UPGRADE
                        else gettext_noop("Loyalty tier downgraded: %(old)s → %(new)s"))
                text = LocalizedText(verb, {"old": _tier_param(tiers[from_id]), "new": _tier_param(tiers[to_id])})
                data = {"summary_i18n": text.as_data()}
                summary = text.render_in("en")
                Activity.objects.bulk_create([
                    Activity(kind=ACTIVITY_KIND, guest_id=m[1], summary=summary,
                             data={**data, "membership_id": m[0], "points": m[2], "nights": m[3]})
                    for m in applied
                ], batch_size=1000)
                if kind == TierChangeKind.UPGRADE:
                    result.upgrades += len(applied)
                else:
                    result.downgrades += len(applied)
        for months, ids in grace_start.items():
            for start in range(0, len(ids), CHUNK):
                result.grace_started += Membership.objects.filter(
                    pk__in=ids[start:start + CHUNK], grace_until__isnull=True,
                ).update(grace_until=as_of + relativedelta(months=months))
        for start in range(0, len(grace_clear), CHUNK):
            result.grace_cleared += Membership.objects.filter(pk__in=grace_clear[start:start + CHUNK]).update(
                grace_until=None)

        def _send() -> None:
            for member_id, guest_id, from_id, to_id, kind in changes:
                tier_changed.send(sender=Membership, membership_id=member_id, guest_id=guest_id,
                                  from_tier_id=from_id, to_tier_id=to_id, kind=str(kind), effective_on=as_of)

        transaction.on_commit(_send)
    return result


def guest_tier_sync(*, membership: Membership) -> None:
    """Keep Guest.tier (the card badge) equal to the membership tier."""
    Guest.objects.filter(pk=membership.guest_id).update(tier=membership.tier.name_zh[:30])


def memberships_merge(*, survivor: Guest, merged: Guest) -> list[tuple[str, list[Any], int, int]]:
    """Guest merge step: when both profiles are members, the merged member's ledger joins the survivor's.

    The points, redemptions and tier history move to the survivor's membership unchanged (the rows stay immutable
    in content; only their owner changes, as the two profiles are one person), so the balance is the sum of both
    ledgers. The emptied membership is then removed by the merge like any row unique per guest, and restored with its
    rows by an undo. A merged-profile membership without a survivor membership simply moves with the guest.
    Registered in `concierge.dedupe.services.merge.MERGE_PREPARERS`.
    """
    keep = Membership.objects.select_for_update().filter(guest_id=survivor.pk).first()
    gone = Membership.objects.select_for_update().filter(guest_id=merged.pk).first()
    if keep is None or gone is None:
        return []
    moved = []
    for model, fk_name in ((PointTransaction, "membership"), (Redemption, "membership"), (TierChange, "membership")):
        rows = model._base_manager.filter(membership_id=gone.pk)  # the ledger's own manager refuses updates
        pks = list(rows.values_list("pk", flat=True))
        if pks:
            rows.update(membership_id=keep.pk)
        moved.append((f"{model._meta.label}.{fk_name}", pks, gone.pk, keep.pk))
    return moved
