"""Company and contact pages: rendering, scoping, forms through the services, filters, warnings."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concierge.core.models import Activity, AuditEvent
from concierge.guests.models import Company, Contact, Industry
from concierge.guests.services import company_create, contact_create, interaction_log
from concierge.stays.services import stay_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def mining(db):
    return Industry.objects.create(code="mining", name_zh="采矿", name_en="Mining")


@pytest.fixture
def company_a(frontdesk_a, property_a, mining):
    return company_create(
        actor=frontdesk_a, properties=[property_a], name_zh="宝钢集团", name_en="Baosteel Group",
        account_number="AR-1001", industry=mining, province="上海", city="上海", phone="021 6321 8888",
        contact_frequency_days=30, owner=frontdesk_a,
    )


@pytest.fixture
def company_b(frontdesk_b, property_b):
    return company_create(actor=frontdesk_b, properties=[property_b], name_zh="阿里巴巴", name_en="Alibaba",
                          province="浙江", city="杭州", status="prospect")


@pytest.fixture
def client_a(client, frontdesk_a):
    client.force_login(frontdesk_a)
    return client


def _stay(actor, guest, prop, company, arrival, revenue, status="checked_out"):
    return stay_create(actor=actor, guest=guest, property=prop, company=company, arrival=arrival,
                       departure=arrival + dt.timedelta(days=2), room_revenue=Decimal(revenue),
                       fnb_revenue=Decimal("100"), status=status)


# --- rendering and scoping -----------------------------------------------------------------------------------


def test_company_pages_render_for_front_desk_at_the_property(client_a, company_a, guest_a, frontdesk_a, property_a):
    _stay(frontdesk_a, guest_a, property_a, company_a, timezone.localdate() - dt.timedelta(days=40), "1000")
    contact = contact_create(actor=frontdesk_a, company=company_a, name="李娜", phone="139 1111 2222",
                             birthday=dt.date(1980, 5, 4))
    for url in (
        reverse("web:company_list"),
        reverse("web:company_detail", args=[company_a.pk]),
        reverse("web:company_create"),
        reverse("web:company_edit", args=[company_a.pk]),
        reverse("web:contact_list"),
        reverse("web:contact_detail", args=[contact.pk]),
        reverse("web:contact_edit", args=[contact.pk]),
    ):
        response = client_a.get(url)
        assert response.status_code == 200, url
    detail = client_a.get(reverse("web:company_detail", args=[company_a.pk])).content.decode()
    assert "宝钢集团" in detail and "Baosteel Group" in detail and "李娜" in detail
    assert "revenue-chart-data" in detail
    assert reverse("web:guest_detail", args=[guest_a.pk]) in detail  # guests staying on the account


def test_company_pages_need_login(client, company_a):
    response = client.get(reverse("web:company_detail", args=[company_a.pk]))
    assert response.status_code == 302
    assert reverse("web:login") in response["Location"]


def test_it_rejects_a_company_of_another_property(client, frontdesk_b, company_a, frontdesk_a):
    contact = contact_create(actor=frontdesk_a, company=company_a, name="李娜")
    client.force_login(frontdesk_b)
    assert client.get(reverse("web:company_detail", args=[company_a.pk])).status_code == 404
    assert client.get(reverse("web:company_edit", args=[company_a.pk])).status_code == 404
    assert client.post(reverse("web:company_log", args=[company_a.pk]),
                       {"log-kind": "call", "log-summary": "x"}).status_code == 404
    assert client.post(reverse("web:company_contact_add", args=[company_a.pk]),
                       {"contact-name": "x"}).status_code == 404
    assert client.get(reverse("web:contact_detail", args=[contact.pk])).status_code == 404
    assert not Activity.objects.filter(company=company_a, kind="call").exists()


def test_lists_show_only_companies_and_contacts_of_the_users_properties(client, frontdesk_b, company_a, company_b,
                                                                         frontdesk_a):
    contact_create(actor=frontdesk_a, company=company_a, name="李娜")
    client.force_login(frontdesk_b)
    companies = client.get(reverse("web:company_list")).content.decode()
    assert "阿里巴巴" in companies and "宝钢集团" not in companies
    contacts = client.get(reverse("web:contact_list")).content.decode()
    assert "李娜" not in contacts


# --- create and edit -----------------------------------------------------------------------------------------


def test_creating_a_company_with_a_bad_phone_shows_a_field_error_and_creates_nothing(client_a, property_a):
    response = client_a.post(reverse("web:company_create"), {
        "name_zh": "坏电话公司", "channel": "corporate", "status": "active", "payment_method": "cash",
        "country": "CN", "phone": "not-a-phone", "properties": [property_a.pk],
    })
    assert response.status_code == 200
    assert "not-a-phone" in response.context["form"].errors["phone"][0]
    assert "is-invalid" in response.content.decode()
    assert not Company.objects.filter(name_zh="坏电话公司").exists()
    assert not Activity.objects.filter(summary="Company created").exists()


def test_creating_a_company_saves_it_through_the_service_and_opens_it(client_a, property_a, mining):
    response = client_a.post(reverse("web:company_create"), {
        "name_zh": "中远海运", "name_en": "COSCO", "channel": "corporate", "status": "active",
        "payment_method": "city_ledger", "country": "CN", "phone": "021 6596 6666", "industry": mining.pk,
        "properties": [property_a.pk], "tags": "航运，VIP",
    })
    company = Company.objects.get(name_zh="中远海运")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:company_detail", args=[company.pk])
    assert company.phone == "+862165966666"
    assert list(company.properties.all()) == [property_a]
    assert sorted(t.name for t in company.tags.all()) == ["VIP", "航运"]


def test_marking_a_company_lost_needs_a_reason(client_a, company_a):
    data = _edit_data(company_a, status="lost", status_reason="")
    response = client_a.post(reverse("web:company_edit", args=[company_a.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["status_reason"]
    company_a.refresh_from_db()
    assert company_a.status == "active"


def test_editing_a_company_that_someone_else_saved_shows_the_stale_warning(client_a, company_a, frontdesk_a):
    data = _edit_data(company_a, name_en="Baosteel (mine)")
    from concierge.guests.services import company_update

    company_update(actor=frontdesk_a, company=company_a, expected_version=company_a.version, city="宝山")
    response = client_a.post(reverse("web:company_edit", args=[company_a.pk]), data)
    assert response.status_code == 200
    assert response.context["stale"] is True
    assert 'data-testid="stale-version"' in response.content.decode()
    company_a.refresh_from_db()
    assert company_a.name_en == "Baosteel Group" and company_a.city == "宝山"


def test_editing_a_company_with_the_current_version_saves(client_a, company_a):
    data = _edit_data(company_a, fax="021 6321 8899")
    response = client_a.post(reverse("web:company_edit", args=[company_a.pk]), data)
    assert response.status_code == 302
    company_a.refresh_from_db()
    assert company_a.fax == "+862163218899" and company_a.version == 2


def _edit_data(company: Company, **changes: object) -> dict:
    data = {
        "version": company.version, "name_zh": company.name_zh, "name_en": company.name_en,
        "account_number": company.account_number, "industry": company.industry_id or "", "channel": company.channel,
        "status": company.status, "status_reason": company.status_reason, "owner": company.owner_id or "",
        "parent": "", "country": company.country, "province": company.province, "city": company.city,
        "address": company.address, "postcode": company.postcode, "phone": company.phone, "fax": company.fax,
        "email": company.email, "homepage": company.homepage, "payment_method": company.payment_method,
        "contact_frequency_days": company.contact_frequency_days or "", "notes": company.notes,
    }
    data.update(changes)
    return data


# --- shared timeline -----------------------------------------------------------------------------------------


def test_the_last_contacted_warning_appears_after_a_logged_call(client_a, company_a):
    detail = reverse("web:company_detail", args=[company_a.pk])
    assert "Nobody has contacted this company yet." in client_a.get(detail).content.decode()
    response = client_a.post(reverse("web:company_log", args=[company_a.pk]),
                             {"log-kind": "call", "log-summary": "Talked about the 2026 rate agreement"})
    assert response.status_code == 302
    page = client_a.get(detail).content.decode()
    assert "Last contacted by Alice today" in page
    assert "Talked about the 2026 rate agreement" in page
    assert Activity.objects.get(company=company_a, kind="call").property.code == "SHA"


def test_the_warning_says_how_many_days_ago_and_the_contact_is_overdue(client_a, company_a, service_a):
    interaction_log(actor=service_a, kind="visit", summary="Site visit", company=company_a,
                    occurred_at=timezone.now() - dt.timedelta(days=45))
    page = client_a.get(reverse("web:company_detail", args=[company_a.pk])).content.decode()
    assert "Last contacted by Sam, 45 days ago" in page
    assert "Contact overdue" in page  # agreed every 30 days


def test_a_call_logged_meanwhile_by_a_colleague_is_shown_before_a_second_one(client_a, company_a, service_a):
    form_page = client_a.get(reverse("web:company_detail", args=[company_a.pk]))
    seen = form_page.context["interaction_form"].initial["seen_contact"]
    interaction_log(actor=service_a, kind="call", summary="Sam called about the conference", company=company_a)
    post = {"log-kind": "call", "log-summary": "Alice calls too", "log-seen_contact": seen or ""}
    response = client_a.post(reverse("web:company_log", args=[company_a.pk]), post, HTTP_HX_REQUEST="true",
                             HTTP_HX_TARGET="company-timeline")
    assert 'data-testid="contacted-meanwhile"' in response.content.decode()
    assert not Activity.objects.filter(summary="Alice calls too").exists()
    resubmit = response.context["interaction_form"].data
    response = client_a.post(reverse("web:company_log", args=[company_a.pk]), resubmit, HTTP_HX_REQUEST="true",
                             HTTP_HX_TARGET="company-timeline")
    assert response.status_code == 200
    assert Activity.objects.filter(summary="Alice calls too").exists()


def test_the_timeline_pages_with_htmx(client_a, company_a, frontdesk_a):
    for i in range(20):
        interaction_log(actor=frontdesk_a, kind="note", summary=f"note {i:02d}", company=company_a,
                        occurred_at=timezone.now() - dt.timedelta(hours=i))
    response = client_a.get(reverse("web:company_detail", args=[company_a.pk]) + "?tpage=2",
                            HTTP_HX_REQUEST="true", HTTP_HX_TARGET="company-timeline")
    body = response.content.decode()
    assert body.lstrip().startswith("<section") and "note 12" in body and "note 00" not in body


# --- performance ---------------------------------------------------------------------------------------------


def test_performance_and_the_monthly_chart_are_aggregated_from_visible_stays(
    client_a, company_a, guest_a, frontdesk_a, property_a, property_b,
):
    today = timezone.localdate()
    _stay(frontdesk_a, guest_a, property_a, company_a, today - dt.timedelta(days=3), "1000", status="in_house")
    _stay(frontdesk_a, guest_a, property_a, company_a, today - dt.timedelta(days=400), "600")
    _stay(frontdesk_a, guest_a, property_a, company_a, today + dt.timedelta(days=10), "999", status="reserved")
    _stay(frontdesk_a, guest_a, property_b, company_a, today - dt.timedelta(days=5), "5000")  # not Alice's hotel
    response = client_a.get(reverse("web:company_detail", args=[company_a.pk]))
    totals = response.context["totals"]
    assert (totals.stays, totals.room_nights, totals.room_revenue) == (2, 4, Decimal("1600"))
    chart = response.context["chart"]
    assert len(chart["months"]) == 24 and chart["months"][-1] == today.strftime("%Y-%m")
    assert sum(chart["room"]) == 1600.0 and sum(chart["other"]) == 200.0
    assert response.context["account_guests"][0]["in_house"] == 1


# --- company list --------------------------------------------------------------------------------------------


def test_company_list_annotates_stays_and_revenue_of_the_last_12_months(
    client_a, company_a, guest_a, frontdesk_a, property_a,
):
    today = timezone.localdate()
    _stay(frontdesk_a, guest_a, property_a, company_a, today - dt.timedelta(days=30), "1000")
    _stay(frontdesk_a, guest_a, property_a, company_a, today - dt.timedelta(days=500), "7000")
    response = client_a.get(reverse("web:company_list"))
    row = next(r for r in response.context["table"].page.object_list.data if r.pk == company_a.pk)
    assert row.stays_12m == 1 and row.revenue_12m == Decimal("1100")
    assert "1,100" in response.content.decode()


@pytest.mark.parametrize("query, expected", [
    ("status=prospect", {"远景咨询"}),
    ("province=上海", {"宝钢集团"}),
    ("q=baosteel", {"宝钢集团"}),
    ("q=AR-10", {"宝钢集团"}),
    ("channel=travel_agency", {"远景咨询"}),
    ("", {"宝钢集团", "远景咨询"}),
])
def test_company_list_filters(client_a, company_a, frontdesk_a, property_a, mining, query, expected):
    company_create(actor=frontdesk_a, properties=[property_a], name_zh="远景咨询", province="北京",
                   status="prospect", channel="travel_agency")
    response = client_a.get(reverse("web:company_list") + "?" + query)
    assert {c.name_zh for c in response.context["table"].page.object_list.data} == expected


def test_company_list_filters_by_industry_and_owner(client_a, company_a, frontdesk_a, property_a, mining):
    company_create(actor=frontdesk_a, properties=[property_a], name_zh="远景咨询")
    for query in (f"industry={mining.code}", f"owner={frontdesk_a.pk}"):
        response = client_a.get(reverse("web:company_list") + "?" + query)
        assert [c.name_zh for c in response.context["table"].page.object_list.data] == ["宝钢集团"]


def test_company_list_returns_the_table_partial_for_htmx(client_a, company_a):
    response = client_a.get(reverse("web:company_list") + "?q=宝钢", HTTP_HX_REQUEST="true",
                            HTTP_HX_TARGET="company-table")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="company-table"') and "宝钢集团" in body
    assert "<html" not in body


def test_company_list_query_count_does_not_grow_with_rows(client_a, frontdesk_a, property_a, guest_a, mining):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client_a.get(reverse("web:company_list")).status_code == 200
        return len(ctx.captured_queries)

    company_create(actor=frontdesk_a, properties=[property_a], name_zh="一号", industry=mining, owner=frontdesk_a)
    few = count()
    for i in range(5):
        company = company_create(actor=frontdesk_a, properties=[property_a], name_zh=f"公司{i}", industry=mining,
                                 owner=frontdesk_a)
        _stay(frontdesk_a, guest_a, property_a, company, timezone.localdate() - dt.timedelta(days=3), "500")
    assert count() == few


# --- contacts ------------------------------------------------------------------------------------------------


def test_adding_a_contact_with_a_known_phone_warns_before_saving(client_a, company_a, guest_a):
    url = reverse("web:company_contact_add", args=[company_a.pk])
    post = {"contact-name": "张伟", "contact-position": "采购经理", "contact-phone": "13800138000"}
    response = client_a.post(url, post, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="company-contacts")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="duplicate-warning"' in body
    assert reverse("web:guest_detail", args=[guest_a.pk]) in body
    assert not Contact.objects.filter(company=company_a).exists()

    response = client_a.post(url, {**post, "contact-save_anyway": "on"}, HTTP_HX_REQUEST="true",
                             HTTP_HX_TARGET="company-contacts")
    contact = Contact.objects.get(company=company_a)
    assert contact.phone == "+8613800138000" and contact.guest is None
    assert "duplicate-warning" not in response.content.decode()
    assert AuditEvent.objects.filter(action="create_anyway", company=company_a).exists()


def test_a_contact_with_a_known_email_can_be_linked_to_the_guest(client_a, company_a, guest_a):
    url = reverse("web:company_contact_add", args=[company_a.pk])
    post = {"contact-name": "张伟", "contact-email": "Zhang.Wei@example.cn"}
    assert "duplicate-warning" in client_a.post(url, post).content.decode()
    response = client_a.post(url, {**post, "contact-link_guest": guest_a.pk})
    assert response.status_code == 302
    assert Contact.objects.get(company=company_a).guest == guest_a


def test_a_contact_matching_another_companys_contact_is_flagged(client_a, company_a, frontdesk_a, property_a):
    other = company_create(actor=frontdesk_a, properties=[property_a], name_zh="宝武钢铁")
    contact_create(actor=frontdesk_a, company=other, name="王芳", email="wang.fang@example.cn")
    response = client_a.post(reverse("web:company_contact_add", args=[company_a.pk]),
                             {"contact-name": "王芳", "contact-email": "wang.fang@example.cn"})
    assert "duplicate-warning" in response.content.decode() and "宝武钢铁" in response.content.decode()


def test_a_new_contact_without_matches_is_saved_directly(client_a, company_a):
    response = client_a.post(reverse("web:company_contact_add", args=[company_a.pk]),
                             {"contact-name": "赵敏", "contact-phone": "139 2222 3333",
                              "contact-is_decision_maker": "on"})
    assert response.status_code == 302
    assert Contact.objects.get(company=company_a).is_decision_maker is True


def test_a_contact_with_a_bad_phone_shows_the_service_error(client_a, company_a):
    response = client_a.post(reverse("web:company_contact_add", args=[company_a.pk]),
                             {"contact-name": "赵敏", "contact-phone": "12"}, HTTP_HX_REQUEST="true",
                             HTTP_HX_TARGET="company-contacts")
    assert response.context["contact_form"].errors["phone"]
    assert not Contact.objects.exists()


def test_contact_list_filters(client_a, company_a, frontdesk_a, property_a):
    other = company_create(actor=frontdesk_a, properties=[property_a], name_zh="宝武钢铁")
    contact_create(actor=frontdesk_a, company=company_a, name="李娜", is_decision_maker=True,
                   birthday=dt.date(1985, 3, 8))
    contact_create(actor=frontdesk_a, company=other, name="王芳", email="wang.fang@example.cn")
    for query, expected in (
        (f"company={company_a.pk}", ["李娜"]), ("q=wang.fang", ["王芳"]), ("is_decision_maker=true", ["李娜"]),
        ("birthday_month=3", ["李娜"]), ("q=宝武", ["王芳"]),
    ):
        response = client_a.get(reverse("web:contact_list") + "?" + query)
        assert [c.name for c in response.context["table"].page.object_list.data] == expected, query


def test_editing_a_contact_saves_through_the_service(client_a, company_a, frontdesk_a):
    contact = contact_create(actor=frontdesk_a, company=company_a, name="李娜")
    response = client_a.post(reverse("web:contact_edit", args=[contact.pk]),
                             {"name": "李娜", "position": "总经理", "phone": "139 5555 6666", "is_active": "on",
                              "version": contact.version})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.position, contact.phone, contact.version) == ("总经理", "+8613955556666", 2)
