"""Open and click tracking for campaign emails: signed tokens, the HTML rewrite done at send time, and the lookup.

Tokens are made with `django.core.signing` (HMAC with SECRET_KEY and a salt per kind), so nobody can forge one:

* open pixel  /t/o/<token>.gif  token = signed {"m": message id}
* click       /t/c/<token>/     token = signed {"m": message id, "u": the link as it was in the message}

A click token carries its own target, and the redirect view also checks that the target occurs in the stored
message body: a tampered or foreign token is a 404, never a redirect elsewhere (no open redirect).
"""
from __future__ import annotations

import html as html_lib
import re
from typing import Any

from django.core import signing
from django.urls import reverse

OPEN_SALT = "concierge.campaigns.open"
CLICK_SALT = "concierge.campaigns.click"
# Links in the escaped HTML part: ASCII URL characters only, so Chinese punctuation after a link is not swallowed.
URL_RE = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
TRAILING = ".,;:!?)'"


class BadToken(Exception):
    """Not a token we made."""


def open_token(message_id: int) -> str:
    return signing.dumps({"m": message_id}, salt=OPEN_SALT, compress=True)


def click_token(message_id: int, url: str) -> str:
    return signing.dumps({"m": message_id, "u": url}, salt=CLICK_SALT, compress=True)


def read_open_token(token: str) -> int:
    try:
        data = signing.loads(token, salt=OPEN_SALT)
        return int(data["m"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise BadToken(str(exc)) from exc


def read_click_token(token: str) -> tuple[int, str]:
    try:
        data = signing.loads(token, salt=CLICK_SALT)
        return int(data["m"]), str(data["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise BadToken(str(exc)) from exc


def _absolute(path: str) -> str:
    from concierge.cases.notifications import absolute_url

    return absolute_url(path)


def rewrite_html(*, message_id: int, html: str, skip: tuple[str, ...] = ()) -> str:
    """Turn every link of the HTML part into a tracked redirect and add the open pixel before </body>.

    Links in `skip` (the unsubscribe link: it must keep working as the guest sees it) stay as they are, but become
    clickable too.
    """

    def link(match: re.Match[str]) -> str:
        escaped = match.group(0)
        tail = ""
        while escaped and escaped[-1] in TRAILING:
            tail, escaped = escaped[-1] + tail, escaped[:-1]
        url = html_lib.unescape(escaped)
        if any(url.startswith(s) for s in skip if s):
            href = url
        else:
            href = _absolute(reverse("campaigns_public:click", args=[click_token(message_id, url)]))
        return f'<a href="{html_lib.escape(href)}">{escaped}</a>{tail}'

    rewritten = URL_RE.sub(link, html)
    pixel_url = _absolute(reverse("campaigns_public:open", args=[open_token(message_id)]))
    pixel = f'<img src="{html_lib.escape(pixel_url)}" width="1" height="1" alt="" style="display:none">'
    if "</body>" in rewritten:
        return rewritten.replace("</body>", pixel + "</body>", 1)
    return rewritten + pixel


def body_contains(body: str, url: Any) -> bool:
    return bool(url) and str(url) in (body or "")
