"""Writes of the Campaigns module: create/update (optimistic locking), schedule, send now, cancel, start (snapshot +
bulk enqueue), finish, and the touches recorded from the outbox (sent, delivered, bounced), the tracking pixel and
redirect (opened, clicked) and the unsubscribe link (unsubscribed).

Sending, in order (`campaign_start`, run by the every-minute task or at once by "send now"):

1. Claim: one conditional UPDATE `scheduled -> sending` (and `scheduled_at <= now`). Only one worker wins it,
   however often the task runs or however many run at once; the loser does nothing.
2. In the same transaction: freeze the audience (`segments.take_snapshot`, recorded on `campaign.snapshot`).
3. Enqueue: walk the snapshot members by guest id in chunks, pick each member's variant with a stable hash
   (`variant_bucket`), render the variant's template in the guest's language once per guest with templates compiled
   once, and insert the outbox rows with one bulk INSERT per chunk (idempotency key
   `campaign:<id>:guest:<guest id>`, ON CONFLICT DO NOTHING). Running it again (a crash half-way, a second
   worker) inserts only what is missing: a guest never gets a second message.
4. Delivery is the outbox's: `send_queued` (throttled by MESSAGING_RATE_PER_SECOND) checks suppression again at the
   moment of sending. `campaign_finish` marks the campaign sent when none of its messages is queued or sending.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template import Context
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.campaigns.models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    CampaignTouch,
    CampaignVariant,
    TouchKind,
    TrackingSetting,
)
from concierge.guests.services import StaleVersionError
from concierge.messaging import rendering
from concierge.messaging.choices import Channel, MessageStatus
from concierge.messaging.models import Message, MessageTemplate


SOURCE = "campaign"
CHUNK = 2000
FROZEN_WHEN_SENT = ("kind", "channel", "segment", "scheduled_at", "property", "tracking_enabled")
EDITABLE_STATUSES = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)
FIELDS = ("name", "description", "kind", "channel", "property", "segment", "scheduled_at", "starts_on", "ends_on",
          "cost", "currency", "tracking_enabled", "attribution_window_days", "offer_code", "offer_url", "owner")


@dataclass(frozen=True)
class VariantInput:
    """One content of a campaign as a form or the API gives it."""

    label: str
    template: MessageTemplate
    share_percent: int


def idempotency_key(campaign_id: int, guest_id: int) -> str:
    return f"campaign:{campaign_id}:guest:{guest_id}"


def variant_bucket(campaign_id: int, guest_id: int) -> int:
    """0..99, the same for a guest in a campaign on every run and every machine (not Python's salted `hash`)."""
    digest = hashlib.blake2b(f"{campaign_id}:{guest_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 100


def pick_variant(bucket: int, variants: list[tuple[int, Any]]) -> Any:
    """`variants` = [(share %, variant), ...] in label order; shares sum to 100."""
    upper = 0
    for share, variant in variants:
        upper += share
        if bucket < upper:
            return variant
    return variants[-1][1]


# --- create / edit ----------------------------------------------------------------------------------------------


def _validate(campaign: Campaign, variants: list[VariantInput] | None) -> None:
    """Business rules, as errors keyed by the field a form shows them on."""
    errors: dict[str, list[str]] = {}
    if not (campaign.name or "").strip():
        errors["name"] = [_("A campaign needs a name.")]
    if campaign.kind not in CampaignKind.values:
        errors["kind"] = [_("Choose a kind of campaign.")]
    if campaign.cost is not None and Decimal(campaign.cost) < 0:
        errors["cost"] = [_("The cost cannot be negative.")]
    if len((campaign.currency or "").strip()) != 3:
        errors["currency"] = [_("Give a three-letter currency code, e.g. CNY.")]
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        errors["ends_on"] = [_("The campaign cannot end before it starts.")]
    if not 1 <= int(campaign.attribution_window_days or 0) <= 1000:
        errors["attribution_window_days"] = [_("Give a window between 1 and 1000 days.")]
    if campaign.kind == CampaignKind.MESSAGE:
        if campaign.channel not in Channel.values:
            errors["channel"] = [_("Choose the channel: email, SMS or WeChat.")]
        if campaign.segment_id is None:
            errors["segment"] = [_("Choose the audience: a saved segment.")]
        if variants is not None:
            errors.update(_variant_errors(campaign, variants))
    else:
        campaign.channel = ""
    if errors:
        raise ValidationError(errors)


def _variant_errors(campaign: Campaign, variants: list[VariantInput]) -> dict[str, list[str]]:
    problems: list[str] = []
    if not variants:
        return {"variants": [_("Add at least one content variant.")]}
    total = sum(int(v.share_percent) for v in variants)
    if total != 100:
        problems.append(_("The shares of the variants must add up to 100 (now %(total)s).") % {"total": total})
    labels = [v.label.strip().upper() for v in variants]
    if len(set(labels)) != len(labels) or not all(labels):
        problems.append(_("Each variant needs its own label (A, B, ...)."))
    if len({v.template.pk for v in variants}) != len(variants):
        problems.append(_("Each variant must use a different template (the report tells them apart by template)."))
    for variant in variants:
        if campaign.channel and variant.template.channel != campaign.channel:
            problems.append(_("Variant %(label)s: template “%(template)s” is not for the channel %(channel)s.")
                            % {"label": variant.label, "template": variant.template.code,
                               "channel": campaign.channel})
        if not variant.template.is_active:
            problems.append(_("Variant %(label)s: template “%(template)s” is not active.")
                            % {"label": variant.label, "template": variant.template.code})
        if not 0 <= int(variant.share_percent) <= 100:
            problems.append(_("Variant %(label)s: the share must be between 0 and 100.") % {"label": variant.label})
    return {"variants": problems} if problems else {}


def _save_variants(campaign: Campaign, variants: list[VariantInput]) -> None:
    CampaignVariant.objects.filter(campaign=campaign).delete()
    CampaignVariant.objects.bulk_create([
        CampaignVariant(campaign=campaign, label=v.label.strip().upper(), template=v.template,
                        share_percent=int(v.share_percent)) for v in variants])


@transaction.atomic
def campaign_create(*, actor: Any, variants: list[VariantInput] | None = None, **values: Any) -> Campaign:
    """A new campaign (draft; `scheduled` when `scheduled_at` is given for a message campaign)."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    campaign = Campaign(created_by=actor if getattr(actor, "pk", None) else None, **values)
    if campaign.owner_id is None and getattr(actor, "pk", None):
        campaign.owner = actor
    if campaign.kind != CampaignKind.MESSAGE:
        campaign.status = CampaignStatus.ACTIVE
        campaign.scheduled_at = None
    _validate(campaign, variants if campaign.kind == CampaignKind.MESSAGE else None)
    if campaign.kind == CampaignKind.MESSAGE and campaign.scheduled_at:
        campaign.status = CampaignStatus.SCHEDULED
    campaign.save()
    if campaign.kind == CampaignKind.MESSAGE and variants is not None:
        _save_variants(campaign, variants)
    return campaign


@transaction.atomic
def campaign_update(*, actor: Any, campaign: Campaign, expected_version: int | None = None,
                    variants: list[VariantInput] | None = None, **values: Any) -> Campaign:
    """Change a campaign; `expected_version` guards against lost updates (StaleVersionError -> 409).

    A message campaign's audience, content and schedule are frozen once it started sending; name, description,
    cost, offer code and attribution window stay editable (the trade-show bill often arrives later).
    """
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersionError(
            {"version": [_("This campaign was changed by someone else. Reload it and apply your change again.")]})
    frozen = set(FROZEN_WHEN_SENT)
    if locked.kind == CampaignKind.MESSAGE and locked.status not in EDITABLE_STATUSES:
        changed = {k for k in frozen & set(values) if getattr(locked, k) != values[k]}
        if changed or variants is not None:
            raise ValidationError({"status": [_("This campaign has already been sent: its audience, content and "
                                                "schedule can no longer change.")]}, code="not_editable")
    for key, value in values.items():
        setattr(locked, key, value)
    _validate(locked, variants if locked.kind == CampaignKind.MESSAGE and variants is not None else None)
    if locked.kind == CampaignKind.MESSAGE and locked.status in EDITABLE_STATUSES:
        locked.status = CampaignStatus.SCHEDULED if locked.scheduled_at else CampaignStatus.DRAFT
    locked.version += 1
    locked.save()
    if variants is not None and locked.kind == CampaignKind.MESSAGE:
        _save_variants(locked, variants)
    return locked


def _require_sendable(campaign: Campaign) -> None:
    if campaign.kind != CampaignKind.MESSAGE:
        raise ValidationError({"kind": [_("An offline campaign has nothing to send.")]}, code="offline")
    if campaign.status not in EDITABLE_STATUSES:
        raise ValidationError({"status": [_("Only a draft or scheduled campaign can be sent or scheduled.")]},
                              code="not_editable")
    if not campaign.variants.exists():
        raise ValidationError({"variants": [_("Add at least one content variant.")]}, code="no_variants")
    if campaign.segment_id is None:
        raise ValidationError({"segment": [_("Choose the audience: a saved segment.")]}, code="no_segment")


@transaction.atomic
def campaign_schedule(*, actor: Any, campaign: Campaign, send_at: dt.datetime) -> Campaign:
    """Send at `send_at` (the every-minute task starts it)."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require_sendable(locked)
    if send_at is None:
        raise ValidationError({"scheduled_at": [_("Give the date and time to send at.")]})
    locked.scheduled_at, locked.status = send_at, CampaignStatus.SCHEDULED
    locked.version += 1
    locked.save(update_fields=["scheduled_at", "status", "version", "updated_at"])
    return locked


def campaign_send_now(*, actor: Any, campaign: Campaign) -> Campaign:
    """Schedule for now and start at once in a worker (the every-minute task would also pick it up)."""
    campaign = campaign_schedule(actor=actor, campaign=campaign, send_at=timezone.now())
    from concierge.campaigns import tasks

    transaction.on_commit(lambda: tasks.start_campaign.delay(campaign.pk))
    return campaign


@transaction.atomic
def campaign_cancel(*, actor: Any, campaign: Campaign) -> Campaign:
    """Cancel a draft or scheduled campaign (a conditional UPDATE: a campaign already started is not cancelled)."""
    now = timezone.now()
    done = Campaign.objects.filter(pk=campaign.pk, status__in=EDITABLE_STATUSES).update(
        status=CampaignStatus.CANCELLED, cancelled_at=now, version=campaign.version + 1, updated_at=now)
    if not done:
        raise ValidationError({"status": [_("Only a draft or scheduled campaign can be cancelled.")]},
                              code="not_cancellable")
    campaign.refresh_from_db()
    return campaign


# --- sending ----------------------------------------------------------------------------------------------------


def campaign_start(*, campaign_id: int, now: dt.datetime | None = None) -> bool:
    """Claim a due scheduled campaign, freeze its audience and enqueue its messages. False if not ours to start."""
    from concierge.segments.selectors import take_snapshot

    now = now or timezone.now()
    with transaction.atomic():
        claimed = Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SCHEDULED, kind=CampaignKind.MESSAGE,
                                          scheduled_at__lte=now).update(status=CampaignStatus.SENDING,
                                                                        started_at=now, updated_at=now)
        if not claimed:
            return False
        campaign = Campaign.objects.select_related("segment", "created_by", "owner").get(pk=campaign_id)
        # The audience is the segment as the campaign's author sees it (their properties).
        actor = campaign.created_by or campaign.owner
        snapshot = take_snapshot(campaign.segment, actor, reason=_("Campaign “%(name)s”") % {"name": campaign.name})
        Campaign.objects.filter(pk=campaign_id).update(snapshot=snapshot, audience_count=snapshot.count)
    campaign_enqueue(campaign_id=campaign_id)
    return True


def _render_plan(campaign: Campaign) -> tuple[list[tuple[int, Any]], dict[tuple[int, str], tuple[Any, Any]]]:
    variants = list(campaign.variants.select_related("template").order_by("label"))
    plan = [(v.share_percent, v) for v in variants if v.share_percent > 0] or [(100, variants[0])]
    compiled = {}
    for variant in variants:
        for language in ("zh-hans", "en"):
            compiled[(variant.pk, language)] = (
                rendering.ENGINE.from_string(variant.template.subject_in(language) or ""),
                rendering.ENGINE.from_string(variant.template.body_in(language) or ""))
    return plan, compiled


def campaign_enqueue(*, campaign_id: int) -> int:
    """Insert the outbox rows of a started campaign, chunk by chunk; idempotent (see the module docstring)."""
    from concierge.guests.models import Guest, GuestProperty
    from concierge.messaging.models import ChannelAddress
    from concierge.messaging.services import messages_enqueue_bulk
    from concierge.messaging.tokens import unsubscribe_token
    from concierge.properties.models import Property
    from concierge.segments.models import SegmentSnapshotMember

    campaign = Campaign.objects.select_related("property").get(pk=campaign_id)
    if campaign.status != CampaignStatus.SENDING or campaign.snapshot_id is None:
        return 0
    plan, compiled = _render_plan(campaign)
    extra = {"offer_code": campaign.offer_code, "offer_url": campaign.offer_url}
    properties: dict[int, Any] = {}
    if campaign.property_id:
        properties[campaign.property_id] = campaign.property
    channel = campaign.channel
    # The link differs per guest only by its signed token: resolve the URL once, not once per guest.
    marker = "__token__"
    link_pattern = unsubscribe_url_for_token(marker)
    total, last_id = 0, 0
    fields = ("id", "family_name", "given_name", "family_name_latin", "given_name_latin", "language", "email",
              "phone")
    while True:
        ids = list(SegmentSnapshotMember.objects.filter(snapshot_id=campaign.snapshot_id, guest_id__gt=last_id)
                   .order_by("guest_id").values_list("guest_id", flat=True)[:CHUNK])
        if not ids:
            break
        last_id = ids[-1]
        guests = Guest.objects.filter(pk__in=ids).only(*fields).order_by("pk")
        home: dict[int, int] = {}
        if not campaign.property_id:
            # The most recent property link per guest (ascending order: the last write wins).
            for guest_id, property_id in (GuestProperty.objects.filter(guest_id__in=ids)
                                          .order_by("guest_id", "first_seen", "id")
                                          .values_list("guest_id", "property_id")):
                home[guest_id] = property_id
            missing = set(home.values()) - set(properties)
            properties.update({p.pk: p for p in Property.objects.filter(pk__in=missing)})
        addresses: dict[int, str] = {}
        if channel not in (Channel.EMAIL, Channel.SMS):
            addresses = dict(ChannelAddress.objects.filter(guest_id__in=ids, channel=channel)
                             .values_list("guest_id", "address"))
        now = timezone.now()
        rows = []
        for guest in guests:
            variant = pick_variant(variant_bucket(campaign_id, guest.pk), plan)
            language = rendering.guest_language(guest)
            property_id = campaign.property_id or home.get(guest.pk)
            property_ = properties.get(property_id) if property_id else None
            key = idempotency_key(campaign_id, guest.pk)
            link = link_pattern.replace(marker, unsubscribe_token(guest_id=guest.pk, channel=channel))
            link = f"{link}?ref={quote(key)}"
            context = Context(rendering.build_context(guest=guest, property_=property_, language=language,
                                                      unsubscribe_url=link, extra=extra), autoescape=False)
            subject_t, body_t = compiled[(variant.pk, language)]
            if channel == Channel.EMAIL:
                recipient = guest.email or ""
            elif channel == Channel.SMS:
                recipient = (guest.phone or "").replace(" ", "")
            else:
                recipient = addresses.get(guest.pk, "")
            rows.append(Message(
                guest_id=guest.pk, property_id=property_id, channel=channel, purpose=variant.template.purpose,
                template_id=variant.template_id, language=language, recipient=recipient[:254],
                subject=" ".join(subject_t.render(context).split())[:200], body=body_t.render(context).strip(),
                unsubscribe_url=link[:500], source=SOURCE, source_id=campaign_id, idempotency_key=key,
                created_at=now,
            ))
        with transaction.atomic():
            total += messages_enqueue_bulk(messages=rows)
    Campaign.objects.filter(pk=campaign_id, enqueued_at__isnull=True).update(enqueued_at=timezone.now())
    return total


def unsubscribe_url_for_token(token: str) -> str:
    """The messaging unsubscribe link for a token (the same URL `messaging.tokens.unsubscribe_url` builds)."""
    from django.urls import reverse

    from concierge.cases.notifications import absolute_url

    return absolute_url(reverse("messaging_public:unsubscribe", args=[token]))


def campaign_finish(*, campaign_id: int) -> bool:
    """Mark a sending campaign sent once all its messages are queued and none is left queued or sending."""
    pending = Message.objects.filter(source=SOURCE, source_id=campaign_id,
                                     status__in=[MessageStatus.QUEUED, MessageStatus.SENDING])
    now = timezone.now()
    return bool(Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SENDING, enqueued_at__isnull=False)
                .filter(~Q(pk__in=pending.values("source_id")))
                .update(status=CampaignStatus.SENT, finished_at=now, updated_at=now))


