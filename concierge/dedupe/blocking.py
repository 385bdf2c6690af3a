"""Blocking: which pairs of guests are worth scoring at all.

Comparing every guest with every other is quadratic (5·10^11 pairs at a million guests), so only pairs
that share at least one *blocking key* are scored. A record has several keys; a pair found through
any of them is a candidate (the union keeps recall high when one field is mistyped):

=====  ===================================================  ======================================
key    value                                                catches
=====  ===================================================  ======================================
i      ID-number blind-index hash                           same document
p      E.164 phone                                          same phone, any format typed
e      normalised email                                     same email
nb     whole-name key (sorted pinyin/Latin tokens) + DOB    张伟 / 張偉 / ZHANG WEI / Wei Zhang
np     whole-name key + postcode                            same person, birthday unknown
tb     any single name token + DOB                          a typo in the other name, swapped names
sy     Soundex(family) + Soundex(given) + birth year        typos in both names
bp     DOB + postcode                                       a changed or misspelt name
bs     DOB + province / state                               misspelt name and a changed postcode
sp     Soundex(any name token) + postcode                   typos in the birthday and a name
ad     street number + first street words                   a changed name and birthday
=====  ===================================================  ======================================

Keys are hashed to 64-bit integers and sorted with numpy, so the work is one sort of (key, record)
rows — about a dozen per guest — instead of a Python dict of lists; runs of equal keys are the
blocks. Blocks larger than ``max_block`` (a shared office phone, 王伟 + a big-city postcode) are
skipped and counted: inside them the other keys still find true duplicates, and scoring them all
would be quadratic.
"""
from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from concierge.dedupe.scoring import GuestRecord

DEFAULT_MAX_BLOCK = 50

_SOUNDEX = str.maketrans("bfpvcgjkqsxzdtlmnr", "111122222222334556", "aeiouyhw")


@lru_cache(maxsize=65_536)
def soundex(word: str) -> str:
    """American Soundex of a lower-case ASCII word (robert → r163); '' for an empty word."""
    word = "".join(ch for ch in word if "a" <= ch <= "z")
    if not word:
        return ""
    first = word[0]
    coded = []
    previous = first.translate(_SOUNDEX) if first not in "aeiouyhw" else ""
    for ch in word[1:]:
        if ch in "hw":
            continue
        digit = ch.translate(_SOUNDEX)
        if digit != previous and digit:
            coded.append(digit)
        previous = digit
    return (first + "".join(coded) + "000")[:4]


def _address_key(address: str) -> str:
    """The street part of an address ("12 wylly place apt 3" → "12wyllyplace"): number plus two words."""
    tokens = address.split()
    if len(tokens) < 2 or not any(ch.isdigit() for ch in address):
        return ""
    return "".join(tokens[:3])


def blocking_keys(rec: GuestRecord) -> list[str]:
    """Every blocking key of one record (see the module docstring)."""
    keys: list[str] = []
    keys.extend("i" + h for _t, h in rec.ids)
    keys.extend("p" + p for p in rec.phones)
    keys.extend("e" + e for e in rec.emails)
    bd = rec.birthday
    pc = rec.postcode
    whole = {
        " ".join(sorted((f, g))) for f in (rec.family or ("",)) for g in (rec.given or ("",)) if f or g
    }
    tokens = set(rec.family) | set(rec.given)
    for name in whole:
        if bd:
            keys.append("nb" + name + "|" + bd)
        if pc:
            keys.append("np" + name + "|" + pc)
    if bd:
        keys.extend("tb" + t + "|" + bd for t in tokens)
        if pc:
            keys.append("bp" + bd + "|" + pc)
        if rec.province:
            keys.append("bs" + bd + "|" + rec.province)
        if rec.family and rec.given:
            # Sorted, so swapped family/given names share the key.
            codes = sorted((soundex(rec.family[0]), soundex(rec.given[0])))
            keys.append("sy" + codes[0] + codes[1] + "|" + bd[:4])
    if pc:
        keys.extend({"sp" + soundex(t) + "|" + pc for t in tokens})
    if rec.address:
        street = _address_key(rec.address)
        if street:
            keys.append("ad" + street)
    return keys


@dataclass
class BlockingStats:
    """What blocking did: keys emitted, blocks formed, blocks skipped as too large, pairs produced."""

    records: int = 0
    keys: int = 0
    blocks: int = 0
    oversized_blocks: int = 0
    oversized_members: int = 0
    pairs: int = 0
    largest_kept_block: int = 0
    oversized_examples: list[int] = field(default_factory=list)


class PairCollector:
    """Accumulates (record position, key hash) rows while records stream in; then yields candidate pairs.

    Positions are the records' indexes in the caller's list (0..n-1), so a pair code is
    ``left << 32 | right`` with ``left < right``.
    """

    def __init__(self) -> None:
        self._hashes = array("q")
        self._positions = array("q")
        self.stats = BlockingStats()

    def add(self, position: int, keys: Iterable[str]) -> None:
        seen = set()
        for key in keys:
            h = hash(key)
            if h in seen:
                continue
            seen.add(h)
            self._hashes.append(h)
            self._positions.append(position)
        self.stats.records += 1

    def pairs(self, *, max_block: int = DEFAULT_MAX_BLOCK) -> np.ndarray:
        """Unique candidate pair codes (uint64, sorted) from all blocks of 2..max_block records."""
        hashes = np.frombuffer(self._hashes, dtype=np.int64)
        positions = np.frombuffer(self._positions, dtype=np.int64)
        self.stats.keys = len(hashes)
        if len(hashes) < 2:
            return np.empty(0, dtype=np.uint64)
        order = np.lexsort((positions, hashes))
        hashes = hashes[order]
        positions = positions[order]
        del order
        starts = np.flatnonzero(np.concatenate(([True], hashes[1:] != hashes[:-1])))
        sizes = np.diff(np.concatenate((starts, [len(hashes)])))
        del hashes
        multi = sizes >= 2
        self.stats.blocks = int(multi.sum())
        oversized = sizes > max_block
        self.stats.oversized_blocks = int(oversized.sum())
        self.stats.oversized_members = int(sizes[oversized].sum())
        self.stats.oversized_examples = sorted(sizes[oversized].tolist(), reverse=True)[:5]
        keep = multi & ~oversized
        starts, sizes = starts[keep], sizes[keep]
        self.stats.largest_kept_block = int(sizes.max()) if len(sizes) else 0
        chunks: list[np.ndarray] = []
        for size in np.unique(sizes):
            block_starts = starts[sizes == size]
            members = positions[block_starts[:, None] + np.arange(size)]  # (blocks, size), ascending per row
            left_idx, right_idx = np.triu_indices(int(size), 1)
            left = members[:, left_idx].ravel().astype(np.uint64)
            right = members[:, right_idx].ravel().astype(np.uint64)
            chunks.append(np.unique((left << np.uint64(32)) | right))
        self._hashes = array("q")
        self._positions = array("q")
        if not chunks:
            return np.empty(0, dtype=np.uint64)
        codes = np.unique(np.concatenate(chunks))
        self.stats.pairs = len(codes)
        return codes


def split_code(code: int) -> tuple[int, int]:
    """(left position, right position) of a pair code."""
    return code >> 32, code & 0xFFFFFFFF
