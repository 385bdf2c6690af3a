"""Hypothesis fuzzing of the parsers that read what people and files type: phone numbers, ID numbers, names, import
files (CSV/XLSX bytes) and import cell values. A Django ValidationError (a clear message) is an accepted answer; any
other exception is a crash and fails the test."""
from __future__ import annotations

import datetime as dt
import io

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from concierge.core.phones import digits_only, format_phone, normalize_phone, phone_search_keys
from concierge.guests.identity import (
    cn_id_birthday,
    cn_id_gender,
    id_number_hash,
    looks_like_id_number,
    mask_id_number,
    normalize_id_number,
    validate_cn_resident_id,
    validate_id_number,
)
from concierge.guests.names import company_keys, has_cjk, latin_key, name_keys, split_full_name, to_simplified
from concierge.imports.parsers import decode_text, read_csv, read_table, read_xlsx, unneutralise
from concierge.imports.values import RowReader, choice_table, country_code, guess_id_type, parse_date

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text people type: CJK, full-width digits, punctuation, control characters, RTL marks, surrogate-free unicode.
human_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.sampled_from(list("0123456789０１２３４５６７８９+-() .xX#*张王李曾單區")), max_size=30),
    st.from_regex(r"\+?(00)?86[ -]?1[3-9]\d[ -]?\d{4}[ -]?\d{4}", fullmatch=True),
    st.from_regex(r"[1-9]\d{16}[\dXx]", fullmatch=True),
)


@FUZZ
@given(raw=human_text, region=st.sampled_from([None, "CN", "US", "GB", "ZZ", "HK"]))
@example(raw="+" + "9" * 300, region=None)
@example(raw="\x00\u202e138", region="CN")
def test_phone_parsing_never_crashes(raw: str, region: str | None) -> None:
    try:
        e164 = normalize_phone(raw, region=region)
    except ValidationError:
        return
    assert e164 == "" or e164.startswith("+")
    if e164:
        assert phone_search_keys(e164)
        format_phone(e164)
    digits_only(raw)


@FUZZ
@given(raw=human_text, doc_type=st.sampled_from(["cn_id", "passport", "hk_macau_permit", "taiwan_permit", "other",
                                                 "", "bogus"]))
@example(raw="11010519491231002X", doc_type="cn_id")
@example(raw="110105194902300021", doc_type="cn_id")  # 30 February
def test_id_number_parsing_never_crashes(raw: str, doc_type: str) -> None:
    normalize_id_number(raw)
    looks_like_id_number(raw)
    mask_id_number(raw)
    id_number_hash(normalize_id_number(raw))
    guess_id_type(raw)
    cn_id_birthday(raw)
    try:
        number = validate_cn_resident_id(raw)
    except ValidationError:
        number = ""
    if number:  # the gender/birthday helpers take a validated number (as the services call them)
        assert cn_id_gender(number) in {"M", "F"}
        assert cn_id_birthday(number) is not None
    try:
        validate_id_number(doc_type, raw)
    except ValidationError:
        pass


@FUZZ
@given(family=human_text, given_=human_text, family_latin=st.text(max_size=30), given_latin=st.text(max_size=30))
@example(family="曾", given_="單區", family_latin="", given_latin="")
@example(family="\u0301", given_="ǖ", family_latin="Ü", given_latin="-")
def test_name_parsing_never_crashes(family: str, given_: str, family_latin: str, given_latin: str) -> None:
    keys = name_keys(family=family, given=given_, family_latin=family_latin, given_latin=given_latin)
    assert set(keys) == {"hanzi", "name", "initials"}
    has_cjk(family)
    to_simplified(family + given_)
    latin_key(family_latin + given_latin)
    company_keys(name_zh=family, name_en=given_latin)
    split_full_name(family + " " + given_)


csv_text = st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=6), min_size=0, max_size=8).map(
    lambda rows: "\n".join(",".join(cells) for cells in rows))


@FUZZ
@given(data=st.one_of(st.binary(max_size=400), csv_text.map(lambda t: t.encode("utf-8")),
                      csv_text.map(lambda t: t.encode("gb18030")), csv_text.map(lambda t: t.encode("utf-16"))),
       name=st.sampled_from(["guests.csv", "guests.xlsx", "guests.xls", "guests.txt", "", "g.XLSM"]))
@example(data=b"PK\x03\x04garbage", name="guests.xlsx")
@example(data=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", name="old.xls")
@example(data=b'"unterminated,quote\n' + b"a" * 200_000, name="big.csv")
def test_import_file_parsing_never_crashes(data: bytes, name: str) -> None:
    try:
        table = read_table(data=data, file_name=name)
    except ValidationError:
        return
    assert len(table.headers) == len(set(table.headers))
    for reader in (read_csv,):
        try:
            reader(data)
        except ValidationError:
            pass
    try:
        decode_text(data)
    except ValidationError:
        pass


@FUZZ
@given(cells=st.lists(st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20),
                                st.dates(), st.datetimes(), st.booleans()), min_size=1, max_size=5))
def test_xlsx_workbooks_with_any_cell_values_read(cells: list) -> None:
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "phone", "birthday", "note", "x"][: len(cells)])
    try:
        sheet.append(cells)
    except (ValueError, TypeError, IllegalCharacterError):  # openpyxl itself refuses some values
        return
    buffer = io.BytesIO()
    try:
        book.save(buffer)
    except (ValueError, TypeError):
        return
    try:
        table = read_xlsx(buffer.getvalue())
    except ValidationError:
        return
    assert table.headers


cell = st.one_of(st.none(), human_text, st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
                 st.dates(), st.datetimes(), st.decimals(allow_nan=True), st.booleans())


@FUZZ
@given(values=st.dictionaries(st.sampled_from(["name", "phone", "email", "birthday", "amount", "count", "gender",
                                               "country", "tags", "id_type", "id_number", "choice"]), cell))
@example(values={"birthday": "2023-02-30", "amount": "1e999999", "count": "９９", "phone": "138;139;abc"})
@example(values={"name": "'=cmd|' /C calc'!A0", "amount": "-0", "count": "1" * 5000})
def test_import_cell_readers_never_crash(values: dict) -> None:
    reader = RowReader(7, values)
    reader.text("name", 10)
    reader.text("name", 10, strict=True)
    reader.date("birthday", not_after=dt.date(2026, 1, 1))
    reader.decimal("amount")
    reader.integer("count")
    reader.gender("gender")
    reader.country("country")
    reader.phones("phone")
    reader.emails("email")
    reader.tags("tags")
    reader.id_document("id_type", "id_number")
    reader.choice("choice", choice_table([("a", "Alpha"), ("b", "Beta")]))
    for issue in reader.errors + reader.warnings:
        assert issue.row == 7 and issue.field and str(issue.message)


@FUZZ
@given(text=human_text)
def test_small_value_parsers_never_crash(text: str) -> None:
    parse_date(text)
    country_code(text)
    unneutralise(text)
