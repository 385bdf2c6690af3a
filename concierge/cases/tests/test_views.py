"""Service-centre pages: they render, they call the services, errors come back on the form."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge.cases.models import Article, ArticleCategory, Case
from concierge.cases.services import case_resolve, lost_item_create
from concierge.cases.tests.factories import make_article, make_case, make_stay, root_cause

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client, service_a):
    client.force_login(service_a)
    return client


@pytest.fixture
def case_a(service_a, property_a, guest_a):
    return make_case(service_a, property_a, guest=guest_a, description="Rattling noise all night.")


def test_every_page_renders(agent, case_a, service_a, property_a, guest_a):
    article = make_article(service_a, property=property_a, zh=("停车", "免费。"), en=("Parking", "Free."))
    item = lost_item_create(actor=service_a, property=property_a, found_on=timezone.localdate(),
                            description="Phone charger", storage_location="HK office")
    resolved = case_resolve(actor=service_a, case=make_case(service_a, property_a, case_type="request"),
                            resolution="Done.")
    for url in (
        reverse("cases:case_list"), reverse("cases:case_list") + "?state=breached&mine=on",
        reverse("cases:case_create"), reverse("cases:case_create") + f"?guest={guest_a.pk}",
        reverse("cases:case_detail", args=[case_a.pk]), reverse("cases:case_edit", args=[case_a.pk]),
        reverse("cases:case_detail", args=[resolved.pk]),
        reverse("cases:breach_list"), reverse("cases:breach_list") + "?all=1",
        reverse("cases:service_metrics"), reverse("cases:service_metrics") + "?group_by=department",
        reverse("cases:screen_pop"), reverse("cases:kb_list"), reverse("cases:kb_list") + "?q=停车",
        reverse("cases:kb_detail", args=[article.pk]), reverse("cases:kb_create"),
        reverse("cases:kb_edit", args=[article.pk]), reverse("cases:lost_list"), reverse("cases:lost_create"),
        reverse("cases:lost_detail", args=[item.pk]),
    ):
        response = agent.get(url)
        assert response.status_code == 200, url


def test_the_sidebar_lists_the_service_pages(agent):
    page = agent.get(reverse("cases:case_list")).content.decode()
    for name in ("case_list", "screen_pop", "breach_list", "kb_list", "lost_list", "service_metrics"):
        assert f'href="{reverse("cases:" + name)}"' in page


def test_the_list_shows_open_cases_and_filters_by_htmx(agent, case_a, service_a, property_a):
    closed = case_resolve(actor=service_a, case=make_case(service_a, property_a, subject="Late check-out",
                                                          case_type="request"), resolution="OK")
    page = agent.get(reverse("cases:case_list")).content.decode()
    assert case_a.reference in page and closed.reference not in page
    partial = agent.get(reverse("cases:case_list"), {"state": "done"}, HTTP_HX_REQUEST="true",
                        HTTP_HX_TARGET="case-table")
    assert partial.templates[0].name == "cases/partials/case_table.html"
    assert closed.reference in partial.content.decode() and case_a.reference not in partial.content.decode()


def test_the_case_list_query_count_does_not_grow_with_rows(agent, service_a, property_a, guest_a,
                                                          django_assert_max_num_queries):
    for i in range(3):
        make_case(service_a, property_a, guest=guest_a, subject=f"Case {i}")
    with django_assert_max_num_queries(14) as first:
        agent.get(reverse("cases:case_list"))
    for i in range(10):
        make_case(service_a, property_a, guest=guest_a, subject=f"More {i}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        agent.get(reverse("cases:case_list"))


def test_opening_a_case_from_the_guest_preselects_the_current_stay(agent, service_a, property_a, guest_a):
    stay = make_stay(service_a, guest_a, property_a, arrival=timezone.localdate() - dt.timedelta(days=1),
                     status="in_house")
    page = agent.get(reverse("cases:case_create"), {"guest": guest_a.pk, "channel": "phone"}).content.decode()
    assert f'<option value="{stay.pk}" selected>' in page
    response = agent.post(reverse("cases:case_create"), {
        "property": property_a.pk, "case_type": "complaint", "subject": "TV not working", "description": "",
        "department": "engineering", "channel": "phone", "priority": "high", "severity": "minor", "owner": "",
        "stay": stay.pk, "guest": guest_a.pk})
    case = Case.objects.get(subject="TV not working")
    assert response.status_code == 302 and response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert case.guest == guest_a and case.stay == stay and case.priority == "high"


def test_a_case_needs_a_subject(agent, property_a):
    response = agent.post(reverse("cases:case_create"), {
        "property": property_a.pk, "case_type": "inquiry", "subject": "", "department": "other",
        "channel": "phone", "priority": "normal", "severity": "minor"})
    assert response.status_code == 400 and "This field is required." in response.content.decode()


def test_working_a_case_through_the_web(agent, case_a, service_a, guest_a):
    detail = reverse("cases:case_detail", args=[case_a.pk])
    assert agent.post(reverse("cases:case_respond", args=[case_a.pk]),
                      {"channel": "phone", "note": "Engineer on the way."}).status_code == 302
    assert agent.post(reverse("cases:case_transition", args=[case_a.pk]), {"status": "waiting"})["Location"] == detail
    # An illegal move comes back as a message, the status is unchanged.
    response = agent.post(reverse("cases:case_transition", args=[case_a.pk]), {"status": "closed"}, follow=True)
    assert "cannot go from" in response.content.decode()
    case_a.refresh_from_db()
    assert case_a.status == "waiting"
    # Resolving without a root cause shows the form again with the error.
    response = agent.post(reverse("cases:case_resolve", args=[case_a.pk]), {
        "resolution": "Fixed", "guest_told_via": "phone"})
    assert response.status_code == 400 and "Choose the root cause" in response.content.decode()
    response = agent.post(reverse("cases:case_resolve", args=[case_a.pk]), {
        "resolution": "Replaced the fan.", "root_cause": root_cause("air-conditioning").pk, "guest_told_via": "phone",
        "compensation_type": "apology", "compensation_amount": "", "alert_text": "", "guest_message": ""})
    assert response.status_code == 302
    page = agent.get(detail).content.decode()
    assert "Replaced the fan." in page and "Complained about air conditioning on" in page
    # One click on "Promote" opens the new draft for editing.
    response = agent.post(reverse("cases:case_promote", args=[case_a.pk]))
    article = Article.objects.get()
    assert response["Location"] == reverse("cases:kb_edit", args=[article.pk])
    assert agent.post(reverse("cases:case_reopen", args=[case_a.pk]), {"reason": "Noise is back."}).status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == "in_progress" and case_a.reopen_count == 1


def test_front_desk_cannot_write_knowledge_base_articles(client, frontdesk_a):
    client.force_login(frontdesk_a)
    assert client.get(reverse("cases:kb_list")).status_code == 200
    assert client.get(reverse("cases:kb_create")).status_code == 403


def test_writing_and_publishing_an_article_in_both_languages(agent, property_a):
    parking = ArticleCategory.objects.get(code="parking").pk
    response = agent.post(reverse("cases:kb_create"), {
        "category": parking, "property": property_a.pk, "status": "draft", "is_public": "on", "department": "",
        "tags": "停车, parking", "title_zh": "停车收费", "body_zh": "住店客人免费停车。", "title_en": "",
        "body_en": ""})
    article = Article.objects.get()
    assert response.status_code == 302 and article.tags.count() == 2
    # A public answer needs both languages before it is published.
    response = agent.post(reverse("cases:kb_status", args=[article.pk]), {"status": "published"}, follow=True)
    assert "needs both the Chinese and the English version" in response.content.decode()
    agent.post(reverse("cases:kb_edit", args=[article.pk]), {
        "category": parking, "property": property_a.pk, "status": "published", "is_public": "on", "department": "",
        "tags": "parking", "title_zh": "停车收费", "body_zh": "住店客人免费停车。", "title_en": "Parking fees",
        "body_en": "Parking is free for hotel guests."})
    article.refresh_from_db()
    assert article.status == "published" and article.published_at is not None
    assert agent.get(reverse("cases:kb_list"), {"q": "免费停车"}).content.decode().count("停车收费") == 1
