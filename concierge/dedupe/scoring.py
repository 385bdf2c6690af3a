"""Field-by-field match scoring of two guest records (Fellegi–Sunter).

Each field comparison lands on one *level* (for example "phone: same number"). Every level has an
``m`` probability (how often two records of the *same* person land there) and a ``u`` probability
(how often two records of *different* people do). The level's weight is ``log2(m / u)``: positive
when the evidence says "same person", negative when it says "different", 0 when a value is missing.
The pair's total weight ``W`` is the sum; the score is ``1 / (1 + 2 ** -(W - prior))``, i.e. the
posterior match probability of a pair whose prior odds are ``2 ** -prior``, with ``prior = log2(N)``
bits among N guests (see `prior_bits_for`).

Where the m and u values come from
----------------------------------
They are hand-set priors, written next to each level below, from what is known about the fields:

* ``u`` is a chance agreement rate among different people: ``1 / number of common values`` for
  postcodes and cities (several thousand of each), the summed squared frequency of family names
  (Chinese: 王/李/张 are ~7 % each, so about 0.01 after mixing with other name pools), one in
  ~20,000 for a full birthday, one in 10^5–10^6 for phones, emails and ID numbers (shared family
  phones and company mailboxes are why it is not lower).
* ``m`` is one minus the rate of typing errors, missing updates and format drift in a duplicate
  (phones and emails change over years, addresses move, names are mistyped a few percent of the time).

`estimate_weights_em` refits m and u from an unlabelled sample of candidate pairs with the EM
algorithm (the classic Fellegi–Sunter/Winkler procedure); the benchmark reports both. The module's
defaults were chosen from field knowledge and checked on the FEBRL1/FEBRL2 sets; FEBRL3/FEBRL4 are held
out as the reported benchmark.

Speed: `GuestRecord` precomputes every normalised key once (names through pinyin, phones to E.164,
IDs to their blind-index hash), so comparing two records is a few string equality checks and, for
names and addresses, a rapidfuzz call.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import field as dataclass_field
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler, Levenshtein

from concierge.core.phones import normalize_phone
from concierge.guests.identity import id_number_hash, normalize_id_number
from concierge.guests.names import hanzi_key, has_cjk, latin_key, pinyin_variants, split_full_name, to_simplified

# --- levels and weights --------------------------------------------------------------------------------------

AGREE, PARTIAL, DISAGREE, MISSING = "agree", "partial", "disagree", "missing"

# The prior: how likely two records picked at random are the same person. If each guest has about one
# duplicate at most, the odds for a random pair are about 1 : N among N guests, i.e. log2(N) bits of
# evidence are needed to reach a score of 0.5. With more guests more namesakes share a birthday, so the
# bar rises with the population: ~12 bits for 5,000 guests (a name plus a birthday, a phone, an email or
# an ID number passes; an exact name alone, ~10 bits, does not), ~20 bits for a million (a name and a
# birthday alone is then uncertain; add a phone or an ID and it is not). Never below PRIOR_BITS.
PRIOR_BITS = 12.0


def prior_bits_for(population: int) -> float:
    """Evidence (bits) needed for a score of 0.5 among `population` guests."""
    return max(PRIOR_BITS, math.log2(population)) if population > 1 else PRIOR_BITS


@dataclass(frozen=True)
class Level:
    """One outcome of one field comparison, with its Fellegi–Sunter m and u probabilities."""

    field: str
    code: str
    outcome: str  # agree / partial / disagree / missing
    m: float
    u: float
    label: Promise | str
    weight: float = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Computed once: the finder sums millions of these.
        object.__setattr__(self, "weight", 0.0 if self.outcome == MISSING else math.log2(self.m / self.u))


def _levels(field_name: str, *rows: tuple[str, str, float, float, Any]) -> dict[str, Level]:
    return {code: Level(field_name, code, outcome, m, u, label) for code, outcome, m, u, label in rows}


# m, u per level. Rows of a field sum (roughly) to 1 in both m and u; "missing" carries no weight.
LEVELS: dict[str, dict[str, Level]] = {
    "id_number": _levels(
        "id_number",
        # ID numbers are unique per person; u covers data-entry collisions. Duplicates often carry a
        # different document (passport vs resident ID), so disagreement is only counted for the same type.
        ("same", AGREE, 0.97, 1e-6, _("same ID number")),
        ("differs", DISAGREE, 0.03, 1.0, _("ID number differs")),
    ),
    "phone": _levels(
        "phone",
        ("same", AGREE, 0.80, 2e-5, _("same phone")),  # u: shared family / office numbers
        ("similar", PARTIAL, 0.05, 2e-4, _("phone differs by one digit")),
        ("differs", DISAGREE, 0.15, 1.0, _("phone differs")),  # numbers change over the years
    ),
    "email": _levels(
        "email",
        ("same", AGREE, 0.80, 1e-5, _("same email")),
        ("same_user", PARTIAL, 0.05, 1e-4, _("same email name, other domain")),
        ("similar", PARTIAL, 0.03, 1e-4, _("email differs by one character")),
        ("differs", DISAGREE, 0.12, 1.0, _("email differs")),
    ),
    "name": _levels(
        "name",
        # Whole-name levels, used when the full name settles it (same characters, same pinyin, same Latin
        # spelling in either order). m and u are those of "same family name" x "same given name", so the
        # whole name weighs what both parts would, and never less than a near miss.
        ("hanzi", AGREE, 0.90 * 0.88, 0.02 * 0.03, _("same Chinese name")),
        ("pinyin", AGREE, 0.90 * 0.88, 0.02 * 0.03, _("name pinyin equal")),
        ("same", AGREE, 0.90 * 0.88, 0.02 * 0.03, _("same name")),
        ("homophone", PARTIAL, 0.05 * 0.06, 0.003 * 0.004, _("name sounds the same, written differently")),
    ),
    "family_name": _levels(
        "family_name",
        ("same", AGREE, 0.90, 0.02, _("same family name")),  # u: 王/李/张 ~7 % each among Chinese guests
        ("close", PARTIAL, 0.05, 0.003, _("family name nearly the same")),  # Jaro-Winkler >= 0.92
        ("similar", PARTIAL, 0.02, 0.02, _("family name similar")),  # >= 0.80: no evidence either way
        ("differs", DISAGREE, 0.03, 0.957, _("family name differs")),
    ),
    "given_name": _levels(
        "given_name",
        ("same", AGREE, 0.88, 0.03, _("same given name")),
        ("close", PARTIAL, 0.06, 0.004, _("given name nearly the same")),
        ("initial", PARTIAL, 0.02, 0.04, _("given name matches the initial")),
        ("similar", PARTIAL, 0.02, 0.02, _("given name similar")),
        # Twins and siblings share a family name and often a birthday and address: a wholly different given
        # name is strong evidence of two people (m is small, and English names are caught by "similar").
        ("differs", DISAGREE, 0.01, 0.906, _("given name differs")),
    ),
    "swap": _levels(
        "swap",
        # Not a field: a note that family and given names were compared crosswise. Costs a little, since
        # a crosswise match of two different people is likelier than a straight one.
        ("swapped", PARTIAL, 0.5, 1.0, _("family and given names swapped")),
    ),
    "birthday": _levels(
        "birthday",
        ("same", AGREE, 0.88, 5e-5, _("same birthday")),  # ~ 1 / (365 days x 55 birth years)
        ("transposed", PARTIAL, 0.02, 5e-5, _("birthday day and month swapped")),
        ("year", PARTIAL, 0.03, 0.002, _("birth year differs")),  # same month and day
        ("typo", PARTIAL, 0.04, 0.004, _("birthday differs by one digit")),
        ("differs", DISAGREE, 0.03, 0.994, _("birthday differs")),
    ),
    "gender": _levels(
        "gender",
        ("same", AGREE, 0.97, 0.5, _("same gender")),
        ("differs", DISAGREE, 0.03, 0.5, _("gender differs")),
    ),
    "postcode": _levels(
        "postcode",
        ("same", AGREE, 0.85, 0.002, _("same postcode")),
        ("similar", PARTIAL, 0.08, 0.02, _("postcode differs by one character")),
        ("differs", DISAGREE, 0.07, 0.978, _("postcode differs")),
    ),
    "address": _levels(
        "address",
        ("same", AGREE, 0.70, 2e-4, _("same address")),  # token_set_ratio >= 95
        ("close", PARTIAL, 0.15, 1e-3, _("address nearly the same")),  # >= 85
        ("similar", PARTIAL, 0.06, 0.01, _("address similar")),  # >= 70
        ("differs", DISAGREE, 0.09, 0.989, _("address differs")),
    ),
    "city": _levels(
        "city",
        ("same", AGREE, 0.85, 0.05, _("same city")),  # many guests of a hotel come from a few cities
        ("close", PARTIAL, 0.06, 0.004, _("city nearly the same")),
        ("differs", DISAGREE, 0.09, 0.946, _("city differs")),
    ),
    "province": _levels(
        "province",
        ("same", AGREE, 0.95, 0.3, _("same province")),  # a hotel's guests come from few provinces
        ("differs", DISAGREE, 0.05, 0.7, _("province differs")),
    ),
    "nationality": _levels(
        "nationality",
        ("same", AGREE, 0.97, 0.8, _("same nationality")),  # most guests of a Chinese hotel are CN
        ("differs", DISAGREE, 0.03, 0.2, _("nationality differs")),
    ),
}

FIELD_LABELS: dict[str, Promise] = {
    "id_number": _("ID number"), "phone": _("phone"), "email": _("email"), "name": _("name"),
    "family_name": _("family name"), "given_name": _("given name"), "swap": _("name order"),
    "birthday": _("birthday"), "gender": _("gender"), "postcode": _("postcode"), "address": _("address"),
    "city": _("city"), "province": _("province / state"), "nationality": _("nationality"),
}


def _weights_table(levels: Mapping[str, Mapping[str, Level]]) -> dict[tuple[str, str], float]:
    return {(f, code): lvl.weight for f, by_code in levels.items() for code, lvl in by_code.items()}


# --- the record ----------------------------------------------------------------------------------------------

_POSTCODE_RE = re.compile(r"[^0-9A-Z]")
_SPACES_RE = re.compile(r"\s+")
_PUNCT_RE = re.compile(r"[^\w\s]")


@dataclass(slots=True)
class GuestRecord:
    """A guest (saved or not) reduced to normalised comparison keys. Build with the `from_*` helpers."""

    id: int | None = None
    ref: str = ""
    source: str = ""
    hanzi: str = ""  # simplified characters of the whole native name
    family: tuple[str, ...] = ()  # Latin keys of the family name: pinyin readings and Latin spellings
    given: tuple[str, ...] = ()
    full: tuple[str, ...] = ()  # whole-name keys in both orders (zhangwei, weizhang)
    birthday: str = ""  # YYYYMMDD
    gender: str = ""
    phones: tuple[str, ...] = ()  # E.164
    emails: tuple[str, ...] = ()
    ids: tuple[tuple[str, str], ...] = ()  # (document type, blind-index hash)
    postcode: str = ""
    address: str = ""
    city: str = ""
    province: str = ""
    nationality: str = ""

    @classmethod
    def from_guest(
        cls, guest: Any, *, phones: Iterable[str] = (), emails: Iterable[str] = (),
        documents: Iterable[tuple[str, str]] = (),
    ) -> GuestRecord:
        """From a Guest instance; extra phones/emails (contact points) and (doc_type, number_hash) pairs."""
        return build_record(
            id=guest.pk, ref=guest.external_ref, source=guest.source,
            family_name=guest.family_name, given_name=guest.given_name,
            family_name_latin=guest.family_name_latin, given_name_latin=guest.given_name_latin,
            birthday=guest.birthday, gender=guest.gender, phones=[guest.phone, *phones],
            emails=[guest.email, *emails], documents=documents, postcode=guest.postcode,
            address_1=guest.address_1, address_2=guest.address_2, city=guest.city, province=guest.province,
            nationality=guest.nationality, normalised=True,
        )

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> GuestRecord:
        """From a dict of raw form or import values (the canonical import headers; see docs/import.md).

        Tolerant: an unparsable phone, ID number or date is simply left out of the comparison.
        """
        family, given = values.get("family_name") or "", values.get("given_name") or ""
        full_name = values.get("full_name") or ""
        if full_name and not (family or given):
            family, given = split_full_name(str(full_name))
        phones = [values.get("phone") or "", *(values.get("extra_phones") or ())]
        emails = [values.get("email") or "", *(values.get("extra_emails") or ())]
        docs: list[tuple[str, str]] = []
        if values.get("id_number"):
            docs.append((values.get("id_type") or values.get("doc_type") or "", str(values["id_number"])))
        for doc in values.get("id_documents") or ():
            docs.append((doc.get("doc_type") or "", str(doc.get("number") or "")))
        return build_record(
            id=values.get("id"), ref=str(values.get("external_ref") or ""), source=str(values.get("source") or ""),
            family_name=str(family), given_name=str(given),
            family_name_latin=str(values.get("family_name_latin") or ""),
            given_name_latin=str(values.get("given_name_latin") or ""),
            birthday=values.get("birthday"), gender=str(values.get("gender") or ""),
            phones=[str(p) for p in phones], emails=[str(e) for e in emails],
            documents=[(t, id_number_hash(normalize_id_number(n))) for t, n in docs if normalize_id_number(n)],
            postcode=str(values.get("postcode") or ""), address_1=str(values.get("address_1") or ""),
            address_2=str(values.get("address_2") or ""), city=str(values.get("city") or ""),
            province=str(values.get("province") or ""), nationality=str(values.get("nationality") or ""),
            normalised=False,
        )


@lru_cache(maxsize=262_144)
def _name_parts(
    family: str, given: str, family_latin: str, given_latin: str,
) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(hanzi, family keys, given keys, whole-name keys). Cached: names repeat a lot in a guest base."""
    hanzi = ""
    fam: list[str] = []
    giv: list[str] = []
    if has_cjk(family + given):
        hanzi = hanzi_key(family) + hanzi_key(given)
        for fam_syl, giv_syl in pinyin_variants(family, given):
            fam.append("".join(fam_syl))
            giv.append("".join(giv_syl))
    elif family or given:
        fam.append(latin_key(family))
        giv.append(latin_key(given))
    if family_latin or given_latin:
        fam.append(latin_key(family_latin))
        giv.append(latin_key(given_latin))
    fam_t = tuple(dict.fromkeys(k for k in fam if k))
    giv_t = tuple(dict.fromkeys(k for k in giv if k))
    full: dict[str, None] = {}
    for f in fam_t or ("",):
        for g in giv_t or ("",):
            if f or g:
                full[f + g] = None
                full[g + f] = None
    return hanzi, fam_t, giv_t, tuple(full)


