"""SMS and WeChat template messages through a provider's HTTP API, one JSON contract for both.

Contract (what a provider gateway must accept; docs/messaging.md has the full text):

    POST <MESSAGING_<CHANNEL>_URL>
    Authorization: Bearer <MESSAGING_<CHANNEL>_KEY>
    Content-Type: application/json; charset=utf-8
    Idempotency-Key: <reference>           (the same on every retry: the provider must not send twice)

    SMS     {"channel": "sms", "to": "+8613800138000", "template_id": "...", "text": "...", "language": "zh-hans",
             "reference": "..."}
    WeChat  {"channel": "wechat", "to": "<openid>", "template_id": "...", "language": "zh-hans",
             "data": {"title": "...", "content": "..."}, "url": "<link or empty>", "reference": "..."}

    2xx     {"id": "<provider message id>"}                        -> sent
    400-499 {"error": "<code>", "message": "..."}                   -> failed for good (429 excepted)
    429, 5xx, timeout, connection refused                          -> retried here MESSAGING_HTTP_RETRIES times with
                                                                      a short back-off, then re-queued by the outbox
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

from concierge.messaging.channels.base import ChannelError, Envelope, Receipt


class HttpChannel:
    code = ""

    def __init__(self, *, url: str | None = None, key: str | None = None, timeout: float | None = None,
                 retries: int | None = None, backoff: float | None = None) -> None:
        prefix = f"MESSAGING_{self.code.upper()}_"
        self.url = url if url is not None else getattr(settings, prefix + "URL", "")
        self.key = key if key is not None else getattr(settings, prefix + "KEY", "")
        self.timeout = timeout if timeout is not None else getattr(settings, "MESSAGING_HTTP_TIMEOUT", 10.0)
        self.retries = retries if retries is not None else getattr(settings, "MESSAGING_HTTP_RETRIES", 2)
        self.backoff = backoff if backoff is not None else getattr(settings, "MESSAGING_HTTP_BACKOFF", 0.5)

    def payload(self, envelope: Envelope) -> dict[str, Any]:
        raise NotImplementedError

    def send(self, envelope: Envelope) -> Receipt:
        if not self.url:
            raise ChannelError(f"MESSAGING_{self.code.upper()}_URL is not set", code="not_configured")
        body = json.dumps(self.payload(envelope), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Accept": "application/json",
            "Authorization": f"Bearer {self.key}", "Idempotency-Key": envelope.reference,
        })
        last: ChannelError | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
            try:
                # The URL comes from settings, never from user input.
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    data = _json(response.read())
                    provider_id = str(data.get("id") or "")
                    if not provider_id:
                        raise ChannelError("provider answered without an id", code="bad_response")
                    return Receipt(provider_message_id=provider_id)
            except urllib.error.HTTPError as exc:
                data = _json(exc.read())
                code = str(data.get("error") or f"http_{exc.code}")[:40]
                message = str(data.get("message") or exc.reason)[:250]
                last = ChannelError(f"{exc.code} {message}", code=code, retryable=exc.code == 429 or exc.code >= 500)
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                last = ChannelError(str(exc)[:300], code="unreachable", retryable=True)
            if not last.retryable:
                raise last
        assert last is not None
        raise last


def _json(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class SmsChannel(HttpChannel):
    code = "sms"

    def payload(self, envelope: Envelope) -> dict[str, Any]:
        return {"channel": "sms", "to": envelope.to, "template_id": envelope.provider_template_id,
                "text": envelope.body, "language": envelope.language, "reference": envelope.reference}


class WeChatChannel(HttpChannel):
    code = "wechat"

    def payload(self, envelope: Envelope) -> dict[str, Any]:
        return {"channel": "wechat", "to": envelope.to, "template_id": envelope.provider_template_id,
                "language": envelope.language, "data": {"title": envelope.subject, "content": envelope.body},
                "url": str(envelope.data.get("url", "")), "reference": envelope.reference}
