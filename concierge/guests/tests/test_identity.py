import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from concierge.guests.identity import (
    cn_id_check_char,
    cn_id_gender,
    looks_like_id_number,
    mask_id_number,
    validate_cn_resident_id,
    validate_id_number,
)


def test_valid_resident_id_with_lowercase_x_is_normalised():
    assert validate_cn_resident_id("11010519491231002x") == "11010519491231002X"
    assert validate_cn_resident_id("1101 0519 4912 3100 2X") == "11010519491231002X"


def test_wrong_check_digit_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as exc:
        validate_cn_resident_id("110105194912310021")
    assert "check digit" in exc.value.messages[0]


def test_impossible_birth_date_is_refused():
    first17 = "11010519491331002"  # month 13
    with pytest.raises(ValidationError):
        validate_cn_resident_id(first17 + cn_id_check_char(first17))


def test_mask_keeps_first_and_last_four():
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_id_number("E1234567") == "E*****67"


def test_gender_from_sequence_digit():
    assert cn_id_gender("11010519491231002X") == "F"


def test_passport_numbers_are_accepted_and_uppercased():
    assert validate_id_number("passport", "e 1234 5678") == "E12345678"
    assert looks_like_id_number("E12345678")
    assert looks_like_id_number("11010519491231002x")
    assert not looks_like_id_number("zhangwei")
    assert looks_like_id_number("533012345")  # a British passport: digits only
    assert looks_like_id_number("c01x00t47")


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)), st.integers(0, 999))
def test_generated_ids_with_computed_check_char_always_validate(birthday, seq):
    first17 = f"310104{birthday:%Y%m%d}{seq:03d}"
    number = first17 + cn_id_check_char(first17)
    assert validate_cn_resident_id(number.lower()) == number


@given(st.text(max_size=30))
def test_validator_raises_only_validation_errors(text):
    try:
        validate_cn_resident_id(text)
    except ValidationError:
        pass