def birthday_key(value: Any) -> str:
    """YYYYMMDD from a date or a string in the usual layouts (2001-02-03, 2001/2/3, 20010203); else ''."""
    if not value:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}{value.month:02d}{value.day:02d}"
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?(?:[ T].*)?", text)
    if not match:
        return ""
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1850 <= year <= 2100):
        return ""
    return f"{year:04d}{month:02d}{day:02d}"


_GENDERS = {"m": "M", "male": "M", "男": "M", "f": "F", "female": "F", "女": "F", "x": "X"}


def _place_key(text: str) -> str:
    return hanzi_key(text) if has_cjk(text) else latin_key(text)


@lru_cache(maxsize=65_536)
def _place_key_cached(text: str) -> str:
    return _place_key(text)


def build_record(
    *, id: int | None = None, ref: str = "", source: str = "",  # noqa: A002
    family_name: str = "", given_name: str = "", family_name_latin: str = "", given_name_latin: str = "",
    birthday: Any = None, gender: str = "", phones: Sequence[str] = (), emails: Sequence[str] = (),
    documents: Iterable[tuple[str, str]] = (), postcode: str = "", address_1: str = "", address_2: str = "",
    city: str = "", province: str = "", nationality: str = "", normalised: bool = False,
) -> GuestRecord:
    """Normalise every comparison key once. `normalised=True` trusts phones (E.164) and emails as stored."""
    hanzi, fam, giv, full = _name_parts(
        (family_name or "").strip(), (given_name or "").strip(),
        (family_name_latin or "").strip(), (given_name_latin or "").strip(),
    )
    if normalised:
        phone_t = tuple(dict.fromkeys(p for p in phones if p))
    else:
        clean = []
        for raw in phones:
            try:
                clean.append(normalize_phone(raw))
            except ValidationError:
                continue
        phone_t = tuple(dict.fromkeys(p for p in clean if p))
    email_t = tuple(dict.fromkeys(e.strip().lower() for e in emails if e and e.strip()))
    address = " ".join(p for p in (address_1, address_2) if p)
    if address:
        address = _SPACES_RE.sub(" ", _PUNCT_RE.sub(" ", to_simplified(address).lower())).strip()
    return GuestRecord(
        id=id, ref=ref or "", source=source or "", hanzi=hanzi, family=fam, given=giv, full=full,
        birthday=birthday_key(birthday), gender=_GENDERS.get((gender or "").strip().lower(), ""),
        phones=phone_t, emails=email_t, ids=tuple(dict.fromkeys((t or "", h) for t, h in documents if h)),
        postcode=_POSTCODE_RE.sub("", (postcode or "").upper()), address=address,
        city=_place_key_cached(city) if city else "", province=_place_key_cached(province) if province else "",
        nationality=(nationality or "").strip().upper(),
    )


