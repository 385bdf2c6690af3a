"""Knowledge-base text search that works for Chinese: a token column of CJK bigrams and Latin word prefixes.

Why not pg_trgm or PostgreSQL full-text search alone: Chinese has no spaces, so the text-search parser sees a
whole sentence as one "word"; pg_trgm extracts trigrams from CJK only when the database's LC_CTYPE classifies
those characters as alphanumeric (true for C.UTF-8/en_US.UTF-8, false under plain "C"), and a two-character
query such as 早餐 or 停车 has no trigram at all, so the index cannot serve it. Overlapping character bigrams
(空调噪音 → 空调 调噪 噪音) are the classic CJK indexing unit and need no locale support: each article
translation stores its token set, and a query matches when the token set contains every query token.

Storage: on PostgreSQL the tokens are a ``text[]`` with a GIN index, queried with ``@>`` (array containment,
bytewise equality: locale independent). Elsewhere (SQLite in development and tests) they are one
space-delimited string queried with ``LIKE '% token %'`` per token, which is a scan but fine for a few
thousand articles.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db import models
from django.db.models import Lookup

from concierge.guests.names import to_simplified

# CJK ideographs (and the compatibility / extension blocks) form runs; Latin letters and digits form words.
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_TOKEN_RE = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
_CJK_RUN_RE = re.compile(rf"[{_CJK}]+")
# Prefixes of Latin words are indexed from this length, so "park" finds "parking" and "breakf" finds "breakfast".
MIN_PREFIX = 3
MAX_PREFIX = 12
MAX_QUERY_TOKENS = 16
STOP_WORDS = frozenset(
    "a an and are as at be by can do for from has have how i if in is it my of on or our the this to was we what"
    " when where which with you your".split()
)


def normalize_text(text: str) -> str:
    """NFKC (full-width → half-width), lower case, traditional → simplified Chinese."""
    return to_simplified(unicodedata.normalize("NFKC", text or "").lower())


def _cjk_tokens(run: str) -> list[str]:
    """Every character and every overlapping pair of a CJK run (indexing side)."""
    return list(run) + [run[i:i + 2] for i in range(len(run) - 1)]


def document_tokens(*texts: str) -> list[str]:
    """The sorted token set of a document: CJK unigrams + bigrams, Latin words, their prefixes."""
    tokens: set[str] = set()
    for text in texts:
        for match in _TOKEN_RE.findall(normalize_text(text)):
            if _CJK_RUN_RE.fullmatch(match):
                tokens.update(_cjk_tokens(match))
            elif match not in STOP_WORDS:
                tokens.add(match[:MAX_PREFIX + 8])
                tokens.update(match[:n] for n in range(MIN_PREFIX, min(len(match), MAX_PREFIX) + 1))
    return sorted(tokens)


def query_tokens(query: str) -> list[str]:
    """Tokens a document must all contain to match `query` (query side: bigrams only, prefixes as typed)."""
    tokens: list[str] = []
    for match in _TOKEN_RE.findall(normalize_text(query)):
        if _CJK_RUN_RE.fullmatch(match):
            tokens.extend([match] if len(match) == 1 else [match[i:i + 2] for i in range(len(match) - 1)])
        elif match not in STOP_WORDS:
            tokens.append(match[:MAX_PREFIX] if len(match) > MAX_PREFIX else match)
    unique = list(dict.fromkeys(tokens))
    return unique[:MAX_QUERY_TOKENS]


def query_phrases(query: str) -> list[str]:
    """The query's CJK runs and words, for ranking exact phrase matches above scattered token matches."""
    return [m for m in _TOKEN_RE.findall(normalize_text(query)) if m not in STOP_WORDS]


class TokenListField(models.Field):
    """A list of search tokens: ``text[]`` on PostgreSQL, a space-delimited ``text`` elsewhere."""

    description = "Search tokens"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[Any, ...]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def db_type(self, connection: Any) -> str:
        return "text[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        tokens = list(value or [])
        if connection.vendor == "postgresql":
            return tokens
        return f" {' '.join(tokens)} " if tokens else " "

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, list):
            return value
        return value.split()

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, str):
            return value.split()
        return list(value or [])


@TokenListField.register_lookup
class ContainsAllTokens(Lookup):
    """`tokens__has_all=[...]`: the row's tokens include every given token."""

    lookup_name = "has_all"

    def get_db_prep_lookup(self, value: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s", [list(value)]

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} @> %s::text[]", [*lhs_params, list(self.rhs)]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        tokens = list(self.rhs)
        if not tokens:
            return "1 = 1", []
        # Tokens are [a-z0-9] or CJK only (see _TOKEN_RE), so they hold no LIKE wildcards to escape.
        clauses = " AND ".join(f"{lhs} LIKE %s" for _ in tokens)
        params: list[Any] = []
        for token in tokens:
            params += [*lhs_params, f"% {token} %"]
        return f"({clauses})", params
