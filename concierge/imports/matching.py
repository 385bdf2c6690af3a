"""Batch matching of import rows against existing profiles — a thin adapter over concierge.dedupe.

ADAPTER: `concierge.dedupe.services.guest_duplicate_candidates(user=, values=)` answers the same
question for one row with five or six queries. An import asks it for thousands of rows, so this
module does the same look-ups for a whole batch in a handful of queries — the ID-number blind index,
phone/email search keys, and whole-name keys (narrowed by birthday when the row has one), each capped
at the 50 most recent profiles per key like the create-time check — and then scores each pair with
the dedupe app's public scorer (`GuestRecord`, `score_pair`, `DedupeSettings.review_threshold`). The
scores, reasons and threshold are therefore exactly the dedupe app's; only the candidate look-up is
batched here. If dedupe grows a batch API, replace `GuestMatcher.find` with it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from django.db.models import F, Q, Window
from django.db.models.functions import Coalesce, RowNumber

from concierge.dedupe.models import DedupeSettings, DuplicateCandidate
from concierge.dedupe.scoring import GuestRecord, MatchResult, score_pair
from concierge.guests.choices import SearchKeyKind
from concierge.guests.models import ContactPoint, Guest, IdentityDocument, SearchKey
from concierge.imports.models import GuestExternalRef

PROBE_CAP = 50  # profiles per look-up key, most recent first (as the create-time check)
MAX_FLAGS_PER_ROW = 5


def review_threshold() -> float:
    return float(DedupeSettings.load().review_threshold)


@dataclass
class Found:
    """An existing (or earlier pending) profile that matches a row."""

    guest_id: int | None  # None for a profile pending in the same batch (see `pending`)
    match: MatchResult
    strong: str = ""  # "id_number", "external_ref", "phone", "email" — the strong key that agreed, if any
    pending: Any = None  # the GuestRow created earlier in this batch

    @property
    def score(self) -> float:
        return self.match.score


def strong_key(a: GuestRecord, b: GuestRecord, *, other_refs: set[str], contact_keys: bool, match: MatchResult,
               threshold: float) -> str:
    """The strong key two records share. `other_refs` are the references other sources use for `b`.

    Phones/emails count only for business cards (`contact_keys`), and only with a score at or above the
    review threshold (a shared office phone alone is not a person)."""
    if {h for _t, h in a.ids} & {h for _t, h in b.ids}:
        return "id_number"
    if a.ref and a.ref in other_refs:
        return "external_ref"
    if contact_keys and match.score >= threshold:
        if set(a.phones) & set(b.phones):
            return "phone"
        if set(a.emails) & set(b.emails):
            return "email"
    return ""


def rank_found(found: list[Found]) -> list[Found]:
    found.sort(key=lambda f: (not f.strong, -f.score, f.guest_id or 0))
    strong = [f for f in found if f.strong]
    weak = [f for f in found if not f.strong][: max(MAX_FLAGS_PER_ROW - len(strong), 0)]
    return strong + weak


@dataclass(eq=False)
class Probe:
    """The look-up keys of one incoming profile, and (built only when a look-up finds someone) its record.

    The keys are the ones the dedupe create-time check uses: ID-number hashes, E.164 phones, emails, and
    the whole-name keys (simplified hanzi; pinyin/Latin in both orders), narrowed by birthday when known.
    """

    ref: str
    id_hashes: tuple[str, ...]
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    names: tuple[tuple[str, str], ...]  # (SearchKeyKind.HANZI or NAME, key)
    birthday: Any
    make_record: Callable[[], GuestRecord]
    _record: GuestRecord | None = None

    @property
    def record(self) -> GuestRecord:
        if self._record is None:
            self._record = self.make_record()
        return self._record


def _capped(qs: Any, partition: list[Any]) -> Any:
    return (qs.annotate(rn=Window(RowNumber(), partition_by=partition, order_by=[F("rank_hint").desc(), F("pk")]))
            .filter(rn__lte=PROBE_CAP))


class GuestMatcher:
    """Finds existing profiles for a batch of incoming profiles."""

    def __init__(self, *, user: Any, source: str, threshold: float, contact_keys: bool = False) -> None:
        self.user = user
        self.source = source
        self.threshold = threshold
        self.contact_keys = contact_keys
        self._other_refs: dict[int, set[str]] = {}
        self._other_sources: list[str] | None = None
        self._foreign_aliases: bool | None = None

    def foreign_aliases(self) -> bool:
        """Whether any other source recorded references (read once per run; this run adds only its own)."""
        if self._foreign_aliases is None:
            self._foreign_aliases = GuestExternalRef.objects.exclude(source=self.source).exists()
        return self._foreign_aliases

    def other_sources(self) -> list[str]:
        """Sources other than this import's, read once per run: the (source, external_ref) index then serves
        "the same reference from another source" (external_ref alone has no index)."""
        if self._other_sources is None:
            self._other_sources = sorted(
                set(Guest.objects.order_by().values_list("source", flat=True).distinct()) - {self.source})
        return self._other_sources

    def find(self, probes: Sequence[Probe]) -> list[list[Found]]:
        """For each probe, matching live profiles (strong first, then by score), at most a few weak ones."""
        if not probes:
            return []
        hits: list[set[int]] = [set() for _ in probes]
        self._by_id_number(probes, hits)
        self._by_search_keys(probes, hits)
        self._by_external_ref(probes, hits)
        wanted = set().union(*hits)
        if not wanted:
            return [[] for _ in probes]
        candidates = self._records(wanted)
        out: list[list[Found]] = []
        for probe, ids in zip(probes, hits):
            found = []
            for guest_id in ids:
                other = candidates.get(guest_id)
                if other is None:
                    continue
                match = score_pair(probe.record, other)
                strong = strong_key(probe.record, other, other_refs=self._other_refs.get(guest_id, set()),
                                    contact_keys=self.contact_keys, match=match, threshold=self.threshold)
                if strong or match.score >= self.threshold:
                    found.append(Found(guest_id=guest_id, match=match, strong=strong))
            out.append(rank_found(found))
        return out

    # --- look-ups --------------------------------------------------------------------------------------------

    def _by_id_number(self, probes: Sequence[Probe], hits: list[set[int]]) -> None:
        wanted: dict[str, list[int]] = defaultdict(list)
        for i, probe in enumerate(probes):
            for h in probe.id_hashes:
                wanted[h].append(i)
        if not wanted:
            return
        rows = IdentityDocument.objects.filter(number_hash__in=list(wanted)).values_list("number_hash", "guest_id")
        for number_hash, guest_id in rows:
            for i in wanted[number_hash]:
                hits[i].add(guest_id)

    def _by_search_keys(self, probes: Sequence[Probe], hits: list[set[int]]) -> None:
        contact: dict[tuple[str, str], list[int]] = defaultdict(list)
        names: dict[tuple[str, str], list[int]] = defaultdict(list)
        dated: dict[tuple[str, str, Any], list[int]] = defaultdict(list)
        for i, probe in enumerate(probes):
            for phone in probe.phones:
                contact[(SearchKeyKind.PHONE, phone.lstrip("+"))].append(i)
            for email in probe.emails:
                contact[(SearchKeyKind.EMAIL, email[:120])].append(i)
            for key in probe.names:
                if probe.birthday:
                    dated[(*key, probe.birthday)].append(i)
                else:
                    names[key].append(i)
        base = SearchKey.objects.filter(guest__isnull=False)
        for index in (contact, names):
            if not index:
                continue
            kinds = sorted({k for k, _v in index})
            qs = base.filter(kind__in=kinds, key__in=sorted({v for _k, v in index}))
            for kind, key, guest_id in _capped(qs, [F("kind"), F("key")]).values_list("kind", "key", "guest_id"):
                for i in index.get((kind, key), ()):
                    hits[i].add(guest_id)
        if dated:
            kinds = sorted({k for k, _v, _b in dated})
            qs = base.filter(kind__in=kinds, key__in=sorted({v for _k, v, _b in dated}),
                             guest__birthday__in=sorted({b for _k, _v, b in dated}))
            for kind, key, birthday, guest_id in _capped(qs, [F("kind"), F("key"), F("guest__birthday")]).values_list(
                    "kind", "key", "guest__birthday", "guest_id"):
                for i in dated.get((kind, key, birthday), ()):
                    hits[i].add(guest_id)

    def _by_external_ref(self, probes: Sequence[Probe], hits: list[set[int]]) -> None:
        refs: dict[str, list[int]] = defaultdict(list)
        for i, probe in enumerate(probes):
            if probe.ref:
                refs[probe.ref].append(i)
        if not refs:
            return
        # A merged tombstone keeps its reference: follow it to the survivor.
        others = self.other_sources()
        rows = list(Guest.objects.filter(source__in=others, external_ref__in=list(refs))
                    .values_list("external_ref", Coalesce("merged_into_id", "id"))) if others else []
        if self.foreign_aliases():
            rows += list(GuestExternalRef.objects.filter(external_ref__in=list(refs)).exclude(source=self.source)
                         .values_list("external_ref", "guest_id"))
        for ref, guest_id in rows:
            for i in refs[ref]:
                hits[i].add(guest_id)

    def _records(self, ids: Iterable[int]) -> dict[int, GuestRecord]:
        """Comparison records of the live, visible candidates."""
        qs = Guest.objects.live().filter(pk__in=list(ids))
        if self.user is not None:
            qs = qs.visible_to(self.user)
        guests = {g.pk: g for g in qs}
        if not guests:
            return {}
        docs: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for guest_id, doc_type, number_hash in IdentityDocument.objects.filter(guest_id__in=list(guests)).values_list(
                "guest_id", "doc_type", "number_hash"):
            docs[guest_id].append((doc_type, number_hash))
        points: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for guest_id, kind, value in ContactPoint.objects.filter(guest_id__in=list(guests)).values_list(
                "guest_id", "kind", "value"):
            points[guest_id].append((kind, value))
        records = {}
        for pk, guest in guests.items():
            pts = points.get(pk, [])
            records[pk] = GuestRecord.from_guest(
                guest, phones=[v for k, v in pts if k == ContactPoint.Kind.PHONE],
                emails=[v for k, v in pts if k == ContactPoint.Kind.EMAIL], documents=docs.get(pk, []),
            )
        # References other sources use for these profiles: their own, and those recorded through an alias.
        self._other_refs = defaultdict(set)
        for pk, guest in guests.items():
            if guest.external_ref and guest.source != self.source:
                self._other_refs[pk].add(guest.external_ref)
        aliases = GuestExternalRef.objects.filter(guest_id__in=list(guests)).exclude(source=self.source)
        for guest_id, ref in aliases.values_list("guest_id", "external_ref"):
            self._other_refs[guest_id].add(ref)
        return records


class PendingIndex:
    """Profiles created earlier in the same batch (not yet in the database), found by the same keys."""

    def __init__(self) -> None:
        self._keys: dict[tuple[Any, ...], list[tuple[Probe, Any]]] = defaultdict(list)

    @staticmethod
    def _keys_of(probe: Probe, *, looking: bool) -> list[tuple[Any, ...]]:
        keys: list[tuple[Any, ...]] = [("i", h) for h in probe.id_hashes]
        keys += [("p", p) for p in probe.phones] + [("e", e) for e in probe.emails]
        if probe.birthday:
            keys += [("nb", *k, probe.birthday) for k in probe.names]
        if not (looking and probe.birthday):
            keys += [("n", *k) for k in probe.names]
        return keys

    def add(self, probe: Probe, item: Any) -> None:
        for key in self._keys_of(probe, looking=False):
            bucket = self._keys[key]
            if len(bucket) < PROBE_CAP:
                bucket.append((probe, item))

    def find(self, probe: Probe, *, threshold: float, contact_keys: bool) -> list[Found]:
        seen: set[int] = set()
        found: list[Found] = []
        for key in self._keys_of(probe, looking=True):
            for other, item in self._keys.get(key, ()):
                if id(item) in seen:
                    continue
                seen.add(id(item))
                match = score_pair(probe.record, other.record)
                # Rows of one file share the source, so a shared reference is not "another source's" here.
                strong = strong_key(probe.record, other.record, other_refs=set(), contact_keys=contact_keys,
                                    match=match, threshold=threshold)
                if strong or match.score >= threshold:
                    found.append(Found(guest_id=None, match=match, strong=strong, pending=item))
        return found


def flag_pairs(pairs: Iterable[tuple[int, int, MatchResult]]) -> int:
    """Put (guest id, guest id, match) pairs in the dedupe review queue; returns how many were new.

    ADAPTER: the bulk form of `concierge.dedupe.services.candidate_upsert` (same row layout: smaller id
    on the left, score rounded to 6 places, weight to 3, reasons from the scorer). Pairs already in the
    queue keep their status — a dismissed pair stays dismissed; the finder refreshes open scores.
    """
    rows: dict[tuple[int, int], DuplicateCandidate] = {}
    for a, b, match in pairs:
        if a == b:
            continue
        low, high = sorted((a, b))
        rows.setdefault((low, high), DuplicateCandidate(
            left_id=low, right_id=high, score=round(match.score, 6), weight=round(match.weight, 3),
            reasons=match.reasons()))
    if not rows:
        return 0
    existing = set()
    keys = list(rows)
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        q = Q()
        for low, high in chunk:
            q |= Q(left_id=low, right_id=high)
        existing.update(DuplicateCandidate.objects.filter(q).values_list("left_id", "right_id"))
    new = [row for key, row in rows.items() if key not in existing]
    DuplicateCandidate.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return len(new)
