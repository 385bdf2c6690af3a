"""Seeded generators of realistic guests: Chinese and foreign names, resident IDs, passports, phones, emails.

Nothing here touches the database. `GuestGenerator(seed).guests(n)` always returns the same people
for the same seed (names, ID numbers, phones do not depend on today's date), which both the demo
seeder and the search benchmark rely on.
"""
from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator, Sequence, TypeVar

import opencc
from pypinyin import Style, lazy_pinyin

from concierge.core.demo import data
from concierge.guests.identity import cn_id_check_char
from concierge.guests.names import hanzi_key

T = TypeVar("T")


def rng_for(seed: int, stream: str) -> random.Random:
    """An independent, reproducible random stream per purpose (guests, stays, ...) derived from one seed."""
    return random.Random(f"concierge-demo:{seed}:{stream}")


class Weighted:
    """Fast weighted choice over a fixed table (one bisect per draw)."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


@dataclass
class DocSpec:
    doc_type: str
    number: str
    issuing_country: str = ""
    expires_in_days: int | None = None


@dataclass
class GuestSpec:
    """One generated person. `phone_input` is what was typed; `phone` is its E.164 form."""

    family_name: str = ""
    given_name: str = ""
    family_name_latin: str = ""
    given_name_latin: str = ""
    gender: str = ""
    birthday: dt.date | None = None
    nationality: str = ""
    country: str = ""
    language: str = "zh-hans"
    phone_input: str = ""
    phone: str = ""
    extra_phone: str = ""
    email: str = ""
    extra_email: str = ""
    province: str = ""
    city: str = ""
    documents: list[DocSpec] = field(default_factory=list)
    status: str = "active"
    status_reason: str = ""
    tier: str = ""
    source_channel: str = "direct"
    tags: list[str] = field(default_factory=list)
    home: int = 0  # index into data.PROPERTIES
    corporate: bool = False
    kind: str = "cn"  # cn, cn_traditional, cn_latin, foreign

    @property
    def display(self) -> str:
        native = f"{self.family_name}{self.given_name}"
        return native or f"{self.family_name_latin} {self.given_name_latin}".strip()


# --- names ----------------------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _opencc(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


@lru_cache(maxsize=4096)
def surname_pinyin(family: str) -> str:
    """The reading people use for a surname: 曾 → zeng, 单 → shan, 欧阳 → ouyang."""
    simplified = hanzi_key(family)
    if simplified in data.SURNAME_READINGS:
        return data.SURNAME_READINGS[simplified]
    return "".join(lazy_pinyin(simplified, style=Style.NORMAL))


@lru_cache(maxsize=65536)
def given_pinyin(given: str) -> list[str]:
    return lazy_pinyin(hanzi_key(given), style=Style.NORMAL)


def typed_pinyin(family: str, given: str) -> str:
    """What front desk types for a Chinese name, family first: "zhang wei", "ouyang nana"."""
    return " ".join([surname_pinyin(family), "".join(given_pinyin(given))]).strip()


def typed_initials(family: str, given: str) -> str:
    """Initials of every syllable: 张伟 → zw, 欧阳娜娜 → oynn."""
    fam = lazy_pinyin(hanzi_key(family), style=Style.NORMAL)
    if hanzi_key(family) in data.SURNAME_READINGS:
        fam = [data.SURNAME_READINGS[hanzi_key(family)]]
    return "".join(s[0] for s in fam + given_pinyin(given) if s)


def passport_spelling(family: str, given: str) -> tuple[str, str]:
    """PRC passport spelling: family name and given name in capitals, ü as YU (吕 → LYU)."""
    simplified = hanzi_key(family)
    fam = data.SURNAME_PASSPORT.get(simplified) or surname_pinyin(family).upper().replace("V", "YU")
    giv = "".join(given_pinyin(given)).upper().replace("V", "YU")
    return fam, giv


# --- ID documents ---------------------------------------------------------------------------------------------


def cn_resident_id(rng: random.Random, *, region: str, birthday: dt.date, gender: str) -> str:
    """A valid 18-character PRC resident ID: region, birthday, sequence (odd = male), ISO 7064 check character."""
    seq = rng.randrange(0, 500) * 2 + (1 if gender == "M" else 0)
    first17 = f"{region}{birthday:%Y%m%d}{seq:03d}"
    return first17 + cn_id_check_char(first17)


def _digits(rng: random.Random, n: int) -> str:
    return f"{rng.randrange(10 ** n):0{n}d}"


def passport_number(rng: random.Random, country: str) -> str:
    """A passport number in the shape each country issues (not necessarily one the search heuristic knows)."""
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    if country == "CN":
        return "E" + _digits(rng, 8)
    if country == "JP":
        return rng.choice(["TK", "TR", "MZ"]) + _digits(rng, 7)
    if country == "KR":
        return "M" + _digits(rng, 8)
    if country == "US":
        return rng.choice(letters) + _digits(rng, 8)
    if country == "GB":
        return _digits(rng, 9)
    if country == "DE":
        alphabet = "0123456789CFGHJKLMNPRTVWXYZ"
        return rng.choice("CFGHJK") + "".join(rng.choice(alphabet) for _ in range(8))
    if country == "FR":
        return _digits(rng, 2) + rng.choice(letters) + rng.choice(letters) + _digits(rng, 5)
    if country == "SG":
        return rng.choice("EK") + _digits(rng, 7) + rng.choice(letters)
    return rng.choice(letters) + _digits(rng, 8)


# --- phones ---------------------------------------------------------------------------------------------------


def cn_mobile_as_typed(rng: random.Random, national: str) -> str:
    """An 11-digit mobile number in one of the ways people write it."""
    a, b, c = national[:3], national[3:7], national[7:]
    return rng.choice([
        national, national, f"{a} {b} {c}", f"{a}-{b}-{c}", f"+86 {a} {b} {c}", f"+86{national}",
        f"0086 {national}", f"(+86) {a}-{b}-{c}", f"86-{national}",
    ])


def phone_as_typed(rng: random.Random, e164: str) -> str:
    """Re-type a stored E.164 number in a random everyday format (domestic numbers without country code too)."""
    if e164.startswith("+86") and len(e164) == 14:
        return cn_mobile_as_typed(rng, e164[3:])
    for code, _pattern in data.FOREIGN_MOBILES.values():
        if e164.startswith("+" + code):
            national = e164[1 + len(code):]
            half = len(national) // 2
            return rng.choice([
                e164, f"+{code} {national[:half]} {national[half:]}", f"00{code} {national}",
                f"+{code}-{national[:half]}-{national[half:]}",
            ])
    return e164


# --- guests ---------------------------------------------------------------------------------------------------

_SURNAMES = Weighted([s for s, _w in data.SURNAMES], [w for _s, w in data.SURNAMES])
_CITIES = Weighted(data.CITIES, [c[3] for c in data.CITIES])
_FOREIGN = Weighted(list(data.FOREIGN), [v[4] for v in data.FOREIGN.values()])
_TIERS = Weighted([t for t, _w in data.TIERS], [w for _t, w in data.TIERS])
_CHANNELS = Weighted([c for c, _w in data.SOURCE_CHANNELS], [w for _c, w in data.SOURCE_CHANNELS])
_HOME = Weighted(range(len(data.PROPERTIES)), data.HOME_PROPERTY_WEIGHTS)
_AGE_BANDS = Weighted([(1950, 1964), (1965, 1974), (1975, 1984), (1985, 1994), (1995, 2004)], [8, 18, 32, 30, 12])
_STATUS = Weighted(["active", "prospect", "inactive", "lost", "unsuitable"], [82, 6, 6, 4.5, 1.5])

# Showcase people every demo has (first in the list): the cases the recognition search must handle.
SHOWCASE: list[dict[str, str]] = [
    {"family": "张", "given": "伟", "gender": "M", "kind": "cn"},
    {"family": "張", "given": "偉", "gender": "M", "kind": "cn_traditional", "nationality": "HK"},
    {"family": "陳", "given": "美玲", "gender": "F", "kind": "cn_traditional", "nationality": "TW"},
    {"family": "ZHANG", "given": "WEI", "gender": "M", "kind": "cn_latin"},
    {"family": "曾", "given": "志强", "gender": "M", "kind": "cn"},
    {"family": "单", "given": "雪", "gender": "F", "kind": "cn"},
    {"family": "解", "given": "晓东", "gender": "M", "kind": "cn"},
    {"family": "区", "given": "嘉欣", "gender": "F", "kind": "cn"},
    {"family": "仇", "given": "建华", "gender": "M", "kind": "cn"},
    {"family": "朴", "given": "美英", "gender": "F", "kind": "cn"},
    {"family": "欧阳", "given": "娜娜", "gender": "F", "kind": "cn"},
    {"family": "司马", "given": "俊杰", "gender": "M", "kind": "cn"},
    {"family": "吕", "given": "思远", "gender": "M", "kind": "cn"},
]


class GuestGenerator:
    """Generates `GuestSpec`s from one seeded stream. ID numbers are unique within a generator."""

    def __init__(self, seed: int, *, stream: str = "guests", showcase: bool = True) -> None:
        self.rng = rng_for(seed, stream)
        self.seen_ids: set[str] = set()
        self.showcase = showcase
        self.counter = 0

    def guests(self, n: int) -> Iterator[GuestSpec]:
        for _ in range(n):
            yield self.guest()

    def guest(self) -> GuestSpec:
        rng = self.rng
        index = self.counter
        self.counter += 1
        if self.showcase and index < len(SHOWCASE):
            return self._showcase(SHOWCASE[index])
        roll = rng.random()
        if roll < 0.70:
            spec = self._chinese(kind="cn")
        elif roll < 0.75:
            spec = self._chinese(kind="cn_traditional")
        elif roll < 0.80:
            spec = self._chinese(kind="cn_latin")
        else:
            spec = self._foreign()
        self._profile(spec)
        return spec

    # -- people ---------------------------------------------------------------------------------------------

    def _birthday(self) -> dt.date:
        start, end = _AGE_BANDS.pick(self.rng)
        return dt.date(self.rng.randint(start, end), self.rng.randint(1, 12), self.rng.randint(1, 28))

    def _given(self, gender: str) -> str:
        rng = self.rng
        if rng.random() < 0.3:
            return rng.choice(data.GIVEN_SINGLE[gender])
        first, second = rng.choice(data.GIVEN_FIRST[gender]), rng.choice(data.GIVEN_SECOND[gender])
        return first + second if first != second else first * 2  # 娜娜-style doubled names are common

    def _chinese(self, *, kind: str, family: str = "", given: str = "", gender: str = "",
                 nationality: str = "") -> GuestSpec:
        rng = self.rng
        gender = gender or rng.choice("MF")
        family = family or _SURNAMES.pick(rng)
        given = given or self._given(gender)
        birthday = self._birthday()
        province, city, region, _w = _CITIES.pick(rng)
        spec = GuestSpec(gender=gender, birthday=birthday, nationality="CN", country="CN", language="zh-hans",
                         province=province, city=city, kind=kind)
        latin_family, latin_given = passport_spelling(family, given)
        if kind == "cn_latin":
            # Booked through an OTA or GDS: only the pinyin spelling arrives, no hanzi.
            spec.family_name_latin, spec.given_name_latin = latin_family, latin_given
        elif kind == "cn_traditional":
            nationality = nationality or rng.choice(["HK", "TW", "MO"])
            config = {"HK": "s2hk", "TW": "s2tw", "MO": "s2hk"}[nationality]
            spec.family_name, spec.given_name = _opencc(config).convert(family), _opencc(config).convert(given)
            spec.nationality = spec.country = nationality
            spec.province, spec.city = {"HK": ("香港", "香港"), "TW": ("台湾", "台北"), "MO": ("澳门", "澳门")}[nationality]
        else:
            spec.family_name, spec.given_name = family, given
            if rng.random() < 0.35:
                spec.family_name_latin, spec.given_name_latin = latin_family, latin_given
        spec.phone, spec.phone_input = self._cn_mobile()
        spec.email = self._cn_email(family, given, birthday) if rng.random() < 0.7 else ""
        self._cn_documents(spec, region)
        return spec

    def _cn_documents(self, spec: GuestSpec, region: str, *, force_id: bool = False) -> None:
        rng = self.rng
        if spec.nationality in ("HK", "MO"):
            number = ("H" if spec.nationality == "HK" else "M") + _digits(rng, 8)
            spec.documents.append(DocSpec("hkm_permit", number, spec.nationality, rng.randint(200, 3600)))
            return
        if spec.nationality == "TW":
            spec.documents.append(DocSpec("tw_permit", _digits(rng, 8), "TW", rng.randint(200, 1800)))
            return
        if (rng.random() < 0.92 or force_id) and spec.birthday:
            while True:
                number = cn_resident_id(rng, region=region, birthday=spec.birthday, gender=spec.gender)
                if number not in self.seen_ids:
                    self.seen_ids.add(number)
                    break
            spec.documents.append(DocSpec("cn_id", number, "CN", rng.randint(300, 7000)))
        has_passport = any(d.doc_type == "passport" for d in spec.documents)
        if (rng.random() < 0.15 or spec.kind == "cn_latin") and not has_passport:
            spec.documents.append(DocSpec("passport", passport_number(rng, "CN"), "CN", rng.randint(100, 3600)))
            if not spec.family_name_latin and not spec.kind == "cn_traditional":
                spec.family_name_latin, spec.given_name_latin = passport_spelling(spec.family_name, spec.given_name)

    def _cn_mobile(self) -> tuple[str, str]:
        national = self.rng.choice(data.MOBILE_PREFIXES) + _digits(self.rng, 8)
        return "+86" + national, cn_mobile_as_typed(self.rng, national)

    def _cn_email(self, family: str, given: str, birthday: dt.date) -> str:
        rng = self.rng
        fam, giv = surname_pinyin(family), "".join(given_pinyin(given))
        domain = rng.choice(data.EMAIL_DOMAINS_CN)
        if domain == "qq.com" and rng.random() < 0.7:
            return f"{rng.randint(10000, 3999999999)}@qq.com"
        local = rng.choice([
            f"{fam}{giv}{rng.randint(1, 999)}", f"{giv}.{fam}", f"{fam}.{giv}{birthday:%y}",
            f"{fam[0]}{giv}{birthday:%m%d}", f"{fam}{giv}{birthday:%Y}",
        ])
        return f"{local}@{domain}"

    def _foreign(self) -> GuestSpec:
        rng = self.rng
        country = _FOREIGN.pick(rng)
        families, males, females, domains, _w = data.FOREIGN[country]
        gender = rng.choice("MF")
        family = rng.choice(families)
        given = rng.choice(males if gender == "M" else females)
        city, state = data.FOREIGN_CITIES[country]
        spec = GuestSpec(family_name_latin=family.upper() if country in ("JP", "KR", "SG") else family,
                         given_name_latin=given, gender=gender, birthday=self._birthday(), nationality=country,
                         country=country, language="en", city=city, province=state, kind="foreign")
        if country == "SG" and rng.random() < 0.6:
            spec.family_name, spec.given_name = data.SG_HANZI[family], data.SG_GIVEN_HANZI[given]
            spec.language = rng.choice(["zh-hans", "en"])
        code, pattern = data.FOREIGN_MOBILES[country]
        national = pattern.replace("#", "") + _digits(rng, pattern.count("#"))
        spec.phone = f"+{code}{national}"
        spec.phone_input = phone_as_typed(rng, spec.phone)
        if rng.random() < 0.85:
            local = f"{given.lower().replace(' ', '').replace('-', '')}.{family.lower()}"
            spec.email = f"{_ascii(local)}{rng.choice(['', str(rng.randint(1, 99))])}@{rng.choice(domains)}"
        spec.documents.append(DocSpec("passport", passport_number(rng, country), country, rng.randint(100, 3600)))
        return spec

    def _showcase(self, person: dict[str, str]) -> GuestSpec:
        if person["kind"] == "cn_latin":
            spec = self._chinese(kind="cn_latin", family="张", given="伟", gender=person["gender"])
            spec.family_name_latin, spec.given_name_latin = person["family"], person["given"]
        else:
            spec = self._chinese(kind="cn", family=person["family"], given=person["given"], gender=person["gender"])
            if person["kind"] == "cn_traditional":
                nationality = person["nationality"]
                spec.nationality = spec.country = nationality
                spec.province, spec.city = {"HK": ("香港", "香港"), "TW": ("台湾", "台北")}[nationality]
                spec.documents = []
                self._cn_documents(spec, "")
                spec.family_name_latin = spec.given_name_latin = ""
        if spec.nationality == "CN" and not any(d.doc_type == "cn_id" for d in spec.documents):
            spec.province, spec.city, region, _w = _CITIES.pick(self.rng)
            self._cn_documents(spec, region, force_id=True)
        self._profile(spec)
        spec.home = 0  # the demo front desk works at the first property (SHA)
        spec.status, spec.status_reason = "active", ""
        spec.tier = "集团VIP" if person["family"] in ("张", "欧阳") else spec.tier
        return spec

    def _profile(self, spec: GuestSpec) -> None:
        rng = self.rng
        spec.home = _HOME.pick(rng)
        spec.status = _STATUS.pick(rng)
        if spec.status == "unsuitable":
            spec.status_reason = rng.choice(data.UNSUITABLE_REASONS)
        elif spec.status == "lost":
            spec.status_reason = rng.choice(data.LOST_REASONS)
        spec.tier = _TIERS.pick(rng)
        spec.source_channel = _CHANNELS.pick(rng)
        spec.corporate = spec.source_channel == "corporate" or rng.random() < 0.2
        spec.tags = sorted({rng.choice(data.TAGS) for _ in range(rng.choice([0, 0, 0, 1, 1, 2]))})
        if spec.tier in ("钻石卡", "集团VIP") and "VIP" not in spec.tags:
            spec.tags.append("VIP")
        if rng.random() < 0.08:
            national = rng.choice(data.MOBILE_PREFIXES) + _digits(rng, 8)
            spec.extra_phone = "+86" + national
        if spec.email and rng.random() < 0.06:
            spec.extra_email = f"{spec.email.split('@')[0]}@work.example.cn"


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded if ch.isascii() and not unicodedata.combining(ch))