# --- comparisons ---------------------------------------------------------------------------------------------

_L = LEVELS


def _best_similarity(xs: tuple[str, ...], ys: tuple[str, ...]) -> float:
    best = 0.0
    for x in xs:
        for y in ys:
            if x == y:
                return 1.0
            sim = JaroWinkler.similarity(x, y)
            if sim > best:
                best = sim
    return best


def _name_level(field_name: str, sim: float, xs: tuple[str, ...], ys: tuple[str, ...]) -> Level:
    levels = _L[field_name]
    if sim >= 1.0:
        return levels["same"]
    if sim >= 0.92:
        return levels["close"]
    if field_name == "given_name" and _initial_match(xs, ys):
        return levels["initial"]
    if sim >= 0.80:
        return levels["similar"]
    return levels["differs"]


def _initial_match(xs: tuple[str, ...], ys: tuple[str, ...]) -> bool:
    return any(
        (len(x) == 1 or len(y) == 1) and x[0] == y[0] for x in xs for y in ys
    )


def _compare_names(a: GuestRecord, b: GuestRecord, out: list[Level]) -> None:
    if not (a.full and b.full):
        return
    if a.hanzi and b.hanzi and a.hanzi == b.hanzi:
        out.append(_L["name"]["hanzi"])
        return
    if set(a.full).intersection(b.full):
        if a.hanzi and b.hanzi:
            out.append(_L["name"]["homophone"])
        else:
            out.append(_L["name"]["pinyin" if (a.hanzi or b.hanzi) else "same"])
        return
    straight_f = _best_similarity(a.family, b.family) if a.family and b.family else -1.0
    straight_g = _best_similarity(a.given, b.given) if a.given and b.given else -1.0
    cross_f = _best_similarity(a.family, b.given) if a.family and b.given else -1.0
    cross_g = _best_similarity(a.given, b.family) if a.given and b.family else -1.0
    straight = max(straight_f, 0) + max(straight_g, 0)
    cross = max(cross_f, 0) + max(cross_g, 0)
    if cross > straight + 0.2 and cross_f >= 0.92 and cross_g >= 0.92:
        out.append(_L["swap"]["swapped"])
        out.append(_name_level("family_name", cross_f, a.family, b.given))
        out.append(_name_level("given_name", cross_g, a.given, b.family))
        return
    if straight_f >= 0:
        out.append(_name_level("family_name", straight_f, a.family, b.family))
    if straight_g >= 0:
        out.append(_name_level("given_name", straight_g, a.given, b.given))