def campaigns_dispatch(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The every-minute job: start due scheduled campaigns, resume an enqueue a dead worker left half done, and
    mark finished campaigns sent. Safe to run twice and concurrently (every step is a claim or idempotent)."""
    now = now or timezone.now()
    started = 0
    for pk in Campaign.objects.filter(status=CampaignStatus.SCHEDULED, kind=CampaignKind.MESSAGE,
                                      scheduled_at__lte=now).values_list("pk", flat=True)[:20]:
        started += campaign_start(campaign_id=pk, now=now)
    stale = now - dt.timedelta(minutes=getattr(settings, "CAMPAIGNS_ENQUEUE_STALE_MINUTES", 15))
    resumed = 0
    for pk in Campaign.objects.filter(status=CampaignStatus.SENDING, enqueued_at__isnull=True,
                                      started_at__lt=stale).values_list("pk", flat=True)[:5]:
        campaign_enqueue(campaign_id=pk)
        resumed += 1
    finished = sum(campaign_finish(campaign_id=pk) for pk in Campaign.objects.filter(
        status=CampaignStatus.SENDING, enqueued_at__isnull=False).values_list("pk", flat=True))
    return {"started": started, "resumed": resumed, "finished": finished}


def campaign_deliver(*, campaign_id: int, budget_seconds: float | None = None) -> dict[str, int]:
    """Drain the outbox while this campaign has due queued messages, for at most `budget_seconds`.

    Each round is the outbox's own throttled batch (`send_queued`: MESSAGING_RATE_PER_SECOND, MESSAGING_BATCH_SIZE),
    so a campaign is not limited to one batch per minute yet never sends faster than the configured rate.
    Returns counters and `more` = 1 when due messages remain (the task then queues itself again).
    """
    from concierge.messaging.services import messages_release_stale, send_queued

    budget = budget_seconds if budget_seconds is not None else getattr(settings, "CAMPAIGNS_DELIVER_BUDGET_SECONDS",
                                                                       50.0)
    deadline = time.monotonic() + budget
    totals = {"sent": 0, "suppressed": 0, "failed": 0, "deferred": 0, "more": 0}
    due = Q(status=MessageStatus.QUEUED) & (Q(not_before__isnull=True) | Q(not_before__lte=timezone.now()))
    messages_release_stale()
    while time.monotonic() < deadline:
        if not Message.objects.filter(due, source=SOURCE, source_id=campaign_id).exists():
            break
        result = send_queued(source=SOURCE, source_id=campaign_id)
        for key in ("sent", "suppressed", "failed", "deferred"):
            totals[key] += getattr(result, key)
        if not result.claimed:
            break
    else:
        totals["more"] = int(Message.objects.filter(due, source=SOURCE, source_id=campaign_id).exists())
    campaign_finish(campaign_id=campaign_id)
    return totals


# --- touches ----------------------------------------------------------------------------------------------------

_TRACKING_CACHE: dict[int, tuple[float, bool]] = {}


def _campaign_and_variant(message: Any) -> tuple[bool, int | None]:
    """(is this a message of one of our campaigns, its variant id). Not cached: ids of deleted rows can come back
    (SQLite reuses them), and a touch must never point at a campaign that does not exist."""
    campaign_id = message.source_id
    if message.source != SOURCE or not campaign_id or message.guest_id is None:
        return False, None
    variant_id = (CampaignVariant.objects.filter(campaign_id=campaign_id, template_id=message.template_id)
                  .values_list("pk", flat=True).first())
    if variant_id is None and not Campaign.objects.filter(pk=campaign_id).exists():
        return False, None
    return True, variant_id


def tracking_allowed(*, campaign_id: int, property_id: int | None) -> bool:
    """Campaign flag AND the property's setting (no row: allowed). Cached a minute per process (every send asks)."""
    cached = _TRACKING_CACHE.get(campaign_id)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    row = Campaign.objects.filter(pk=campaign_id).values_list("tracking_enabled", "property_id").first()
    allowed = bool(row and row[0])
    if allowed:
        prop = row[1] or property_id
        allowed = not TrackingSetting.objects.filter(property_id=prop, tracking_allowed=False).exists()
    _TRACKING_CACHE[campaign_id] = (time.monotonic() + 60, allowed)
    return allowed


def _touch(message: Any, kind: str, *, occurred_at: dt.datetime | None = None, detail: str = "",
           suffix: str = "") -> bool:
    """Record one touch for a campaign message; the dedupe key makes repeats count once. True if new."""
    key = f"m:{message.pk}:{kind}{':' + suffix if suffix else ''}"
    if CampaignTouch.objects.filter(dedupe_key=key).exists():
        return False
    ours, variant_id = _campaign_and_variant(message)
    if not ours:
        return False
    created = CampaignTouch.objects.bulk_create([CampaignTouch(
        campaign_id=message.source_id, variant_id=variant_id,
        guest_id=message.guest_id, kind=kind, occurred_at=occurred_at or timezone.now(), message_id=message.pk,
        detail=detail[:300], dedupe_key=key)], ignore_conflicts=True)
    return bool(created)


def on_message_html(message: Any, html: str) -> str:
    """messaging hook: add the open pixel and tracked links to a campaign email, when tracking is allowed."""
    if message.source != SOURCE or not message.source_id:
        return html
    if not tracking_allowed(campaign_id=message.source_id, property_id=message.property_id):
        return html
    from concierge.campaigns.tracking import rewrite_html

    return rewrite_html(message_id=message.pk, html=html, skip=(message.unsubscribe_url.split("?")[0],))


def on_message_delivery(message: Any, status: str, error_code: str) -> None:
    """messaging hook: sent -> `sent` + `delivered` touches; the SMTP server refused the recipient -> `bounced`."""
    if message.source != SOURCE:
        return
    if status == MessageStatus.SENT:
        ours, variant_id = _campaign_and_variant(message)
        if not ours:
            return
        when = getattr(message, "sent_at", None) or timezone.now()
        CampaignTouch.objects.bulk_create([
            CampaignTouch(campaign_id=message.source_id, variant_id=variant_id, guest_id=message.guest_id, kind=kind,
                          occurred_at=when, message_id=message.pk, dedupe_key=f"m:{message.pk}:{kind}")
            for kind in (TouchKind.SENT, TouchKind.DELIVERED)], ignore_conflicts=True)
    elif status == MessageStatus.FAILED and error_code == "recipient_refused":
        _touch(message, TouchKind.BOUNCED, detail=(message.recipient or "")[:300])


def on_messages_sent(messages: list[Any]) -> None:
    """messaging hook, batch form of `on_message_delivery` for sent rows (the outbox calls it once per chunk):
    `sent` + `delivered` touches for the campaign messages, with one variant look-up per campaign and template."""
    ours = [m for m in messages if m.source == SOURCE and m.source_id and m.guest_id is not None]
    if not ours:
        return
    campaign_ids = {m.source_id for m in ours}
    existing = set(Campaign.objects.filter(pk__in=campaign_ids).values_list("pk", flat=True))
    variants: dict[tuple[int, int | None], int] = {}
    for pk, campaign_id, template_id in (CampaignVariant.objects.filter(campaign_id__in=campaign_ids)
                                         .order_by("pk").values_list("pk", "campaign_id", "template_id")):
        variants.setdefault((campaign_id, template_id), pk)
    touches = []
    for message in ours:
        variant_id = variants.get((message.source_id, message.template_id))
        if variant_id is None and message.source_id not in existing:
            continue
        when = getattr(message, "sent_at", None) or timezone.now()
        touches.extend(
            CampaignTouch(campaign_id=message.source_id, variant_id=variant_id, guest_id=message.guest_id, kind=kind,
                          occurred_at=when, message_id=message.pk, dedupe_key=f"m:{message.pk}:{kind}")
            for kind in (TouchKind.SENT, TouchKind.DELIVERED))
    CampaignTouch.objects.bulk_create(touches, batch_size=1000, ignore_conflicts=True)


on_message_delivery.for_batch = on_messages_sent  # type: ignore[attr-defined]


def on_unsubscribe(guest: Any, channel: str, message: Any) -> None:
    """messaging hook: the unsubscribe link of a campaign message was used."""
    if message is not None:
        _touch(message, TouchKind.UNSUBSCRIBED, detail=channel)


def touch_open(*, message_id: int, now: dt.datetime | None = None) -> bool:
    """The open pixel was loaded (once per message counts)."""
    message = Message.objects.filter(pk=message_id).only("pk", "guest_id", "source", "source_id",
                                                          "template_id").first()
    return bool(message) and _touch(message, TouchKind.OPENED, occurred_at=now)


def touch_click(*, message_id: int, url: str, now: dt.datetime | None = None) -> bool:
    """A tracked link was followed (once per message and link counts); a click also implies an open."""
    message = Message.objects.filter(pk=message_id).only("pk", "guest_id", "source", "source_id",
                                                          "template_id").first()
    if message is None:
        return False
    link = hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()[:16]
    new = _touch(message, TouchKind.CLICKED, occurred_at=now, detail=url, suffix=link)
    _touch(message, TouchKind.OPENED, occurred_at=now)  # images blocked: the click proves the open
    return new


def tracking_setting_set(*, actor: Any, property: Any, tracking_allowed: bool) -> TrackingSetting:  # noqa: A002
    """Allow or forbid open/click tracking in campaign emails of one property."""
    row, _created = TrackingSetting.objects.update_or_create(property=property,
                                                             defaults={"tracking_allowed": tracking_allowed})
    _TRACKING_CACHE.clear()
    return row

