"""Today, my accounts (onboarding), the account page, the contact log warning and the help pages."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge.core.models import Activity
from concierge.guests.services import company_update, interaction_log
from concierge.sales.services import account_team_add
from concierge.sales.tests.conftest import backdate
from concierge.sales.tests.factories import make_contact, make_guest
from concierge.worklist.services import task_create

pytestmark = pytest.mark.django_db


def test_today_shows_overdue_and_due_tasks_due_accounts_and_birthdays(client, company, rep, sales_manager):
    today = timezone.localdate()
    backdate(company, 40)
    task_create(title="Overdue call", assignee=rep, due_on=today - dt.timedelta(days=2))
    task_create(title="Today's visit", assignee=rep, due_on=today)
    task_create(title="Next month", assignee=rep, due_on=today + dt.timedelta(days=40))
    birthday = today + dt.timedelta(days=3)
    make_contact(sales_manager, company, "Zhao Min", birthday=birthday.replace(year=1980))
    make_contact(sales_manager, company, "Later Person",
                 birthday=(today + dt.timedelta(days=20)).replace(year=1980))
    client.force_login(rep)
    response = client.get(reverse("sales:today"))
    page = response.context["page_data"]
    assert [t.title for t in page.overdue] == ["Overdue call"]
    assert [t.title for t in page.due_today] == ["Today's visit"]
    assert [d.company for d in page.due_accounts] == [company]
    assert [c.name for c in page.birthdays] == ["Zhao Min"]
    body = response.content.decode()
    assert "Overdue call" in body and "Zhao Min" in body and "Next month" not in body


def test_my_accounts_lists_accounts_by_revenue_with_last_interaction(client, company, make_company, rep,
                                                                    frontdesk_a, property_a, make_stay):
    small = make_company("Small Co", owner=rep)
    guest = make_guest(frontdesk_a, property_a, "张", "三")
    make_stay(guest, small, departure=timezone.localdate() - dt.timedelta(days=30), room="500")
    make_stay(guest, company, departure=timezone.localdate() - dt.timedelta(days=30), room="9000")
    make_stay(guest, small, departure=timezone.localdate() - dt.timedelta(days=400), room="99999")  # too old
    interaction_log(actor=rep, kind="visit", summary="Lunch with the travel manager", company=company)
    task_create(title="Follow up", assignee=rep, company=company)
    client.force_login(rep)
    response = client.get(reverse("sales:my_accounts"))
    rows = list(response.context["page"])
    assert [r.name_en for r in rows] == ["Acme Trading", "Small Co"]
    assert rows[0].revenue_12m == 9000 and rows[1].revenue_12m == 500
    assert rows[0].open_tasks == 1 and rows[0].last_contact_kind == "visit"
    assert "Lunch with the travel manager" in response.content.decode()


def test_the_account_page_shows_plan_team_history_and_tree(client, company, make_company, rep, rep2,
                                                          sales_manager, frontdesk_a, property_a, make_stay):
    child = make_company("Acme Shanghai", owner=rep)
    company_update(actor=sales_manager, company=child, parent=company)
    guest = make_guest(frontdesk_a, property_a, "陈", "一")
    make_stay(guest, child, departure=timezone.localdate() - dt.timedelta(days=5), room="700")
    make_stay(guest, company, departure=timezone.localdate() - dt.timedelta(days=5), room="300")
    make_contact(sales_manager, company, "Boss Wang", is_decision_maker=True, position="CFO")
    account_team_add(company=company, user=rep2, role="support", actor=sales_manager)
    client.force_login(rep)
    response = client.post(reverse("sales:account_plan_save", args=[company.pk]), {
        "potential_room_nights": "1200", "competitor_hotels": "Hilton\nMarriott", "goals": "", "notes": ""})
    assert response.status_code == 302
    response = client.get(reverse("sales:account_detail", args=[company.pk]))
    body = response.content.decode()
    assert "Boss Wang" in body and "Hilton" in body and "Ray" in body
    tree = response.context["tree"]
    assert [(n.company.name_en, n.revenue, n.rolled_revenue) for n in tree] == [
        ("Acme Trading", 300, 1000), ("Acme Shanghai", 700, 700)]
    assert len(response.context["ownerships"]) == 1
    # The company page shows the ownership history panel too.
    company_page = client.get(reverse("web:company_detail", args=[company.pk])).content.decode()
    assert 'data-testid="account-panel"' in company_page


def test_plan_permissions_are_the_same_in_page_and_api(client, company, rep, rep2, sales_manager, rep_b):
    from rest_framework.test import APIClient

    data = {"potential_room_nights": 100, "competitor_hotels": ["Hyatt"], "goals": "", "notes": ""}
    form = {"potential_room_nights": "100", "competitor_hotels": "Hyatt", "goals": "", "notes": ""}
    expected = {rep: (302, 200), rep2: (403, 403), sales_manager: (302, 200), rep_b: (404, 404)}
    for user, (page_status, api_status) in expected.items():
        client.force_login(user)
        assert client.post(reverse("sales:account_plan_save", args=[company.pk]), form).status_code == page_status
        api = APIClient()
        api.force_authenticate(user)
        assert api.put(f"/api/v1/accounts/{company.pk}/plan/", data, format="json").status_code == api_status
    api = APIClient()
    api.force_authenticate(rep2)
    plan = api.get(f"/api/v1/accounts/{company.pk}/plan/").json()
    assert plan["potential_room_nights"] == 100 and plan["competitor_hotels"] == ["Hyatt"]
    history = api.get(f"/api/v1/accounts/{company.pk}/ownership/").json()
    assert [row["owner"]["id"] for row in history] == [rep.pk]


def test_a_team_member_may_work_the_account_and_a_rep_may_not_take_someone_elses(client, company, rep2,
                                                                                sales_manager):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(rep2)
    assert api.post(f"/api/v1/accounts/{company.pk}/ownership/", {"new_owner": rep2.pk},
                    format="json").status_code == 403
    account_team_add(company=company, user=rep2, role="backup", actor=sales_manager)
    assert api.put(f"/api/v1/accounts/{company.pk}/plan/", {"goals": "grow"}, format="json").status_code == 200


def test_the_contact_page_logs_a_visit_and_warns_about_a_colleagues_contact(client, company, rep, rep2,
                                                                           sales_manager):
    contact = make_contact(sales_manager, company, "Li Lei")
    client.force_login(rep)
    page = client.get(reverse("web:contact_detail", args=[contact.pk])).content.decode()
    assert 'data-testid="contact-log"' in page
    interaction_log(actor=rep2, kind="visit", summary="Ray dropped by", company=company)  # meanwhile
    data = {"log-kind": "visit", "log-summary": "Office visit", "log-body": "",
            "log-seen_contact": ""}  # the page was drawn before any contact was logged
    warned = client.post(reverse("sales:contact_log", args=[contact.pk]), data)
    assert warned.status_code == 409
    assert "Ray" in warned.content.decode() and not Activity.objects.filter(summary__contains="Office visit").exists()
    again = {**data, "log-seen_contact": warned.context["form"]["seen_contact"].value()}
    assert client.post(reverse("sales:contact_log", args=[contact.pk]), again).status_code == 302
    entry = Activity.objects.get(summary="Li Lei: Office visit")
    assert entry.company == company and entry.actor == rep and entry.data["contact_id"] == contact.pk


@pytest.mark.parametrize("language,text", [("en", "Sales rep"), ("zh-hans", "销售代表")])
def test_help_pages_exist_per_role_in_both_languages(client, rep, language, text):
    from concierge.sales.views import HELP_ROLES

    client.force_login(rep)
    client.cookies["django_language"] = language
    for role in HELP_ROLES:
        assert client.get(reverse("sales:help_role", args=[role]), HTTP_ACCEPT_LANGUAGE=language).status_code == 200
    body = client.get(reverse("sales:help"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert text in body
    assert client.get(reverse("sales:help_role", args=["nobody"])).status_code == 404


def test_the_sidebar_links_today_for_reps_and_help_for_everyone(client, rep, frontdesk_a):
    client.force_login(rep)
    body = client.get(reverse("sales:today")).content.decode()
    assert reverse("sales:today") in body and reverse("sales:help") in body
    client.force_login(frontdesk_a)
    body = client.get(reverse("web:home")).content.decode()
    assert reverse("sales:help") in body and reverse("sales:handover") not in body
