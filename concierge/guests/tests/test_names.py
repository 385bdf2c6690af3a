from hypothesis import given
from hypothesis import strategies as st

from concierge.guests.names import company_keys, hanzi_key, latin_key, name_keys, split_full_name


def test_chinese_name_gives_hanzi_pinyin_both_orders_and_initials():
    keys = name_keys(family="张", given="伟")
    assert keys["hanzi"] == {"张伟"}
    assert {"zhangwei", "weizhang"} <= keys["name"]
    assert keys["initials"] == {"zw"}


def test_traditional_characters_fold_to_simplified():
    assert name_keys(family="張", given="偉")["hanzi"] == {"张伟"}
    assert name_keys(family="陳", given="美玲")["name"] >= {"chenmeiling"}


def test_every_reading_of_heteronym_surnames_is_indexed():
    expected = {"曾": "zeng", "单": "shan", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao"}
    for surname, reading in expected.items():
        keys = name_keys(family=surname, given="明")
        assert f"{reading}ming" in keys["name"], surname
        assert f"{reading[0]}m" in keys["initials"], surname


def test_u_umlaut_is_indexed_as_v_u_and_yu():
    assert {"lvna", "luna", "lyuna"} <= name_keys(family="吕", given="娜")["name"]


def test_latin_names_match_either_order_and_fold_accents():
    keys = name_keys(family="Müller", given="Zoë")
    assert {"mullerzoe", "zoemuller"} <= keys["name"]
    assert latin_key("  Wei  ZHANG ") == "weizhang"


def test_compound_surname_split():
    assert split_full_name("欧阳娜娜") == ("欧阳", "娜娜")
    assert split_full_name("张伟") == ("张", "伟")
    assert split_full_name("Wei Zhang") == ("Zhang", "Wei")
    assert split_full_name("ZHANG, Wei") == ("ZHANG", "Wei")


def test_company_keys_include_pinyin_of_chinese_name():
    keys = company_keys(name_zh="中国移动", name_en="China Mobile")
    assert {"中国移动", "zhongguoyidong", "chinamobile"} <= keys


@given(st.text(max_size=40), st.text(max_size=40))
def test_name_keys_never_crash_and_are_normalised(family, given_name):
    keys = name_keys(family=family, given=given_name)
    for key in keys["name"] | keys["initials"]:
        assert key == latin_key(key)
    for key in keys["hanzi"]:
        assert key == hanzi_key(key)
