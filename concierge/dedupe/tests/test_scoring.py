import datetime as dt

from django.utils import translation

from concierge.dedupe.blocking import blocking_keys, soundex
from concierge.dedupe.scoring import GuestRecord, birthday_key, reasons_text, score_pair


def rec(**values):
    return GuestRecord.from_values(values)


BASE = {"family_name": "张", "given_name": "伟", "birthday": "1985-03-07", "phone": "13912345678"}


def test_traditional_and_simplified_characters_are_the_same_name():
    result = score_pair(rec(**BASE), rec(**{**BASE, "family_name": "張", "given_name": "偉"}))
    assert result.score > 0.99
    assert "same Chinese name" in result.text()


def test_pinyin_only_name_with_the_same_birthday_matches_characters():
    pinyin_only = {"full_name": "ZHANG WEI", "birthday": "1985-03-07"}
    result = score_pair(rec(**{**BASE, "phone": ""}), rec(**pinyin_only))
    assert result.score > 0.9
    assert "name pinyin equal" in result.text()
    assert "same birthday" in result.text()


def test_swapped_latin_name_order_matches():
    a = rec(family_name_latin="Wang", given_name_latin="Xiaoming", birthday="1990-01-02")
    b = rec(family_name_latin="Xiaoming", given_name_latin="Wang", birthday="1990-01-02")
    assert score_pair(a, b).score > 0.9


def test_swapped_and_mistyped_latin_names_are_noted_as_swapped():
    a = rec(family_name="Johnson", given_name="Katherine", birthday="1970-05-06", postcode="2000")
    b = rec(family_name="Katharine", given_name="Johnson", birthday="1970-05-06", postcode="2000")
    result = score_pair(a, b)
    assert result.score > 0.9
    assert "family and given names swapped" in result.text()


def test_phone_formats_are_the_same_phone():
    a = rec(full_name="李娜", phone="+86 139-1234-5678")
    b = rec(full_name="李娜", phone="0086 13912345678")
    c = rec(full_name="李娜", phone="139 1234 5678")
    assert a.phones == b.phones == c.phones == ("+8613912345678",)
    assert "same phone" in score_pair(a, c).text()


def test_lowercase_x_in_an_id_number_is_the_same_number():
    a = rec(full_name="李娜", id_type="cn_id", id_number="11010519491231002x")
    b = rec(full_name="李娜", id_type="cn_id", id_number="110105 19491231 002X")
    result = score_pair(a, b)
    assert "same ID number" in result.text()
    assert result.score > 0.99


def test_same_common_name_with_other_birthday_and_phone_scores_low():
    other = {"family_name": "张", "given_name": "伟", "birthday": "1979-11-23", "phone": "13711112222"}
    result = score_pair(rec(**BASE), rec(**other))
    assert result.score < 0.1
    text = result.text()
    assert "birthday differs" in text and "phone differs" in text


def test_same_name_without_other_evidence_stays_below_review():
    assert score_pair(rec(full_name="王芳"), rec(full_name="王芳")).score < 0.5


def test_transposed_day_and_month_is_recognised():
    a = rec(**{**BASE, "birthday": "1985-03-07"})
    b = rec(**{**BASE, "birthday": "1985-07-03"})
    assert "birthday day and month swapped" in score_pair(a, b).text()


def test_reasons_are_translated():
    result = score_pair(rec(**BASE), rec(**BASE))
    with translation.override("en"):
        assert reasons_text(result.reasons()).startswith("same")
    assert all(set(r) == {"field", "level", "outcome", "weight"} for r in result.reasons())


def test_agreements_come_before_disagreements():
    other = {**BASE, "birthday": "1970-01-01"}
    outcomes = [r["outcome"] for r in score_pair(rec(**BASE), rec(**other)).reasons()]
    assert outcomes == sorted(outcomes, key=["agree", "partial", "disagree"].index)


def test_birthday_key_accepts_common_layouts_and_rejects_nonsense():
    assert birthday_key(dt.date(2001, 2, 3)) == "20010203"
    assert birthday_key("2001/2/3") == birthday_key("20010203") == birthday_key("2001年2月3日") == "20010203"
    assert birthday_key("2001-13-40") == "" and birthday_key("soon") == ""


def test_soundex():
    assert soundex("robert") == soundex("rupert") == "r163"
    assert soundex("tymczak") == "t522"
    assert soundex("") == ""


def test_variants_share_a_blocking_key():
    simplified = set(blocking_keys(rec(**BASE)))
    assert simplified & set(blocking_keys(rec(**{**BASE, "family_name": "張", "given_name": "偉"})))
    assert simplified & set(blocking_keys(rec(full_name="Wei Zhang", birthday="1985-03-07")))
    assert simplified & set(blocking_keys(rec(full_name="ZHANG WEI", birthday="1985-03-07")))
