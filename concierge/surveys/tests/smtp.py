"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives: used by tests and bench/surveys.py."""
from __future__ import annotations

import email
import email.policy
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    """What the server accepted, in arrival order. Raw bytes are kept while receiving (parsing in the server's
    event loop would slow it down); `messages` parses them (headers decoded) on first use."""

    host: str
    port: int
    raw: list[bytes] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _parsed: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.raw.append(envelope.original_content or envelope.content)
            self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.raw)

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            for data in self.raw[len(self._parsed):]:
                self._parsed.append(email.message_from_bytes(data, policy=email.policy.default))  # type: ignore[arg-type]
            return list(self._parsed)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    """Start aiosmtpd on 127.0.0.1 (a free port) for the duration of the block."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    port = free_port()
    inbox = Inbox(host="127.0.0.1", port=port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
