"""Emails of the service centre: to guests in their own language, to staff in theirs.

Guest-facing text lives in one template per language (`cases/email/<name>.<language>.txt`, first line the
subject), written by people rather than machine-translated from a msgid; staff mails use the normal
translation catalogue under the recipient's UI language. Everything here is called after the transaction
commits (see services), so a slow or failing mail server never holds database locks or undoes a change.
"""
from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from concierge.guests.choices import Language

logger = logging.getLogger(__name__)

GUEST_LANGUAGES = {Language.ZH_HANS.value, Language.EN.value}


def guest_language(guest: Any) -> str:
    language = getattr(guest, "language", "") or Language.ZH_HANS
    return language if language in GUEST_LANGUAGES else Language.ZH_HANS.value


def absolute_url(path: str) -> str:
    """A link for an email: CONCIERGE_BASE_URL (when set) + path."""
    return getattr(settings, "CONCIERGE_BASE_URL", "").rstrip("/") + path


def _render(template: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    """(subject, body) from a template whose first line is the subject."""
    with translation.override(language):
        text = render_to_string(template, context).strip()
    subject, _sep, body = text.partition("\n")
    return " ".join(subject.split()), body.strip() + "\n"


def _sender(property_: Any, language: str) -> str:
    name = (property_.name_zh if language.startswith("zh") else property_.name_en) if property_ else ""
    name = (name or "").replace('"', "")
    return f'"{name}" <{settings.DEFAULT_FROM_EMAIL}>' if name else settings.DEFAULT_FROM_EMAIL


def send_guest_email(*, guest: Any, property_: Any, name: str, context: dict[str, Any]) -> None:
    """Render `cases/email/<name>.<guest language>.txt` and send it to the guest. Raises on SMTP failure."""
    language = guest_language(guest)
    subject, body = _render(f"cases/email/{name}.{language}.txt",
                            {"guest": guest, "property": property_, **context}, language)
    reply_to = [property_.email] if getattr(property_, "email", "") else None
    EmailMessage(subject, body, from_email=_sender(property_, language), to=[guest.email],
                 reply_to=reply_to).send(fail_silently=False)


def send_staff_email(*, user: Any, name: str, context: dict[str, Any]) -> bool:
    """Render `cases/email/<name>.txt` in the user's UI language and send it; False when they have no email."""
    if not getattr(user, "email", ""):
        return False
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    subject, body = _render(f"cases/email/{name}.txt", {"user": user, **context}, language)
    EmailMessage(subject, body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]).send(fail_silently=False)
    return True
