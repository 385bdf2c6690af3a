"""The Simplified Chinese catalogue is complete and well formed, and the UI really switches to it.

The .po is the source; `make messages` (run by `make test` and `make run`) compiles the .mo that Django
loads. See docs/translating.md for how to update the catalogue.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

LOCALE_DIR = Path(settings.BASE_DIR) / "concierge" / "locale"
PO_PATH = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# %(name)s / %(n)d style and bare %s / %d (a literal "%%" is not a placeholder).
PERCENT_RE = re.compile(r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[-+ #0]*\d*(?:\.\d+)?[sdifrx]|%%")
# {name}, {0}, {} (str.format); JSON-like text such as {"type": …} does not match.
BRACE_RE = re.compile(r"\{[A-Za-z0-9_]*\}")


def _catalog():
    with PO_PATH.open("rb") as fh:
        return read_po(fh)


def _messages():
    return [m for m in _catalog() if m.id]


def _texts(value) -> list[str]:
    if isinstance(value, (tuple, list)):
        return [v or "" for v in value]
    return [value or ""]


def _placeholders(text: str) -> tuple[set[str], set[str]]:
    percent = {p for p in PERCENT_RE.findall(text) if p != "%%"}
    return percent, set(BRACE_RE.findall(text))


def _label(message) -> str:
    return repr(message.id if not message.pluralizable else message.id[0])


def test_catalogue_exists_and_is_chinese():
    assert PO_PATH.is_file(), f"{PO_PATH} is missing: see docs/translating.md"
    catalog = _catalog()
    assert str(catalog.locale) == "zh_Hans"
    assert catalog.num_plurals == 1
    assert len(_messages()) > 100


def test_no_untranslated_entries():
    untranslated = [_label(m) for m in _messages() if not all(s.strip() for s in _texts(m.string))]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:20]}"


def test_no_fuzzy_entries():
    catalog = _catalog()
    assert not catalog.fuzzy, "the header is marked fuzzy"
    fuzzy = [_label(m) for m in _messages() if m.fuzzy]
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:20]}"


def test_placeholders_match():
    problems = []
    for message in _messages():
        source_percent, source_brace = set(), set()
        for text in _texts(message.id):
            percent, brace = _placeholders(text)
            source_percent |= percent
            source_brace |= brace
        for text in _texts(message.string):
            percent, brace = _placeholders(text)
            if percent != source_percent or brace != source_brace:
                problems.append(f"{_label(message)}: {sorted(source_percent | source_brace)} "
                                f"!= {sorted(percent | brace)} in {text!r}")
    assert not problems, "\n".join(problems)


def test_html_tags_kept():
    tag = re.compile(r"</?[a-z][a-z0-9]*\b[^>]*>")
    problems = [_label(m) for m in _messages() if m.string
                and sorted(tag.findall(_texts(m.id)[0])) != sorted(tag.findall(_texts(m.string)[0]))]
    assert not problems, problems


def test_babel_checkers_pass():
    errors = [(m.id, [str(e) for e in errs]) for m, errs in _catalog().check()]
    assert not errors, errors


@pytest.fixture
def compiled_catalogue():
    if not MO_PATH.is_file():
        pytest.fail(f"{MO_PATH.name} is not compiled: run `make messages` (make test does it)")


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["accept-language", "cookie"])
def test_login_page_in_chinese(client, compiled_catalogue, how):
    if how == "cookie":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        response = client.get(reverse("web:login"))
    else:
        response = client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "用户名" in html and "密码" in html
    assert "酒店宾客关系管理" in html
    assert ">Username<" not in html


@pytest.mark.django_db
def test_login_page_stays_english_by_default(client):
    html = client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Guest relationships for hotels" in html
    assert "酒店宾客关系管理" not in html


def test_guest_card_in_chinese(client, compiled_catalogue, guest_a, frontdesk_a):
    client.force_login(frontdesk_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get(reverse("web:guest_detail", args=[guest_a.pk])).content.decode()
    assert "偏好" in html and "宾客" in html
    assert "Preferences" not in html