def _compare_birthday(x: str, y: str) -> Level:
    levels = _L["birthday"]
    if x == y:
        return levels["same"]
    if x[4:6] == y[6:8] and x[6:8] == y[4:6] and x[:4] == y[:4]:
        return levels["transposed"]
    if x[4:] == y[4:]:
        return levels["year"]
    if len(x) == len(y) and sum(c != d for c, d in zip(x, y, strict=True)) == 1:
        return levels["typo"]
    return levels["differs"]


def _compare_sets(xs: tuple[str, ...], ys: tuple[str, ...], levels: dict[str, Level], fuzzy_code: str) -> Level:
    if set(xs).intersection(ys):
        return levels["same"]
    for x in xs:
        for y in ys:
            if len(x) == len(y) and Levenshtein.distance(x, y, score_cutoff=1) <= 1:
                return levels[fuzzy_code]
    return levels["differs"]


def _compare_email(xs: tuple[str, ...], ys: tuple[str, ...]) -> Level:
    levels = _L["email"]
    if set(xs).intersection(ys):
        return levels["same"]
    users_x = {x.split("@", 1)[0] for x in xs}
    if any(len(u) >= 4 for u in users_x.intersection(y.split("@", 1)[0] for y in ys)):
        return levels["same_user"]
    for x in xs:
        for y in ys:
            if Levenshtein.distance(x, y, score_cutoff=1) <= 1:
                return levels["similar"]
    return levels["differs"]


