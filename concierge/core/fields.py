"""EncryptedTextField: text encrypted at rest with MultiFernet; "" stays "", bad tokens raise."""
from __future__ import annotations

from typing import Any

from django.db import models

from concierge.core.crypto import decrypt_text, encrypt_text


class EncryptedTextField(models.TextField):
    """Stores Fernet tokens; Python sees plain text. Not searchable: pair it with a blind-index column."""

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))
