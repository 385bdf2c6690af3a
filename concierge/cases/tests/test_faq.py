"""The public FAQ per property: no login, both languages, search, "was this helpful" counted once per visitor."""
from __future__ import annotations

import pytest
from django.urls import reverse

from concierge.cases.models import Article
from concierge.cases.tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def faq(service_a, property_a, property_b):
    return {
        "parking": make_article(service_a, category="parking", is_public=True,
                                zh=("可以停车吗？", "地下停车场对住店客人免费，每间客房限一辆车。"),
                                en=("Can I park at the hotel?", "The underground car park is free for hotel guests.")),
        "checkin": make_article(service_a, category="checkin", property=property_a, is_public=True,
                                zh=("入住和退房时间", "入住14:00以后，退房12:00以前。"),
                                en=("Check-in and check-out times", "Check-in from 14:00, check-out by 12:00.")),
        "internal": make_article(service_a, property=property_a, zh=("内部：投诉处理", "仅员工可见。")),
        "other_hotel": make_article(service_a, category="breakfast", property=property_b, is_public=True,
                                    zh=("西湖早餐", "早餐6:30开始。"), en=("West Lake breakfast", "From 6:30.")),
    }


def test_the_faq_is_public_and_shows_this_hotels_and_group_answers(client, faq, property_a):
    response = client.get(reverse("faq:faq", args=["sha"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Can I park at the hotel?" in page and "Check-in and check-out times" in page
    assert "内部" not in page and "West Lake breakfast" not in page
    assert 'class="app-sidebar"' not in page  # the public page has no staff navigation


def test_the_faq_speaks_chinese_when_asked(client, faq):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/faq/SHA/"})
    page = client.get(reverse("faq:faq", args=["SHA"])).content.decode()
    assert "可以停车吗？" in page and "入住14:00以后" in page


def test_the_faq_search_finds_chinese_inside_the_answer(client, faq):
    page = client.get(reverse("faq:faq", args=["SHA"]), {"q": "退房"}).content.decode()
    assert 'data-testid="faq-hits"' in page and "Check-in and check-out times" in page
    page = client.get(reverse("faq:faq", args=["SHA"]), {"q": "投诉处理"}).content.decode()
    assert "No answer found" in page


def test_helpful_votes_count_once_per_visitor(client, faq):
    url = reverse("faq:faq_feedback", args=["SHA", faq["parking"].pk])
    response = client.post(url, {"helpful": "yes"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="faq-thanks"' in response.content.decode()
    client.post(url, {"helpful": "yes"})
    client.post(reverse("faq:faq_feedback", args=["SHA", faq["checkin"].pk]), {"helpful": "no"})
    parking, checkin = Article.objects.get(pk=faq["parking"].pk), Article.objects.get(pk=faq["checkin"].pk)
    assert (parking.helpful_yes, parking.helpful_no, checkin.helpful_no) == (1, 0, 1)


def test_votes_on_hidden_articles_and_unknown_hotels_are_404(client, faq):
    assert client.post(reverse("faq:faq_feedback", args=["SHA", faq["internal"].pk]), {"helpful": "yes"}
                       ).status_code == 404
    assert client.post(reverse("faq:faq_feedback", args=["SHA", faq["other_hotel"].pk]), {"helpful": "yes"}
                       ).status_code == 404
    assert client.get(reverse("faq:faq", args=["XXX"])).status_code == 404
