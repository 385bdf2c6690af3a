"""Email through Django's configured backend (SMTP by default).

A provider API (SendGrid, Mailgun, Amazon SES, Aliyun DirectMail via SMTP, ...) is a settings change, not code:
install django-anymail and set EMAIL_BACKEND="anymail.backends.<esp>.EmailBackend" with ANYMAIL = {...}. When the
backend reports a provider id (anymail's `message.anymail_status.message_id`) we store it; otherwise our own
Message-ID header is the id.
"""
from __future__ import annotations

import hashlib
import smtplib
from html import escape

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from concierge.messaging.channels.base import ChannelError, Envelope, Receipt


def html_from_text(body: str) -> str:
    """The HTML part made from the plain-text body (paragraphs, escaped)."""
    return _html(body)


def _html(body: str) -> str:
    paragraphs = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in body.split("\n\n") if p.strip())
    return f'<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">{paragraphs}</body></html>'


def message_id(reference: str, domain: str) -> str:
    """The Message-ID of one outbox message, the same on every attempt (made from its idempotency key): a mail
    sent again after a crash left it in doubt is recognisable as the same message by the receiving side."""
    return f"<{hashlib.sha256(reference.encode()).hexdigest()[:32]}.concierge@{domain}>"


class EmailChannel:
    code = "email"

    def __init__(self, connection: object | None = None) -> None:
        self.connection = connection

    def build(self, envelope: Envelope) -> EmailMultiAlternatives:
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
        headers = {"Message-ID": message_id(envelope.reference, domain), "X-Concierge-Message": envelope.reference}
        if envelope.unsubscribe_url:
            # RFC 2369 + RFC 8058: mail clients show an unsubscribe button and POST to the link (no login needed).
            headers["List-Unsubscribe"] = f"<{envelope.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        name = envelope.from_name.replace('"', "")
        sender = f'"{name}" <{settings.DEFAULT_FROM_EMAIL}>' if name else settings.DEFAULT_FROM_EMAIL
        message = EmailMultiAlternatives(
            envelope.subject, envelope.body + "\n", from_email=sender, to=[envelope.to], headers=headers,
            reply_to=[envelope.reply_to] if envelope.reply_to else None,
            connection=self.connection or get_connection(),
        )
        # `data["html"]`: the HTML part prepared by the outbox (e.g. with campaign tracking links); else made here.
        message.attach_alternative(envelope.data.get("html") or _html(envelope.body), "text/html")
        return message

    def send(self, envelope: Envelope) -> Receipt:
        message = self.build(envelope)
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise ChannelError(str(exc)[:300], code="recipient_refused", retryable=False) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelError(str(exc)[:300], code="smtp_unavailable", retryable=True) from exc
        status = getattr(message, "anymail_status", None)
        provider_id = getattr(status, "message_id", None) if status is not None else None
        return Receipt(provider_message_id=str(provider_id or message.extra_headers["Message-ID"]))
