"""Extension points for modules that send through the outbox (campaigns: tracking, sent/bounce/unsubscribe touches).

Each list is filled once from an `AppConfig.ready()`; every hook is called for every message, so a hook must return
quickly when the message is not its own (check `message.source`). Hooks run after the outbox row is updated; an
exception in a hook is logged and swallowed: the outbox result never depends on an observer.

    EMAIL_HTML_HOOKS:   (message, html) -> html          rewrite the HTML part of an email just before sending
    DELIVERY_HOOKS:     (message, status, error_code)    after a row ends sent / failed (error_code: adapter code)
    UNSUBSCRIBE_HOOKS:  (guest, channel, message|None)   after the one-click link recorded a refusal; `message` is
                                                         the outbox row whose link was used (when the link named it)
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

EMAIL_HTML_HOOKS: list[Callable[[Any, str], str]] = []
DELIVERY_HOOKS: list[Callable[[Any, str, str], None]] = []
UNSUBSCRIBE_HOOKS: list[Callable[[Any, str, Any], None]] = []


def rewrite_html(message: Any, html: str) -> str:
    for hook in EMAIL_HTML_HOOKS:
        try:
            html = hook(message, html)
        except Exception:  # noqa: BLE001 - an observer must not stop the send
            logger.exception("email HTML hook %r failed for message %s", hook, getattr(message, "pk", None))
    return html


def notify(hooks: list[Callable[..., None]], *args: Any) -> None:
    """Call each hook in its own savepoint: a failing hook's writes are undone, the caller's are not."""
    from django.db import transaction

    for hook in hooks:
        try:
            with transaction.atomic():
                hook(*args)
        except Exception:  # noqa: BLE001 - an observer must not change the outbox result
            logger.exception("messaging hook %r failed", hook)
