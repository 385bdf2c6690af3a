"""The duplicate finder, the review-queue writes and the create-time check.

`duplicates_find` streams every live guest once as a comparison record, blocks (see `blocking`),
scores the candidate pairs (see `scoring`) and refreshes the review queue.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.core.choices import ActivityKind, AuditAction
from concierge.core.i18n import LocalizedText
from concierge.core.services import activity_log, audit_record
from concierge.dedupe.blocking import DEFAULT_MAX_BLOCK, BlockingStats, PairCollector, blocking_keys
from concierge.dedupe.choices import CandidateStatus
from concierge.dedupe.models import DedupeSettings, DuplicateCandidate
from concierge.dedupe.scoring import (
    GuestRecord,
    MatchResult,
    build_record,
    compare,
    prior_bits_for,
    probability,
    reasons_text,
    score_pair,
)
from concierge.dedupe.services.merge import guest_merge
from concierge.guests.choices import SearchKeyKind
from concierge.guests.identity import id_number_hash, normalize_id_number
from concierge.guests.models import ContactPoint, Guest, IdentityDocument, SearchKey

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int, int], None]

# --- streaming guests as comparison records ------------------------------------------------------------------

_RECORD_FIELDS = (
    "id", "external_ref", "source", "family_name", "given_name", "family_name_latin", "given_name_latin",
    "birthday", "gender", "phone", "email", "postcode", "address_1", "address_2", "city", "province",
    "nationality",
)


class _Grouped:
    """Merge-join helper: rows sorted by guest id, handed out one guest at a time."""

    def __init__(self, rows: Iterator[tuple[Any, ...]]) -> None:
        self._rows = rows
        self._head: tuple[Any, ...] | None = next(rows, None)

    def take(self, guest_id: int) -> list[tuple[Any, ...]]:
        out = []
        while self._head is not None and self._head[0] <= guest_id:
            if self._head[0] == guest_id:
                out.append(self._head[1:])
            self._head = next(self._rows, None)
        return out


def _record_from_row(row: tuple[Any, ...], docs: list[tuple[Any, ...]], points: list[tuple[Any, ...]]) -> GuestRecord:
    (pk, ref, source, family, given, family_l, given_l, birthday, gender, phone, email, postcode,
     address_1, address_2, city, province, nationality) = row
    phones = [phone] + [v for kind, v in points if kind == ContactPoint.Kind.PHONE]
    emails = [email] + [v for kind, v in points if kind == ContactPoint.Kind.EMAIL]
    return build_record(
        id=pk, ref=ref, source=source, family_name=family, given_name=given, family_name_latin=family_l,
        given_name_latin=given_l, birthday=birthday, gender=gender, phones=phones, emails=emails,
        documents=docs, postcode=postcode, address_1=address_1, address_2=address_2, city=city,
        province=province, nationality=nationality, normalised=True,
    )


def guest_records_stream(*, batch_size: int = 5000, guest_ids: Iterable[int] | None = None) -> Iterator[GuestRecord]:
    """Live guests (not tombstones) as comparison records, in id order, streamed in chunks.

    Three cursors (guests, ID documents, contact points) are read side by side in guest-id order,
    so memory stays flat however many guests there are.
    """
    guests = Guest.objects.live()
    docs = IdentityDocument.objects.all()
    points = ContactPoint.objects.all()
    if guest_ids is not None:
        ids = list(guest_ids)
        guests, docs, points = guests.filter(pk__in=ids), docs.filter(guest_id__in=ids), points.filter(guest_id__in=ids)
    guest_rows = guests.order_by("id").values_list(*_RECORD_FIELDS).iterator(chunk_size=batch_size)
    doc_rows = _Grouped(docs.order_by("guest_id").values_list("guest_id", "doc_type", "number_hash")
                        .iterator(chunk_size=batch_size))
    point_rows = _Grouped(points.order_by("guest_id").values_list("guest_id", "kind", "value")
                          .iterator(chunk_size=batch_size))
    for row in guest_rows:
        yield _record_from_row(row, doc_rows.take(row[0]), point_rows.take(row[0]))


def guest_record(guest: Guest) -> GuestRecord:
    """The comparison record of one saved guest (two queries: documents and contact points)."""
    return next(guest_records_stream(guest_ids=[guest.pk]))


# --- the finder ----------------------------------------------------------------------------------------------


@dataclass
class FindResult:
    """What one run of the finder did."""

    guests: int = 0
    blocking: BlockingStats = field(default_factory=BlockingStats)
    pairs_scored: int = 0
    above_threshold: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_closed: int = 0  # found again but already dismissed or merged: left as they are
    stale_removed: int = 0
    auto_merged: int = 0
    review_threshold: float = 0.0
    prior_bits: float = 0.0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _threshold_weight(threshold: float, prior_bits: float) -> float:
    """The summed weight at which `probability` reaches `threshold`."""
    if threshold <= 0:
        return -math.inf
    if threshold >= 1:
        return math.inf
    return prior_bits + math.log2(threshold / (1 - threshold))


def _noop_progress(stage: str, done: int, total: int) -> None:
    return None


def duplicates_find(
    *, batch_size: int = 5000, progress: ProgressCallback | None = None, review_threshold: float | None = None,
    max_block: int | None = None, auto_merge: bool = True,
) -> FindResult:
    """Find likely duplicate profiles among all live guests and refresh the review queue.

    Blocking → scoring → upsert of open candidates scoring at least the review threshold. Idempotent:
    a second run over unchanged data creates nothing; dismissed and merged pairs keep their status;
    open pairs that no longer reach the threshold (a profile was corrected) are removed. When the
    admin set an auto-merge threshold, open pairs at or above it are merged (older profile survives).
    """
    report = progress or _noop_progress
    config = DedupeSettings.load()
    threshold = float(config.review_threshold if review_threshold is None else review_threshold)
    block_cap = max_block or config.max_block_size or DEFAULT_MAX_BLOCK
    result = FindResult(review_threshold=threshold)
    started = time.perf_counter()

    # 1. Stream the guests once; keep their records and emit blocking keys.
    total = Guest.objects.live().count()
    records: list[GuestRecord] = []
    collector = PairCollector()
    for position, rec in enumerate(guest_records_stream(batch_size=batch_size)):
        records.append(rec)
        collector.add(position, blocking_keys(rec))
        if position % batch_size == 0:
            report("load", position, total)
    result.guests = len(records)
    report("load", len(records), total)
    prior_bits = prior_bits_for(len(records))
    result.prior_bits = round(prior_bits, 3)
    result.seconds["load"] = round(time.perf_counter() - started, 2)

    # 2. Candidate pairs from the blocks.
    mark = time.perf_counter()
    codes = collector.pairs(max_block=block_cap)
    result.blocking = collector.stats
    result.seconds["block"] = round(time.perf_counter() - mark, 2)

    # 3. Score every candidate pair; keep those at or above the threshold.
    mark = time.perf_counter()
    min_weight = _threshold_weight(threshold, prior_bits)
    found: dict[tuple[int, int], MatchResult] = {}
    n_pairs = len(codes)
    step = max(n_pairs // 100, 50_000)
    for i, code in enumerate(codes.tolist()):
        a = records[code >> 32]
        b = records[code & 0xFFFFFFFF]
        levels = compare(a, b)
        weight = sum(level.weight for level in levels)
        if weight >= min_weight:
            found[(a.id, b.id)] = MatchResult(weight=weight, score=probability(weight, prior_bits),
                                             levels=levels)
        if i % step == 0:
            report("score", i, n_pairs)
    report("score", n_pairs, n_pairs)
    result.pairs_scored = n_pairs
    result.above_threshold = len(found)
    del codes
    result.seconds["score"] = round(time.perf_counter() - mark, 2)

    # 4. Write the review queue.
    mark = time.perf_counter()
    ids = np.fromiter((r.id for r in records), dtype=np.int64, count=len(records))

    def lookup(guest_id: int) -> GuestRecord | None:
        pos = int(np.searchsorted(ids, guest_id))
        return records[pos] if pos < len(ids) and ids[pos] == guest_id else None

    _candidates_write(found, result, threshold=threshold, prior_bits=prior_bits, lookup=lookup,
                      batch_size=batch_size)
    DedupeSettings.objects.filter(pk=config.pk).update(population=len(records))
    report("write", len(found), len(found))
    result.seconds["write"] = round(time.perf_counter() - mark, 2)
    records.clear()  # free the records before any auto-merge (lookup is done with them)

    if auto_merge and config.auto_merge_threshold is not None:
        mark = time.perf_counter()
        result.auto_merged = duplicates_auto_merge(threshold=float(config.auto_merge_threshold))
        result.seconds["auto_merge"] = round(time.perf_counter() - mark, 2)
    result.seconds["total"] = round(time.perf_counter() - started, 2)
    return result


def _candidates_write(
    found: dict[tuple[int, int], MatchResult], result: FindResult, *, threshold: float, prior_bits: float,
    lookup: Callable[[int], GuestRecord | None], batch_size: int,
) -> None:
    now = timezone.now()
    existing: dict[tuple[int, int], tuple[int, str, float]] = {
        (left, right): (pk, status, score)
        for pk, left, right, status, score in DuplicateCandidate.objects.values_list(
            "pk", "left_id", "right_id", "status", "score").iterator(chunk_size=batch_size)
    }
    new: list[DuplicateCandidate] = []
    changed: list[DuplicateCandidate] = []
    for pair, match in found.items():
        score = round(match.score, 6)
        row = existing.get(pair)
        if row is None:
            new.append(DuplicateCandidate(left_id=pair[0], right_id=pair[1], score=score,
                                          weight=round(match.weight, 3), reasons=match.reasons(), found_at=now))
        elif row[1] != CandidateStatus.OPEN:
            result.kept_closed += 1
        elif abs(row[2] - score) > 1e-6:
            changed.append(DuplicateCandidate(pk=row[0], score=score, weight=round(match.weight, 3),
                                              reasons=match.reasons()))
        else:
            result.unchanged += 1
    # Open pairs the finder did not report this time: rescore them (their profiles may have changed).
    stale: list[int] = []
    for pair, (pk, status, score) in existing.items():
        if status != CandidateStatus.OPEN or pair in found:
            continue
        left, right = lookup(pair[0]), lookup(pair[1])
        if left is None or right is None:
            continue  # a tombstone: hidden from the queue, back if the merge is undone
        match = score_pair(left, right, prior_bits=prior_bits)
        if match.score < threshold:
            stale.append(pk)
        elif abs(score - round(match.score, 6)) > 1e-6:
            changed.append(DuplicateCandidate(pk=pk, score=round(match.score, 6), weight=round(match.weight, 3),
                                              reasons=match.reasons()))
    with transaction.atomic():
        DuplicateCandidate.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        DuplicateCandidate.objects.bulk_update(changed, ["score", "weight", "reasons"], batch_size=1000)
        for start in range(0, len(stale), 1000):
            DuplicateCandidate.objects.filter(pk__in=stale[start:start + 1000], status=CandidateStatus.OPEN).delete()
    result.created, result.updated, result.stale_removed = len(new), len(changed), len(stale)


def candidate_upsert(*, left: Guest, right: Guest, match: MatchResult | None = None) -> DuplicateCandidate:
    """Put one pair in the review queue (imports flag suspected duplicates this way).

    Scores the pair when `match` is not given. A dismissed or merged pair keeps its status.
    """
    if left.pk == right.pk:
        raise ValidationError(_("A profile cannot be a duplicate of itself."))
    if match is None:
        match = score_pair(guest_record(left), guest_record(right), prior_bits=population_prior_bits())
    low, high = sorted((left.pk, right.pk))
    candidate, created = DuplicateCandidate.objects.get_or_create(
        left_id=low, right_id=high,
        defaults={"score": round(match.score, 6), "weight": round(match.weight, 3), "reasons": match.reasons()},
    )
    if not created and candidate.status == CandidateStatus.OPEN:
        candidate.score, candidate.weight = round(match.score, 6), round(match.weight, 3)
        candidate.reasons = match.reasons()
        candidate.save(update_fields=["score", "weight", "reasons"])
    return candidate


def duplicates_auto_merge(*, threshold: float, actor: Any = None) -> int:
    """Merge every open live pair scoring at least `threshold`, strongest first; the older profile survives."""
    merged = 0
    pairs = list(
        DuplicateCandidate.objects.filter(status=CandidateStatus.OPEN, score__gte=threshold,
                                          left__merged_into__isnull=True, right__merged_into__isnull=True)
        .order_by("-score", "id").values_list("pk", flat=True)
    )
    for pk in pairs:
        candidate = DuplicateCandidate.objects.select_related("left", "right").get(pk=pk)
        if candidate.status != CandidateStatus.OPEN or candidate.left.merged_into_id or candidate.right.merged_into_id:
            continue  # one side was merged earlier in this loop; the next run scores the survivor
        try:
            guest_merge(actor=actor, survivor=candidate.left, merged=candidate.right, candidate=candidate)
        except ValidationError as exc:
            logger.warning("auto-merge of candidate %s skipped: %s", pk, exc)
            continue
        merged += 1
    return merged


@transaction.atomic
def candidate_dismiss(*, actor: Any, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """Mark a pair "not the same person": it stays dismissed when the finder runs again."""
    locked = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if locked.status == CandidateStatus.MERGED:
        raise ValidationError(_("This pair was merged; undo the merge instead."), code="already_merged")
    locked.status = CandidateStatus.DISMISSED
    locked.reviewed_by = actor if getattr(actor, "pk", None) else None
    locked.reviewed_at = timezone.now()
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return locked


@transaction.atomic
def candidate_reopen(*, actor: Any, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """Put a dismissed pair back in the queue."""
    locked = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if locked.status == CandidateStatus.DISMISSED:
        locked.status = CandidateStatus.OPEN
        locked.reviewed_by = actor if getattr(actor, "pk", None) else None
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return locked


def population_prior_bits(config: DedupeSettings | None = None) -> float:
    """Prior (bits) for scoring one new or imported record against the guest base: pass it to `score_pair`.

    The population is the one the last finder run compared (one cheap row), so create-time and import
    scores agree with the review queue's; before any run it is counted.
    """
    config = config or DedupeSettings.load()
    population = config.population or Guest.objects.live().count()
    return prior_bits_for(population)


# --- create-time check ---------------------------------------------------------------------------------------


@dataclass
class Candidate:
    """An existing profile that may be the person being entered, with the score and reasons."""

    guest: Guest
    score: float
    reasons: list[dict[str, Any]]

    @property
    def reasons_text(self) -> str:
        return reasons_text(self.reasons)


_PROBE = 50


def guest_duplicate_candidates(
    *, user: Any, values: Mapping[str, Any], limit: int = 5, exclude_id: int | None = None,
    threshold: float | None = None,
) -> list[Candidate]:
    """Existing live profiles that likely are the person in `values` (a form, API or import row).

    Looks up a few candidates through the indexed keys only — the ID-number blind index, phone and
    email search keys, and name keys (narrowed by birthday when one is given) — then scores them.
    `user` scopes the look-up like every guest read; `None` means a system job (imports run from
    the shell) and sees every property.
    """
    record = GuestRecord.from_values(values)
    config = DedupeSettings.load()
    prior_bits = population_prior_bits(config)
    if threshold is None:
        threshold = float(config.review_threshold)
    ids: set[int] = set()
    hashes = _raw_id_hashes(values)
    if hashes:
        ids.update(IdentityDocument.objects.filter(number_hash__in=hashes)
                   .values_list("guest_id", flat=True)[:_PROBE])
    strong = Q()
    if record.phones:
        # Phone search keys hold the E.164 digits without "+" (and the national number).
        strong |= Q(kind=SearchKeyKind.PHONE, key__in=[p.lstrip("+") for p in record.phones])
    if record.emails:
        strong |= Q(kind=SearchKeyKind.EMAIL, key__in=list(record.emails))
    if strong:
        ids.update(SearchKey.objects.filter(strong, guest__isnull=False).values_list("guest_id", flat=True)[:_PROBE])
    name_q = Q()
    if record.hanzi:
        name_q |= Q(kind=SearchKeyKind.HANZI, key=record.hanzi[:120])
    if record.full:
        name_q |= Q(kind=SearchKeyKind.NAME, key__in=[k[:120] for k in record.full])
    if name_q:
        by_name = SearchKey.objects.filter(name_q, guest__isnull=False)
        if record.birthday:
            day = dt.date(int(record.birthday[:4]), int(record.birthday[4:6]), int(record.birthday[6:]))
            by_name = by_name.filter(guest__birthday=day)
        ids.update(by_name.order_by("-rank_hint").values_list("guest_id", flat=True)[:_PROBE])
    ids.discard(exclude_id)  # type: ignore[arg-type]
    if not ids:
        return []
    guests_qs = Guest.objects.live().filter(pk__in=ids)
    if user is not None:
        guests_qs = guests_qs.visible_to(user)
    guests = {g.pk: g for g in guests_qs}
    if not guests:
        return []
    docs: dict[int, list[tuple[str, str]]] = {}
    for guest_id, doc_type, number_hash in IdentityDocument.objects.filter(guest_id__in=guests).values_list(
            "guest_id", "doc_type", "number_hash"):
        docs.setdefault(guest_id, []).append((doc_type, number_hash))
    points: dict[int, list[tuple[str, str]]] = {}
    point_rows = ContactPoint.objects.filter(guest_id__in=guests).values_list("guest_id", "kind", "value")
    for guest_id, kind, value in point_rows:
        points.setdefault(guest_id, []).append((kind, value))
    results = []
    for guest in guests.values():
        pts = points.get(guest.pk, [])
        other = GuestRecord.from_guest(
            guest, phones=[v for k, v in pts if k == ContactPoint.Kind.PHONE],
            emails=[v for k, v in pts if k == ContactPoint.Kind.EMAIL], documents=docs.get(guest.pk, []),
        )
        match = score_pair(record, other, prior_bits=prior_bits)
        if match.score >= threshold:
            results.append(Candidate(guest=guest, score=round(match.score, 4), reasons=match.reasons()))
    results.sort(key=lambda c: (-c.score, c.guest.pk))
    return results[:limit]


def _raw_id_hashes(values: Mapping[str, Any]) -> list[str]:
    numbers = [values.get("id_number")] + [d.get("number") for d in values.get("id_documents") or ()]
    return [id_number_hash(normalize_id_number(str(n))) for n in numbers if n and normalize_id_number(str(n))]


def duplicate_warning_override(
    *, actor: Any, candidate_ids: Iterable[int], guest: Guest | None = None, company: Any = None,
    ip_address: str | None = None,
) -> None:
    """Record that a user created `guest` (or `company`) although likely existing matches were shown.

    Writes an audit event (action ``create_anyway``, the ids of the matches shown) and a timeline note on
    the new profile, so a reviewer sees later why a second profile exists. Call it in the creating transaction.
    """
    ids = sorted({int(pk) for pk in candidate_ids})
    listed = ", ".join(f"#{pk}" for pk in ids)
    audit_record(actor=actor, action=AuditAction.CREATE_ANYWAY, guest=guest, company=company,
                 detail=",".join(str(pk) for pk in ids), ip_address=ip_address)
    activity_log(
        actor=actor, kind=ActivityKind.NOTE, guest=guest, company=company,
        summary=LocalizedText(gettext_noop("Created although possible duplicates were shown: %(ids)s"),
                              {"ids": listed}),
        data={"event": "create_anyway", "candidate_ids": ids},
    )