def _compare_ids(a: GuestRecord, b: GuestRecord) -> Level | None:
    hashes_a = {h for _t, h in a.ids}
    if hashes_a.intersection(h for _t, h in b.ids):
        return _L["id_number"]["same"]
    # Different numbers only count against a match when both hold the same kind of document.
    types_a = {t for t, _h in a.ids}
    if types_a.intersection(t for t, _h in b.ids):
        return _L["id_number"]["differs"]
    return None


def _compare_address(x: str, y: str) -> Level:
    levels = _L["address"]
    if x == y:
        return levels["same"]
    # token_set_ratio ignores word order and extra words; the space-free ratio forgives
    # run-together words ("pridhamstreet").
    sim = max(fuzz.token_set_ratio(x, y), fuzz.ratio(x.replace(" ", ""), y.replace(" ", "")))
    if sim >= 95:
        return levels["same"]
    if sim >= 85:
        return levels["close"]
    if sim >= 70:
        return levels["similar"]
    return levels["differs"]


def compare(a: GuestRecord, b: GuestRecord) -> list[Level]:
    """The level of every comparable field of the pair (missing values are left out)."""
    out: list[Level] = []
    if a.ids and b.ids:
        level = _compare_ids(a, b)
        if level is not None:
            out.append(level)
    if a.phones and b.phones:
        out.append(_compare_sets(a.phones, b.phones, _L["phone"], "similar"))
    if a.emails and b.emails:
        out.append(_compare_email(a.emails, b.emails))
    _compare_names(a, b, out)
    if a.birthday and b.birthday:
        out.append(_compare_birthday(a.birthday, b.birthday))
    if a.gender and b.gender:
        out.append(_L["gender"]["same" if a.gender == b.gender else "differs"])
    if a.postcode and b.postcode:
        out.append(_compare_sets((a.postcode,), (b.postcode,), _L["postcode"], "similar"))
    if a.address and b.address:
        out.append(_compare_address(a.address, b.address))
    if a.city and b.city:
        if a.city == b.city:
            out.append(_L["city"]["same"])
        elif JaroWinkler.similarity(a.city, b.city) >= 0.9:
            out.append(_L["city"]["close"])
        else:
            out.append(_L["city"]["differs"])
    if a.province and b.province:
        out.append(_L["province"]["same" if a.province == b.province else "differs"])
    if a.nationality and b.nationality:
        out.append(_L["nationality"]["same" if a.nationality == b.nationality else "differs"])
    return out


