"""ID document numbers: normalisation, PRC resident-ID checksum (GB 11643, ISO 7064 MOD 11-2), masking."""
from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from concierge.core.crypto import blind_index
from concierge.guests.choices import DocumentType

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ALNUM_RE = re.compile(r"[^0-9A-Z]")


def normalize_id_number(raw: str) -> str:
    """Upper-case, no spaces or dashes (lower-case x in resident IDs becomes X)."""
    return _ALNUM_RE.sub("", (raw or "").upper())


def cn_id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def cn_id_birthday(number: str) -> dt.date | None:
    digits = number[6:14] if len(number) == 18 else "19" + number[6:12]
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def cn_id_gender(number: str) -> str:
    """'M' or 'F' from the sequence digit (odd = male)."""
    seq = number[16] if len(number) == 18 else number[14]
    return "M" if int(seq) % 2 else "F"


def validate_cn_resident_id(raw: str) -> str:
    """Return the normalised 18- (or legacy 15-) character number, or raise ValidationError."""
    number = normalize_id_number(raw)
    if len(number) == 18:
        if not re.fullmatch(r"\d{17}[\dX]", number):
            raise ValidationError(_("A resident ID has 17 digits and a final digit or X."), code="invalid_id")
        if cn_id_check_char(number[:17]) != number[17]:
            raise ValidationError(_("The resident ID's check digit is wrong; please re-check the number."),
                                  code="invalid_id_checksum")
    elif len(number) == 15:
        if not number.isdigit():
            raise ValidationError(_("A 15-digit resident ID has digits only."), code="invalid_id")
    else:
        raise ValidationError(_("A resident ID has 18 characters."), code="invalid_id")
    birthday = cn_id_birthday(number)
    if birthday is None or birthday > dt.date.today() or birthday.year < 1880:
        raise ValidationError(_("The resident ID contains an impossible birth date."), code="invalid_id_birthday")
    return number


def validate_id_number(doc_type: str, raw: str) -> str:
    """Normalise and validate an ID number of any type; returns the normalised number."""
    if doc_type == DocumentType.CN_RESIDENT_ID:
        return validate_cn_resident_id(raw)
    number = normalize_id_number(raw)
    if not 4 <= len(number) <= 24:
        raise ValidationError(_("An ID number has 4 to 24 letters or digits."), code="invalid_id")
    return number


def id_number_hash(number: str) -> str:
    """Keyed blind index of a normalised ID number (same for every document type)."""
    return blind_index(normalize_id_number(number), purpose="id_number")


def mask_id_number(number: str) -> str:
    """1101**********1234 for long numbers; short ones keep only the first and the last two characters."""
    if len(number) > 8:
        return number[:4] + "*" * (len(number) - 8) + number[-4:]
    if len(number) > 3:
        return number[:1] + "*" * (len(number) - 3) + number[-2:]
    return "*" * len(number)


def looks_like_id_number(text: str) -> bool:
    """Heuristic for the search box: 15/18-char resident IDs or passport-like strings (one indexed look-up)."""
    number = normalize_id_number(text)
    if re.fullmatch(r"\d{17}[\dX]|\d{15}", number):
        return True
    # Passports and permits: 6-12 letters/digits with at least one digit and one letter (C12345678,
    # 533012345 is left to the phone look-up), e.g. British 9-digit numbers are tried as IDs too.
    if not 6 <= len(number) <= 12 or not any(ch.isdigit() for ch in number):
        return False
    return any(ch.isalpha() for ch in number) or len(number) == 9
