"""Knowledge-base search: Chinese inside longer text, English words and prefixes, scoping, the public FAQ.

Runs on whichever database the suite uses (SQLite: LIKE over the token string; PostgreSQL: text[] with GIN).
"""
from __future__ import annotations

import pytest
from django.db import connection

from concierge.cases.models import ArticleTranslation
from concierge.cases.search import document_tokens, query_tokens
from concierge.cases.selectors import kb_search
from concierge.cases.services import article_update
from concierge.cases.tests.factories import make_article

pytestmark = pytest.mark.django_db

AC_BODY = ("客人反映客房空调噪音很大，夜里无法入睡。处理办法：先请工程部到场检查风机盘管，"
           "若当晚无法修好，立即为客人换到同类型的安静房间，并赠送一份早餐。")


@pytest.fixture
def articles(service_a, property_a):
    ac = make_article(service_a, property=property_a, zh=("客房空调有噪音怎么办", AC_BODY),
                      en=("Noisy air conditioning in a room", "Send engineering to check the fan coil; if it cannot "
                                                              "be fixed tonight, move the guest to a quiet room."))
    parking = make_article(service_a, category="parking", zh=("停车", "酒店地下停车场对住店客人免费开放。"),
                           en=("Parking", "Parking in the underground garage is free for hotel guests."),
                           is_public=True)
    breakfast = make_article(service_a, category="breakfast", zh=("早餐时间", "早餐在一楼西餐厅供应，6:30至10:30。"),
                             en=("Breakfast hours", "Breakfast is served 6:30–10:30 in the restaurant."),
                             is_public=True)
    return {"ac": ac, "parking": parking, "breakfast": breakfast}


def _ids(hits):
    return [hit.article.pk for hit in hits]


def test_tokens_are_cjk_bigrams_and_latin_prefixes():
    assert query_tokens("空调噪音") == ["空调", "调噪", "噪音"]
    assert query_tokens("Parking!") == ["parking"]
    assert query_tokens("the breakfast") == ["breakfast"]
    tokens = document_tokens("空调噪音 Parking")
    assert {"空", "空调", "调噪", "噪音", "par", "park", "parking"} <= set(tokens)
    assert query_tokens("空調噪音") == ["空调", "调噪", "噪音"]  # traditional folded to simplified


def test_chinese_search_finds_the_phrase_inside_a_longer_text(articles, service_a):
    hits = kb_search(query="空调噪音", user=service_a, language="zh-hans")
    assert _ids(hits) == [articles["ac"].pk]
    assert hits[0].translation.language == "zh-hans" and "空调噪音很大" in hits[0].translation.body


def test_chinese_search_is_not_fooled_by_the_same_characters_in_another_order(articles, service_a):
    assert kb_search(query="噪音空调", user=service_a) == []
    assert _ids(kb_search(query="空調噪音", user=service_a)) == [articles["ac"].pk]
    assert _ids(kb_search(query="早餐", user=service_a, language="zh-hans")) == [articles["breakfast"].pk,
                                                                              articles["ac"].pk]


def test_english_search_matches_words_and_prefixes_in_either_language(articles, service_a):
    assert _ids(kb_search(query="parking", user=service_a)) == [articles["parking"].pk]
    assert _ids(kb_search(query="park garage", user=service_a)) == [articles["parking"].pk]
    assert kb_search(query="parkinglot", user=service_a) == []
    hit = kb_search(query="quiet room", user=service_a, language="zh-hans")[0]
    assert hit.article == articles["ac"] and hit.translation.language == "en"  # only the English version matched


def test_a_phrase_in_the_title_ranks_first(service_a, property_a):
    body_only = make_article(service_a, property=property_a, en=("Late check-out", "Ask about breakfast too."))
    in_title = make_article(service_a, property=property_a, en=("Breakfast for children", "Children eat free."))
    assert _ids(kb_search(query="breakfast", user=service_a)) == [in_title.pk, body_only.pk]


def test_drafts_are_found_only_when_asked_and_edits_reindex(service_a, property_a):
    draft = make_article(service_a, property=property_a, status="draft", zh=("洗衣服务", "当日送洗，晚上八点前送回。"))
    assert kb_search(query="洗衣", user=service_a) == []
    assert _ids(kb_search(query="洗衣", user=service_a, status="draft")) == [draft.pk]
    article_update(actor=service_a, article=draft, status="published",
                   translations={"zh-hans": ("熨烫服务", "熨烫衣物一小时内送回。")})
    assert kb_search(query="洗衣", user=service_a) == []
    assert _ids(kb_search(query="熨烫", user=service_a)) == [draft.pk]


def test_other_hotels_articles_stay_hidden_but_group_wide_ones_are_shared(articles, frontdesk_b, manager):
    assert kb_search(query="空调噪音", user=frontdesk_b) == []
    assert _ids(kb_search(query="parking", user=frontdesk_b)) == [articles["parking"].pk]  # group-wide
    assert _ids(kb_search(query="空调噪音", user=manager)) == [articles["ac"].pk]


def test_the_public_faq_search_sees_only_public_answers(articles, property_a, property_b):
    assert kb_search(query="空调噪音", public_property=property_a) == []
    assert _ids(kb_search(query="停车", public_property=property_b)) == [articles["parking"].pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL stores tokens as text[] with a GIN index")
def test_postgresql_answers_the_search_from_the_gin_index(articles):
    assert ArticleTranslation.objects.filter(search_tokens__has_all=["空调", "调噪", "噪音"]).count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM cases_articletranslation WHERE search_tokens @> %s::text[]",
                       [["空调", "调噪", "噪音"]])
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "articletranslation_tokens_gin" in plan