def probability(weight: float, prior_bits: float = PRIOR_BITS) -> float:
    """Logistic of the summed weight (bits) against the prior: 0–1."""
    exponent = -(weight - prior_bits)
    if exponent > 60:
        return 0.0
    return 1.0 / (1.0 + 2.0 ** exponent)


@dataclass
class MatchResult:
    """Score of a pair: total weight in bits, 0–1 score, and the levels behind it."""

    weight: float
    score: float
    levels: list[Level] = field(default_factory=list)

    def reasons(self) -> list[dict[str, Any]]:
        """JSON-ready: one entry per compared field, strongest evidence first."""
        return reasons_json(self.levels)

    def text(self) -> str:
        return reasons_text(self.reasons())


def score_pair(
    a: GuestRecord, b: GuestRecord, *, weights: Mapping[tuple[str, str], float] | None = None,
    prior_bits: float = PRIOR_BITS,
) -> MatchResult:
    """Compare two records field by field and sum the weights; the score is against `prior_bits`."""
    levels = compare(a, b)
    if weights is None:
        total = sum(level.weight for level in levels)
    else:
        total = sum(weights.get((level.field, level.code), level.weight) for level in levels)
    return MatchResult(weight=total, score=probability(total, prior_bits), levels=levels)


def pair_weight(a: GuestRecord, b: GuestRecord) -> float:
    """Summed weight only (the finder's hot loop)."""
    return sum(level.weight for level in compare(a, b))


