"""The one interface every channel adapter implements.

An adapter turns an `Envelope` (what to send, to whom) into a provider call and returns a `Receipt` with the
provider's message id, or raises `ChannelError`. `retryable=True` means "try again later" (network, 429, 5xx):
the outbox puts the message back in the queue with a back-off; `retryable=False` means the provider refused this
message for good (bad number, template not approved) and it is marked failed. Adapters never touch the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Envelope:
    """One rendered message. `reference` is our idempotency key: providers that support it de-duplicate on it."""

    to: str
    subject: str
    body: str
    language: str
    reference: str
    provider_template_id: str = ""
    unsubscribe_url: str = ""
    from_name: str = ""
    reply_to: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Receipt:
    provider_message_id: str


class ChannelError(Exception):
    """The provider did not accept the message. `code` is short and stable (stored on the outbox row)."""

    def __init__(self, message: str, *, code: str = "error", retryable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable


class MessageChannel(Protocol):
    code: str

    def send(self, envelope: Envelope) -> Receipt: ...
