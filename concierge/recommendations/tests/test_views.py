"""Product affinity screens, CSV, the guest card's next-best offers, and the API."""
from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from concierge.core.choices import AuditAction
from concierge.core.models import AuditEvent
from concierge.recommendations.tests.factories import product, stays_with

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_the_rules_list_reads_as_sentences_with_freshness_and_chart(client, marketing, food_rules) -> None:
    client.force_login(marketing)

    html = client.get(reverse("recommendations:rule_list")).content.decode()

    assert "Guests who took" in html and "Singapore food week" in html and "Thai food week" in html
    assert 'data-testid="rules-freshness"' in html and "Mined" in html
    assert 'id="rules-chart"' in html
    assert "Product affinities" in html  # sidebar entry


def test_the_rules_list_filters_by_product_and_sorts(client, marketing, food_rules) -> None:
    client.force_login(marketing)
    spa = product("spa")

    html = client.get(reverse("recommendations:rule_list"),
                      {"product": spa.pk, "side": "c", "sort": "confidence"}).content.decode()
    rows = html.split('data-testid="rule-table"')[1]

    # sfw → spa, tfw → spa, sfw + tfw → spa, sfw → tfw + spa, tfw → sfw + spa (the header row excluded)
    assert rows.split("</table>")[0].count("<tr>") - 1 == 5
    assert "Breakfast" not in rows


def test_the_rules_list_speaks_chinese(client, marketing, food_rules) -> None:
    client.force_login(marketing)
    with translation.override("zh-hans"):
        client.cookies["django_language"] = "zh-hans"
        html = client.get(reverse("recommendations:rule_list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "新加坡美食节" in html and "泰国美食节" in html


def test_csv_lists_the_filtered_rules(client, marketing, food_rules) -> None:
    client.force_login(marketing)

    response = client.get(reverse("recommendations:rules_csv"), {"product": product("sfw").pk, "side": "a"})
    lines = b"".join(response.streaming_content).decode().splitlines()

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert lines[0].startswith("\ufeffantecedent,consequent")  # BOM so Excel reads UTF-8
    assert AuditEvent.objects.filter(actor=marketing, action=AuditAction.EXPORT,
                                     field="recommendations.product_rules").count() == 1
    assert len(lines) == 1 + 5  # sfw → tfw, sfw → spa, sfw → tfw + spa, sfw + tfw → spa, sfw + spa → tfw
    assert all(line.startswith("Singapore food week") for line in lines[1:])


def test_csv_cells_that_look_like_formulas_are_neutralised(client, marketing, food_rules) -> None:
    from concierge.stays.models import Product

    Product.objects.filter(code="sfw").update(name_en="=HYPERLINK(1)")
    client.force_login(marketing)

    response = client.get(reverse("recommendations:rules_csv"), {"product": product("sfw").pk, "side": "a"})
    lines = b"".join(response.streaming_content).decode().splitlines()

    assert len(lines) == 1 + 5
    assert all(line.startswith("'=HYPERLINK(1)") for line in lines[1:])


def test_the_product_page_says_who_took_it_also_took(client, marketing, food_rules) -> None:
    client.force_login(marketing)

    html = client.get(reverse("recommendations:product_detail", args=[product("sfw").pk])).content.decode()

    assert "Guests who took Singapore food week also took …" in html
    assert html.split('data-testid="also-took"')[1].count("Thai food week") >= 1


def test_front_desk_cannot_open_the_rules(client, frontdesk_a, food_rules) -> None:
    client.force_login(frontdesk_a)

    assert client.get(reverse("recommendations:rule_list")).status_code == 403
    assert client.get(reverse("recommendations:rules_csv")).status_code == 403
    assert api(frontdesk_a).get("/api/v1/recommendations/rules/").status_code == 403


def test_the_guest_card_offers_what_similar_guests_took_next(client, frontdesk_a, guest_a, food_rules) -> None:
    client.force_login(frontdesk_a)

    html = client.get(reverse("web:guest_detail", args=[guest_a.pk])).content.decode()

    assert 'data-testid="card-offer"' in html
    assert "Thai food week (came for Singapore food week)" in html
    offers = html.split('data-testid="card-insights"')[1].split("</dd>")[0]
    assert "Breakfast" not in offers.split("came for")[0]  # never offers what the guest already took


def test_offers_only_use_stays_the_reader_may_see(frontdesk_b, guest_a, food_rules, property_b) -> None:
    from concierge.recommendations.selectors import guest_offers

    stays_with([["tfw"]], property=property_b, guest=guest_a)

    # At HGH only the Thai food week stay is visible: the Singapore food week at SHA is neither reason nor known.
    offers = guest_offers(guest=guest_a, user=frontdesk_b)
    assert sorted((o.product["code"], o.reason) for o in offers) == [("sfw", "Thai food week"),
                                                                      ("spa", "Thai food week")]


def test_the_offer_query_count_is_fixed(django_assert_num_queries, frontdesk_a, guest_a, food_rules) -> None:
    from concierge.recommendations.selectors import guest_offers

    frontdesk_a.property_ids()  # the user's properties are cached on the user
    with django_assert_num_queries(2):
        offers = guest_offers(guest=guest_a, user=frontdesk_a)
    assert offers[0].product["code"] == "tfw" and offers[0].reason == "Singapore food week"


def test_api_lists_rules_with_filters(marketing, food_rules) -> None:
    data = api(marketing).get("/api/v1/recommendations/rules/",
                              {"product": product("tfw").pk, "side": "a", "sort": "lift"}).json()

    assert data["count"] == len(data["results"]) >= 1
    first = data["results"][0]
    assert {p["code"] for p in first["antecedents"]} >= {"tfw"}
    assert {"support", "confidence", "lift", "leverage", "conviction", "mined_at"} <= set(first)


def test_api_offers_are_scoped_to_visible_guests(frontdesk_a, frontdesk_b, guest_a, food_rules) -> None:
    mine = api(frontdesk_a).get(f"/api/v1/guests/{guest_a.pk}/offers/")
    theirs = api(frontdesk_b).get(f"/api/v1/guests/{guest_a.pk}/offers/")

    assert mine.status_code == 200
    assert mine.json()[0]["product"]["code"] == "tfw"
    assert [p["code"] for p in mine.json()[0]["because"]] == ["sfw"]
    assert theirs.status_code == 404
