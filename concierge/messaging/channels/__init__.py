"""Channel adapters behind one interface (`MessageChannel.send(Envelope) -> Receipt`) and their registry."""
from __future__ import annotations

from concierge.messaging.channels.base import ChannelError, Envelope, MessageChannel, Receipt
from concierge.messaging.channels.email import EmailChannel
from concierge.messaging.channels.http import SmsChannel, WeChatChannel

CHANNELS: dict[str, type] = {"email": EmailChannel, "sms": SmsChannel, "wechat": WeChatChannel}


def get_channel(code: str) -> MessageChannel:
    """A fresh adapter for `code`, configured from settings at call time (so settings overrides apply)."""
    try:
        return CHANNELS[code]()
    except KeyError as exc:
        raise ValueError(f"unknown channel {code!r}") from exc


__all__ = ["CHANNELS", "ChannelError", "EmailChannel", "Envelope", "MessageChannel", "Receipt", "SmsChannel",
           "WeChatChannel", "get_channel"]
