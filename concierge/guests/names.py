"""Name normalisation and search keys for Chinese and Latin names.

Chinese names are folded from traditional to simplified (OpenCC t2s) and turned into pinyin keys
(full, both orders, initials). Every reading of the family name is indexed (曾 zeng/ceng, 单
shan/dan, 解 xie/jie, 区 ou/qu, 仇 qiu/chou, 朴 piao/pu), because pypinyin reads heteronym surnames
with their common-word reading by default. ü is indexed as v, u and yu (吕 lv/lu/lyu).
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

import opencc
from pypinyin import Style, lazy_pinyin, pinyin

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]")
_MAX_VARIANTS = 6


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def has_cjk(text: str) -> bool:
    return bool(_CJK_RE.search(text or ""))


def to_simplified(text: str) -> str:
    """Fold traditional characters to simplified; leaves other text unchanged."""
    if not text or not has_cjk(text):
        return text or ""
    return _t2s().convert(text)


def hanzi_key(text: str) -> str:
    """Simplified CJK characters only, no spaces or punctuation (张 偉 → 张伟)."""
    return "".join(_CJK_RE.findall(to_simplified(text or "")))


def latin_key(text: str) -> str:
    """Lower-case ASCII letters and digits only; accents folded (Zoë Müller-Lüdenscheidt → zoemullerludenscheidt)."""
    folded = unicodedata.normalize("NFKD", text or "")
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    return _NON_ALNUM_RE.sub("", folded)


def _u_variants(syllable: str) -> list[str]:
    if "v" not in syllable:
        return [syllable]
    return [syllable, syllable.replace("v", "u"), syllable.replace("v", "yu")]


def _readings(chars: str, *, all_readings: bool) -> list[list[str]]:
    """Pinyin readings per character. For family names every reading counts; else the phrase reading."""
    if all_readings:
        per_char = pinyin(chars, style=Style.NORMAL, heteronym=True, errors="ignore")
    else:
        per_char = [[s] for s in lazy_pinyin(chars, style=Style.NORMAL, errors="ignore")]
    return [sorted({v for s in readings for v in _u_variants(s.lower())}) for readings in per_char]


def _combine(parts: list[list[str]]) -> list[tuple[str, ...]]:
    return list(itertools.islice(itertools.product(*parts), _MAX_VARIANTS)) if parts else []


def pinyin_variants(family: str, given: str) -> list[tuple[list[str], list[str]]]:
    """All (family syllables, given syllables) readings of a Chinese name, family readings exhaustive."""
    family_s = hanzi_key(family)
    given_s = hanzi_key(given)
    fam = _combine(_readings(family_s, all_readings=True)) if family_s else [()]
    giv = _combine(_readings(given_s, all_readings=False)) if given_s else [()]
    return [(list(f), list(g)) for f in fam for g in giv][:_MAX_VARIANTS]


def name_keys(
    *, family: str = "", given: str = "", family_latin: str = "", given_latin: str = ""
) -> dict[str, set[str]]:
    """Search keys for a person's name: {'hanzi': {...}, 'name': {...}, 'initials': {...}}."""
    keys: dict[str, set[str]] = {"hanzi": set(), "name": set(), "initials": set()}
    native = f"{family}{given}"
    if has_cjk(native):
        hz = hanzi_key(family) + hanzi_key(given)
        if hz:
            keys["hanzi"].add(hz)
        for fam, giv in pinyin_variants(family, given):
            keys["name"].add("".join(fam + giv))
            keys["name"].add("".join(giv + fam))
            keys["initials"].add("".join(s[0] for s in fam + giv if s))
    elif family or given:
        _add_latin(keys, family, given)
    if family_latin or given_latin:
        _add_latin(keys, family_latin, given_latin)
    for kind in keys:
        keys[kind].discard("")
    return keys


def _add_latin(keys: dict[str, set[str]], family: str, given: str) -> None:
    fam, giv = latin_key(family), latin_key(given)
    keys["name"].add(fam + giv)
    keys["name"].add(giv + fam)
    fam_words = [latin_key(w) for w in re.split(r"[\s\-]+", family or "") if latin_key(w)]
    giv_words = [latin_key(w) for w in re.split(r"[\s\-]+", given or "") if latin_key(w)]
    if fam_words or giv_words:
        keys["initials"].add("".join(w[0] for w in fam_words + giv_words))
        keys["initials"].add("".join(w[0] for w in giv_words + fam_words))


def company_keys(*, name_zh: str = "", name_en: str = "") -> set[str]:
    """Keys for a company: simplified hanzi, its pinyin, and the Latin name."""
    keys: set[str] = set()
    hz = hanzi_key(name_zh)
    if hz:
        keys.add(hz)
        keys.add("".join(lazy_pinyin(hz, style=Style.NORMAL)))
    if name_en:
        keys.add(latin_key(name_en))
    if name_zh and not hz:
        keys.add(latin_key(name_zh))
    keys.discard("")
    return {k[:120] for k in keys}


def split_full_name(full_name: str) -> tuple[str, str]:
    """Split a single "full name" into (family, given). CJK: first char (or known compound surname)."""
    text = (full_name or "").strip()
    if not text:
        return "", ""
    if has_cjk(text):
        compact = re.sub(r"\s+", "", text)
        simplified = to_simplified(compact)
        size = 2 if simplified[:2] in COMPOUND_SURNAMES and len(compact) > 2 else 1
        return compact[:size], compact[size:]
    if "," in text:
        family, given = text.split(",", 1)
        return family.strip(), given.strip()
    parts = text.split()
    if len(parts) == 1:
        return parts[0], ""
    return parts[-1], " ".join(parts[:-1])


COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 轩辕 端木 独孤 南宫 西门 百里 呼延 澹台 万俟 闻人".split()
)
