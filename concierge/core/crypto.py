"""Field encryption (MultiFernet: the first key encrypts, every key decrypts) and keyed blind indexes."""
from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key (wrong key or tampered data)."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise DecryptionError("No field encryption keys are configured (CONCIERGE_FIELD_KEYS).")
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_text(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise DecryptionError("Encrypted value cannot be decrypted with the configured keys.") from exc


def rotate_token(token: str) -> str:
    """Re-encrypt `token` under the first (newest) key."""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise DecryptionError("Encrypted value cannot be decrypted with the configured keys.") from exc


def blind_index(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of a normalised value, for exact look-ups without decrypting. `purpose` separates domains."""
    key = settings.BLIND_INDEX_KEY.encode("utf-8")
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