# --- reasons -------------------------------------------------------------------------------------------------

_OUTCOME_ORDER = {AGREE: 0, PARTIAL: 1, DISAGREE: 2, MISSING: 3}


def reasons_json(levels: Iterable[Level]) -> list[dict[str, Any]]:
    rows = [
        {"field": lvl.field, "level": lvl.code, "outcome": lvl.outcome, "weight": round(lvl.weight, 2)}
        for lvl in levels
    ]
    rows.sort(key=lambda r: (_OUTCOME_ORDER[r["outcome"]], -abs(r["weight"])))
    return rows


def reason_label(field_name: str, code: str) -> str:
    level = LEVELS.get(field_name, {}).get(code)
    return str(level.label) if level else f"{field_name}: {code}"


def reasons_text(reasons: Iterable[Mapping[str, Any]], *, limit: int | None = None) -> str:
    """"same phone; name pinyin equal; birthday differs" in the active language."""
    rows = [r for r in reasons if r.get("outcome") != MISSING]
    if limit is not None:
        rows = rows[:limit]
    return "; ".join(reason_label(r["field"], r["level"]) for r in rows)


def reasons_side_by_side(reasons: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Split into agreeing / partly agreeing / disagreeing fields, each with its translated label."""
    grouped: dict[str, list[dict[str, Any]]] = {AGREE: [], PARTIAL: [], DISAGREE: []}
    for row in reasons:
        if row.get("outcome") in grouped:
            grouped[row["outcome"]].append({
                **row, "label": reason_label(row["field"], row["level"]),
                "field_label": str(FIELD_LABELS.get(row["field"], row["field"])),
            })
    return grouped


# --- EM estimation of m and u --------------------------------------------------------------------------------


def estimate_weights_em(
    pairs: Iterable[tuple[GuestRecord, GuestRecord]], *, iterations: int = 30, prior: float = 0.1,
    smoothing: float = 1e-6,
) -> tuple[dict[tuple[str, str], float], float]:
    """Fit m and u per level with EM on unlabelled candidate pairs; returns (weights by level, match share).

    Each field is one categorical variable (its level code, or "missing"), assumed independent given the
    match status (the Fellegi–Sunter model). Start from the module's m/u values.
    """
    vectors: list[dict[str, str]] = []
    for a, b in pairs:
        vectors.append({lvl.field: lvl.code for lvl in compare(a, b)})
    if not vectors:
        return _weights_table(LEVELS), prior
    fields = sorted(LEVELS)
    m = {f: {c: lvl.m for c, lvl in LEVELS[f].items()} for f in fields}
    u = {f: {c: lvl.u for c, lvl in LEVELS[f].items()} for f in fields}
    p = prior
    for _iteration in range(iterations):
        m_acc = {f: dict.fromkeys(LEVELS[f], smoothing) for f in fields}
        u_acc = {f: dict.fromkeys(LEVELS[f], smoothing) for f in fields}
        total_g = 0.0
        for vec in vectors:
            lm = math.log(p)
            lu = math.log(1 - p)
            for f, code in vec.items():
                lm += math.log(max(m[f][code], 1e-12))
                lu += math.log(max(u[f][code], 1e-12))
            diff = lu - lm
            g = 1.0 / (1.0 + math.exp(diff)) if diff < 700 else 0.0
            total_g += g
            for f, code in vec.items():
                m_acc[f][code] += g
                u_acc[f][code] += 1 - g
        p = min(max(total_g / len(vectors), 1e-6), 1 - 1e-6)
        for f in fields:
            m_sum = sum(m_acc[f].values())
            u_sum = sum(u_acc[f].values())
            m[f] = {c: v / m_sum for c, v in m_acc[f].items()}
            u[f] = {c: v / u_sum for c, v in u_acc[f].items()}
    weights = {(f, c): math.log2(max(m[f][c], 1e-12) / max(u[f][c], 1e-12)) for f in fields for c in LEVELS[f]}
    return weights, p
