"""Property scoping of the service centre, once per object type, and the audit of VIP/flagged guests' cases."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from concierge.cases.models import Article, Case, CaseEvent, LostItem
from concierge.cases.services import lost_item_create
from concierge.cases.tests.factories import make_article, make_case
from concierge.core.models import AuditEvent
from concierge.guests.services import alert_add, guest_tags_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(service_a, property_a, guest_a):
    case = make_case(service_a, property_a, guest=guest_a)
    item = lost_item_create(actor=service_a, property=property_a, found_on=dt.date(2026, 3, 2), room_number="1203",
                            description="Black umbrella", storage_location="HK office")
    article = make_article(service_a, property=property_a, zh=("内部处理流程", "只给A酒店看的内容。"))
    return {"case": case, "item": item, "article": article}


@pytest.mark.parametrize("model", [Case, CaseEvent, LostItem, Article])
def test_another_propertys_user_sees_nothing(world, frontdesk_b, model):
    assert not model.objects.visible_to(frontdesk_b).exists()


@pytest.mark.parametrize("model", [Case, CaseEvent, LostItem, Article])
def test_the_propertys_agent_and_the_group_manager_see_it(world, service_a, manager, model):
    assert model.objects.visible_to(service_a).exists()
    assert model.objects.visible_to(manager).count() == model.objects.count()


def test_group_wide_articles_are_seen_by_every_hotel(service_a, frontdesk_b):
    shared = make_article(service_a, zh=("集团会员政策", "所有酒店通用。"))
    assert list(Article.objects.visible_to(frontdesk_b)) == [shared]


def test_pages_and_actions_of_another_hotel_are_404(client, world, frontdesk_b):
    client.force_login(frontdesk_b)
    case, item, article = world["case"], world["item"], world["article"]
    for url in (reverse("cases:case_detail", args=[case.pk]), reverse("cases:case_edit", args=[case.pk]),
                reverse("cases:lost_detail", args=[item.pk]), reverse("cases:kb_detail", args=[article.pk])):
        assert client.get(url).status_code == 404, url
    for name in ("case_respond", "case_resolve", "case_transition", "case_assign", "case_reopen", "case_escalate"):
        assert client.post(reverse(f"cases:{name}", args=[case.pk]), {"status": "in_progress", "note": "x"}
                           ).status_code == 404, name
    assert client.get(reverse("cases:case_create"), {"guest": case.guest_id}).status_code == 404
    page = client.get(reverse("cases:case_list"), {"state": ""}).content.decode()
    assert case.reference not in page
    case.refresh_from_db()
    assert case.status == "new"


def test_the_api_hides_other_hotels_cases(world, frontdesk_b):
    api = APIClient()
    api.force_authenticate(frontdesk_b)
    assert api.get(f"/api/v1/cases/{world['case'].pk}/").status_code == 404
    assert api.get("/api/v1/cases/").json()["count"] == 0
    assert api.get("/api/v1/lost-items/").json()["count"] == 0
    assert api.post(f"/api/v1/cases/{world['case'].pk}/transition/", {"status": "in_progress"}).status_code == 404


def test_viewing_a_vip_guests_case_is_audited(client, service_a, world, guest_a):
    client.force_login(service_a)
    url = reverse("cases:case_detail", args=[world["case"].pk])
    client.get(url)
    assert not AuditEvent.objects.filter(field="case").exists()  # an ordinary guest
    guest_tags_set(guest=guest_a, names=["VIP"])
    client.get(url)
    event = AuditEvent.objects.get(field="case")
    assert event.guest == guest_a and event.actor == service_a and world["case"].reference in event.detail


def test_viewing_a_flagged_guests_case_through_the_api_is_audited(service_a, world, guest_a):
    alert_add(actor=service_a, guest=guest_a, text="Threatened staff last stay", severity="critical")
    api = APIClient()
    api.force_authenticate(service_a)
    assert api.get(f"/api/v1/cases/{world['case'].pk}/").status_code == 200
    assert AuditEvent.objects.filter(field="case", guest=guest_a, detail__contains="api").count() == 1


def test_the_guest_card_lists_open_cases_of_visible_hotels_only(client, service_a, frontdesk_b, world, guest_a,
                                                                 property_b):
    from concierge.stays.services import stay_create

    client.force_login(service_a)
    page = client.get(reverse("web:guest_detail", args=[guest_a.pk])).content.decode()
    assert world["case"].reference in page
    stay_create(actor=frontdesk_b, guest=guest_a, property=property_b, arrival=dt.date(2026, 1, 1),
                departure=dt.date(2026, 1, 2), status="checked_out")  # now B sees the guest, not A's case
    client.force_login(frontdesk_b)
    page = client.get(reverse("web:guest_detail", args=[guest_a.pk])).content.decode()
    assert world["case"].reference not in page
