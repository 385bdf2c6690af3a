"""Cell cleaning for imports: one `RowReader` per row collects the typed values, the row's errors
(the row is rejected) and its warnings (an optional cell could not be read: the raw text is kept and
the row still imports).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Iterable, Mapping

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from concierge.core.phones import normalize_phone
from concierge.guests.choices import DocumentType, Gender
from concierge.guests.identity import mask_id_number, normalize_id_number
from concierge.imports.parsers import MAX_CELL_CHARS, unneutralise

_LIST_SPLIT_RE = re.compile(r"\s*[;,，；|、]\s*")
_MULTI_SPLIT_RE = re.compile(r"\s*[;,，；|、/]\s*")
_ISO_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?")
_COMPACT_DATE_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DMY_RE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T].*)?")
_MONEY_STRIP_RE = re.compile(r"[\s,¥￥$€£]|CNY|RMB|EUR|USD|元", re.IGNORECASE)
_email_validator = EmailValidator()


@dataclass
class Issue:
    """A rejection or a warning for one cell (or the whole row when `field` is "")."""

    row: int
    field: str
    message: str
    code: str = ""
    raw: str = ""
    target: Any = None  # the guest, company or stay the row became (linked to the stored issue after commit)

    def as_dict(self) -> dict[str, Any]:
        data = {"row": self.row, "field": self.field, "reason": self.message}
        if self.raw:
            data["raw"] = self.raw
        return data


def _raw_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


class RowReader:
    """Reads the cells of one row. `errors` non-empty means the row is rejected."""

    def __init__(self, row: int, values: Mapping[str, Any]) -> None:
        self.row = row
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.values: dict[str, Any] = {}
        for name, value in values.items():
            if isinstance(value, str):
                value = value.strip()
                if value[:1] == "'":
                    value = unneutralise(value)
                if len(value) > MAX_CELL_CHARS:
                    self.reject(name, _("The cell is %(n)s characters long; the limit is %(max)s.")
                                % {"n": len(value), "max": MAX_CELL_CHARS}, code="cell_too_long",
                                raw=value[:200] + "…")
                    value = ""
            self.values[name] = value

    # --- issues ----------------------------------------------------------------------------------------------

    def reject(self, field: str, message: str, *, code: str = "invalid", raw: str = "") -> None:
        self.errors.append(Issue(self.row, field, message, code, raw))

    def warn(self, field: str, message: str, *, code: str = "unreadable", raw: str = "") -> None:
        self.warnings.append(Issue(self.row, field, message, code, raw))

    def kept_raw(self, field: str, raw: str, message: str | None = None) -> None:
        self.warn(field, message or _("Could not read “%(value)s”; the value was kept as text.") % {"value": raw[:80]},
                  raw=raw)

    @property
    def ok(self) -> bool:
        return not self.errors

    # --- readers ---------------------------------------------------------------------------------------------

    def has(self, name: str) -> bool:
        return self.raw(name) != ""

    def raw(self, name: str) -> str:
        value = self.values.get(name)
        if value is None or value.__class__ is str:
            return value or ""  # strings were trimmed on the way in
        return _raw_text(value).strip()

    def text(self, name: str, max_length: int | None = None, *, strict: bool = False) -> str:
        """Trimmed text. Over `max_length`: rejected when `strict`, else truncated with a warning."""
        value = self.raw(name)
        if max_length and len(value) > max_length:
            if strict:
                self.reject(name, _("Longer than %(max)s characters.") % {"max": max_length}, code="too_long",
                            raw=value[:200])
                return ""
            self.warn(name, _("Longer than %(max)s characters; cut to fit (the full text is kept here).")
                      % {"max": max_length}, code="truncated", raw=value)
            value = value[:max_length]
        return value

    def date(self, name: str, *, not_after: dt.date | None = None, required: bool = False) -> dt.date | None:
        value = self.values.get(name)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        raw = self.raw(name)
        if not raw:
            if required:
                self.reject(name, _("A date is required."), code="required")
            return None
        parsed, ambiguous = parse_date(raw)
        if parsed and not_after and parsed > not_after:
            parsed = None
        if parsed is None:
            message = (_("“%(value)s” could be day/month or month/day; write dates as YYYY-MM-DD.") if ambiguous
                       else _("“%(value)s” is not a date (use YYYY-MM-DD)."))
            message %= {"value": raw[:40]}
            if required:
                self.reject(name, message, code="bad_date", raw=raw)
            else:
                self.kept_raw(name, raw, message + " " + _("The value was kept as text."))
        return parsed

    def decimal(self, name: str, *, max_digits: int = 12, required: bool = False) -> Decimal | None:
        raw = self.raw(name)
        if not raw:
            return None
        try:
            value = Decimal(_MONEY_STRIP_RE.sub("", raw))
            if not value.is_finite():
                raise InvalidOperation
            value = value.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            self._bad_number(name, raw, _("“%(value)s” is not an amount."), required)
            return None
        if value < 0:
            self._bad_number(name, raw, _("“%(value)s”: amounts cannot be negative."), required)
            return None
        if len(value.as_tuple().digits) > max_digits:
            self._bad_number(name, raw, _("“%(value)s” is too large."), required)
            return None
        return value

    def integer(self, name: str, *, minimum: int = 0, maximum: int = 100_000, required: bool = False) -> int | None:
        raw = self.raw(name)
        if not raw:
            if required:
                self.reject(name, _("A number is required."), code="required")
            return None
        try:
            number = Decimal(raw.replace(",", ""))
            if number != number.to_integral_value():
                raise InvalidOperation
            value = int(number)
        except (InvalidOperation, ValueError, OverflowError):  # "inf" in a cell (found by hypothesis)
            self._bad_number(name, raw, _("“%(value)s” is not a whole number."), required)
            return None
        if not minimum <= value <= maximum:
            self._bad_number(name, raw, _("“%(value)s” is out of range."), required)
            return None
        return value

    def _bad_number(self, name: str, raw: str, message: str, required: bool) -> None:
        message %= {"value": raw[:40]}
        if required:
            self.reject(name, message, code="bad_number", raw=raw)
        else:
            self.kept_raw(name, raw, message + " " + _("The value was kept as text."))

    def choice(self, name: str, table: Mapping[str, str], *, default: str = "") -> str:
        raw = self.raw(name)
        if not raw:
            return default
        value = table.get(_choice_key(raw))
        if value is None:
            self.kept_raw(name, raw, _("“%(value)s” is not a known value; the value was kept as text.")
                          % {"value": raw[:40]})
            return default
        return value

    def gender(self, name: str) -> str:
        return self.choice(name, GENDERS)

    def country(self, name: str) -> str:
        raw = self.raw(name)
        if not raw:
            return ""
        code = country_code(raw)
        if not code:
            self.kept_raw(name, raw, _("“%(value)s” is not a country; the value was kept as text.")
                          % {"value": raw[:40]})
        return code

    def phones(self, name: str) -> list[str]:
        """E.164 numbers; several in one cell ("138…; 139…") give several numbers."""
        raw = self.raw(name)
        out: list[str] = []
        for part in _MULTI_SPLIT_RE.split(raw) if raw else []:
            if not part:
                continue
            try:
                number = normalize_phone(part)
            except ValidationError:
                self.kept_raw(name, part, _("“%(value)s” is not a phone number; the value was kept as text.")
                              % {"value": part[:40]})
                continue
            if number and number not in out and len(number) <= 20:
                out.append(number)
        return out

    def emails(self, name: str) -> list[str]:
        raw = self.raw(name)
        out: list[str] = []
        for part in _MULTI_SPLIT_RE.split(raw) if raw else []:
            email = part.strip().lower()
            if not email:
                continue
            try:
                _email_validator(email)
            except ValidationError:
                self.kept_raw(name, part, _("“%(value)s” is not an email address; the value was kept as text.")
                              % {"value": part[:60]})
                continue
            if len(email) <= 254 and email not in out:
                out.append(email)
        return out

    def id_document(self, type_field: str, number_field: str) -> tuple[str, str] | None:
        """(doc_type, normalised number) or None. A bad number is a warning; only its masked form is kept."""
        from concierge.guests.identity import validate_id_number

        raw_number = self.raw(number_field)
        if not raw_number:
            return None
        raw_type = self.raw(type_field)
        doc_type = ID_TYPES.get(_choice_key(raw_type)) if raw_type else guess_id_type(raw_number)
        if doc_type is None:
            self.warn(type_field, _("“%(value)s” is not a known ID document type; “other” was used.")
                      % {"value": raw_type[:40]}, raw=raw_type)
            doc_type = DocumentType.OTHER
        try:
            number = validate_id_number(doc_type, raw_number)
        except ValidationError as exc:
            masked = mask_id_number(normalize_id_number(raw_number))
            self.warn(number_field, _("ID number %(masked)s was not saved: %(reason)s")
                      % {"masked": masked, "reason": " ".join(exc.messages)}, code="bad_id", raw=masked)
            return None
        return doc_type, number

    def tags(self, name: str) -> list[str]:
        raw = self.raw(name)
        return sorted({t.strip()[:60] for t in _LIST_SPLIT_RE.split(raw) if t.strip()}) if raw else []


def parse_date(text: str) -> tuple[dt.date | None, bool]:
    """(date, ambiguous) for 2024-03-05, 2024/3/5, 2024年3月5日, 20240305, 05/03/2024 (when unambiguous)."""
    text = text.strip()
    if len(text) == 10 and text[4] == "-":  # the common case, YYYY-MM-DD, without a regex
        try:
            parsed = dt.date.fromisoformat(text)
            return (parsed if 1850 <= parsed.year <= 2100 else None), False
        except ValueError:
            pass
    match = _ISO_DATE_RE.fullmatch(text) or _COMPACT_DATE_RE.fullmatch(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _safe_date(year, month, day), False
    match = _DMY_RE.fullmatch(text)
    if match:
        first, second, year = (int(g) for g in match.groups())
        if first > 12 >= second:
            return _safe_date(year, second, first), False
        if second > 12 >= first:
            return _safe_date(year, first, second), False
        if first == second:
            return _safe_date(year, first, second), False
        return None, True
    return None, False


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    if not 1850 <= year <= 2100:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _choice_key(text: str) -> str:
    return re.sub(r"[\s_\-/.]+", "", text.strip().lower())


def choice_table(choices: Iterable[tuple[str, Any]], aliases: Mapping[str, str] | None = None) -> dict[str, str]:
    """Look-up table for a TextChoices: values, English labels and the given aliases (normalised)."""
    table: dict[str, str] = {}
    for value, label in choices:
        table[_choice_key(str(value))] = value
        table.setdefault(_choice_key(_english(label)), value)
    for alias, value in (aliases or {}).items():
        table[_choice_key(alias)] = value
    return table


def _english(label: Any) -> str:
    from django.utils import translation

    with translation.override("en"):
        return str(label)


GENDERS = choice_table(
    [(v, lbl) for v, lbl in Gender.choices if v],
    {"m": "M", "male": "M", "man": "M", "男": "M", "先生": "M", "f": "F", "female": "F", "woman": "F", "女": "F",
     "女士": "F", "x": "X", "other": "X", "其他": "X", "u": "", "unknown": "", "未知": ""},
)
ID_TYPES = choice_table(
    DocumentType.choices,
    {"身份证": "cn_id", "居民身份证": "cn_id", "id card": "cn_id", "resident id": "cn_id", "idcard": "cn_id",
     "护照": "passport", "passport": "passport", "港澳通行证": "hkm_permit", "回乡证": "hkm_permit",
     "港澳居民来往内地通行证": "hkm_permit", "台胞证": "tw_permit", "台湾居民来往大陆通行证": "tw_permit",
     "外国人永久居留证": "foreign_res", "永居证": "foreign_res", "其他": "other"},
)


def guess_id_type(number: str) -> str:
    """An 18/15-character resident-ID shape means a PRC resident ID; anything else is "other"."""
    normalized = normalize_id_number(number)
    if re.fullmatch(r"\d{17}[\dX]|\d{15}", normalized):
        return DocumentType.CN_RESIDENT_ID
    return DocumentType.OTHER


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    from babel import Locale
    from babel.core import get_global

    table: dict[str, str] = {}
    codes = {c for c in Locale("en").territories if len(c) == 2 and c.isalpha()}
    for code in codes:
        table[code.lower()] = code
    for alias, targets in get_global("territory_aliases").items():
        if len(alias) == 3 and alias.isalpha() and targets and targets[0] in codes:
            table.setdefault(alias.lower(), targets[0])
    for lang in ("en", "zh"):
        for code, name in Locale(lang).territories.items():
            if code in codes:
                table.setdefault(_choice_key(name), code)
    table.update({"uk": "GB", "中国大陆": "CN", "大陆": "CN", "prc": "CN", "usa": "US", "香港": "HK", "澳门": "MO",
                  "台湾": "TW", "中华人民共和国": "CN"})
    return table


def country_code(text: str) -> str:
    """ISO 3166 alpha-2 for "CN", "CHN", "China", "中国"; "" when unknown."""
    key = text.strip()
    if not key:
        return ""
    return _countries().get(key.lower()) or _countries().get(_choice_key(key), "")
