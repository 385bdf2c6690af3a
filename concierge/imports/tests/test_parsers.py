"""Reading files: encodings as Excel writes them, XLSX cells, header aliases, mapping overrides, huge cells."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from concierge.imports.mapping import build_mapping, normalise_header
from concierge.imports.parsers import MAX_CELL_CHARS, read_table
from concierge.imports.tests.factories import csv_bytes, xlsx_bytes
from concierge.imports.values import RowReader, country_code, parse_date

ROWS = [["姓名", "手机", "证件号码", "生日"], ["张伟", "138 0013 8000", "11010519491231002X", "1949-12-31"]]


def _all(table):
    return list(table.rows)


@pytest.mark.parametrize("encoding, label", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"),
                                             ("gb18030", "gb18030")])
def test_it_reads_utf8_with_or_without_bom_and_gbk_as_excel_writes_it(encoding, label):
    table = read_table(data=csv_bytes(ROWS, encoding=encoding), file_name="guests.csv")

    assert table.encoding == label
    assert table.headers == ROWS[0]
    assert _all(table) == [(2, ROWS[1])]


def test_it_reads_rare_characters_only_gb18030_has():
    rows = [["姓名"], ["𠮷野家"]]  # U+20BB7 is outside GBK

    table = read_table(data=csv_bytes(rows, encoding="gb18030"), file_name="x.csv")

    assert _all(table) == [(2, ["𠮷野家"])]


def test_it_reads_excel_unicode_text_utf16_with_tabs():
    data = csv_bytes(ROWS, encoding="utf-16", delimiter="\t")

    table = read_table(data=data, file_name="guests.txt")

    assert table.delimiter == "\t"
    assert _all(table) == [(2, ROWS[1])]


def test_it_sniffs_semicolons():
    table = read_table(data=csv_bytes(ROWS, delimiter=";"), file_name="x.csv")

    assert table.delimiter == ";"
    assert table.headers == ROWS[0]


def test_a_file_in_neither_utf8_nor_gb18030_is_refused_with_a_clear_message():
    data = "name,city\nJosé,Zürich\n".encode("utf-8") + b"\x80\x80\xff\n"

    with pytest.raises(ValidationError) as exc:
        read_table(data=data, file_name="guests.csv")

    assert exc.value.code == "bad_encoding"
    assert "UTF-8" in exc.value.messages[0] and "GBK" in exc.value.messages[0]


def test_old_xls_workbooks_are_refused():
    with pytest.raises(ValidationError) as exc:
        read_table(data=b"\xd0\xcf\x11\xe0" + b"\0" * 100, file_name="guests.xls")

    assert exc.value.code == "xls_unsupported"


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError):
        read_table(data=b"\n\n", file_name="empty.csv")


def test_row_numbers_are_spreadsheet_rows_and_blank_rows_are_skipped():
    rows = [["name"], ["A"], [""], ["multi\nline"], ["B"]]

    assert [n for n, _cells in read_table(data=csv_bytes(rows), file_name="x.csv").rows] == [2, 4, 5]


def test_a_cell_over_the_csv_module_limit_reaches_the_row_check_instead_of_crashing():
    huge = "x" * 200_000  # csv's default field limit is 131,072
    rows = [["full_name", "notes"], ["Ann Lee", huge], ["Bo Chen", "ok"]]

    parsed = _all(read_table(data=csv_bytes(rows), file_name="x.csv"))
    reader = RowReader(2, {"full_name": parsed[0][1][0], "notes": parsed[0][1][1]})

    assert len(parsed) == 2
    assert not reader.ok
    assert reader.errors[0].field == "notes"
    assert str(MAX_CELL_CHARS) in reader.errors[0].message.replace(",", "")


def test_xlsx_cells_come_out_as_text_and_dates():
    data = xlsx_bytes([["full_name", "phone", "birthday", "adr"],
                       ["王芳", 13900001111, dt.datetime(1985, 3, 4), 412.5]])

    table = read_table(data=data, file_name="guests.xlsx")

    assert table.format == "xlsx"
    assert _all(table) == [(2, ["王芳", "13900001111", dt.date(1985, 3, 4), "412.5"])]


def test_a_corrupt_xlsx_is_refused():
    with pytest.raises(ValidationError) as exc:
        read_table(data=b"PK\x03\x04not really a zip", file_name="x.xlsx")

    assert exc.value.code == "bad_xlsx"


@pytest.mark.parametrize("header, field", [
    ("姓名", "full_name"), ("手机", "phone"), ("手机号码", "phone"), ("证件号码", "id_number"), ("生日", "birthday"),
    ("Date of Birth", "birthday"), ("E-mail", "email"), ("Mobile Phone", "phone"), ("Last Name", "family_name"),
    ("first_name", "given_name"), ("ZIP", "postcode"), ("external_ref", "external_ref"), ("国籍", "nationality"),
])
def test_guest_headers_map_by_alias(header, field):
    mapping = build_mapping([header], kind="guests", strict=False)

    assert mapping.as_dict() == {header: field}


def test_an_explicit_mapping_overrides_aliases_and_can_ignore_a_column():
    headers = ["客户", "手机", "备注"]

    mapping = build_mapping(headers, kind="guests", override={"客户": "full_name", "备注": ""})

    assert mapping.as_dict() == {"客户": "full_name", "手机": "phone", "备注": ""}
    assert mapping.ignored == ["备注"]


def test_a_mapping_to_an_unknown_field_is_refused():
    with pytest.raises(ValidationError) as exc:
        build_mapping(["x"], kind="guests", override={"x": "password"})

    assert exc.value.code == "bad_mapping"


def test_stays_need_their_reservation_number_property_and_arrival_columns():
    with pytest.raises(ValidationError) as exc:
        build_mapping(["guest_ref", "arrival", "nights"], kind="stays")

    assert "external_ref" in exc.value.messages[0] and "property" in exc.value.messages[0]


def test_guests_need_a_name_column():
    with pytest.raises(ValidationError):
        build_mapping(["phone", "email"], kind="guests")


def test_headers_are_compared_without_case_spaces_or_punctuation():
    assert normalise_header(" Date-of_Birth ") == normalise_header("date of birth") == "dateofbirth"


@pytest.mark.parametrize("text, expected", [
    ("2024-03-05", dt.date(2024, 3, 5)), ("2024/3/5", dt.date(2024, 3, 5)), ("2024年3月5日", dt.date(2024, 3, 5)),
    ("20240305", dt.date(2024, 3, 5)), ("25/12/2024", dt.date(2024, 12, 25)), ("12/25/2024", dt.date(2024, 12, 25)),
    ("2024-03-05 14:00:00", dt.date(2024, 3, 5)), ("31/02/1990", None), ("yesterday", None), ("1700-01-01", None),
])
def test_dates_in_the_usual_layouts(text, expected):
    assert parse_date(text)[0] == expected


def test_a_day_month_order_that_cannot_be_told_is_ambiguous():
    assert parse_date("03/05/2024") == (None, True)


@pytest.mark.parametrize("text, code", [("CN", "CN"), ("chn", "CN"), ("China", "CN"), ("中国", "CN"), ("PRT", "PT"),
                                        ("Deutschland", ""), ("德国", "DE"), ("XYZ", "")])
def test_countries_by_alpha2_alpha3_or_name(text, code):
    assert country_code(text) == code


def test_a_neutralised_formula_cell_from_an_export_reads_back_as_it_was():
    reader = RowReader(2, {"phone": "'+8613800138000", "notes": "'=1+1", "name": "O'Brien"})

    assert reader.raw("phone") == "+8613800138000"
    assert reader.raw("notes") == "=1+1"
    assert reader.raw("name") == "O'Brien"
