"""A leaving rep's accounts and everything on them move to colleagues in one action, with history kept."""
from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from concierge.core.models import Activity
from concierge.guests.models import Guest
from concierge.sales.models import AccountOwnership, Handover
from concierge.sales.selectors import owner_on
from concierge.sales.services import handover_run
from concierge.sales.tests.conftest import backdate
from concierge.sales.tests.factories import make_contact, make_guest
from concierge.worklist.services import task_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(company, make_company, rep, sales_manager, frontdesk_a, property_a, make_stay):
    """Rita's book: two accounts with contacts, an owned guest, open and done tasks, an open and a won deal."""
    second = make_company("Bolt Logistics", owner=rep)
    backdate(company, 200)
    backdate(second, 200)
    booker = make_guest(frontdesk_a, property_a, "李", "娜", company=company, owner=rep)
    loner = make_guest(frontdesk_a, property_a, "王", "芳", owner=rep)
    contact = make_contact(sales_manager, company, "Li Na", guest=booker, is_decision_maker=True)
    make_contact(sales_manager, second, "Zhou Jie")
    make_stay(booker, company, departure=timezone.localdate() - dt.timedelta(days=20), room="3000")
    open_task, _ = task_create(title="Send rates", assignee=rep, company=company, due_on=timezone.localdate())
    loose_task, _ = task_create(title="Call back Wang", assignee=rep, guest=loner)
    done_task, _ = task_create(title="Old", assignee=rep, company=company)
    done_task.status = "done"
    done_task.save()
    opportunities = {}
    opportunity = _opportunity_model()
    if opportunity is not None:
        opportunities["open"] = opportunity.objects.create(title="2027 rates", company=company, owner=rep,
                                                          status="open")
        opportunities["won"] = opportunity.objects.create(title="2026 rates", company=company, owner=rep,
                                                         status="won")
    return {"second": second, "booker": booker, "loner": loner, "contact": contact, "open_task": open_task,
            "loose_task": loose_task, "done_task": done_task, "opportunities": opportunities}


def _opportunity_model():
    try:
        return apps.get_model("pipeline", "Opportunity")
    except LookupError:
        return None


def test_handover_moves_everything_and_keeps_history(book, company, rep, rep2, sales_manager):
    record = handover_run(from_user=rep, actor=sales_manager, default_to=rep2, reason="Rita left", deactivate=True)
    for c in (company, book["second"]):
        c.refresh_from_db()
        assert c.owner == rep2
    assert Guest.objects.filter(owner=rep).count() == 0
    assert Guest.objects.get(pk=book["booker"].pk).owner == rep2
    assert Guest.objects.get(pk=book["loner"].pk).owner == rep2
    book["open_task"].refresh_from_db()
    book["loose_task"].refresh_from_db()
    book["done_task"].refresh_from_db()
    assert book["open_task"].assignee == rep2 and book["loose_task"].assignee == rep2
    assert book["done_task"].assignee == rep  # history is not rewritten
    if book["opportunities"]:
        book["opportunities"]["open"].refresh_from_db()
        book["opportunities"]["won"].refresh_from_db()
        assert book["opportunities"]["open"].owner == rep2
        assert book["opportunities"]["won"].owner == rep
        assert record.summary["opportunity"] == 1
    # History: Rita's period is closed yesterday, Ray's starts today; past revenue stays with Rita's period.
    today = timezone.localdate()
    assert AccountOwnership.objects.filter(company=company, owner=rep, valid_to=today - dt.timedelta(days=1)).exists()
    assert AccountOwnership.objects.filter(company=company, owner=rep2, valid_from=today, valid_to=None).exists()
    assert owner_on(company, today - dt.timedelta(days=20)) == rep
    assert owner_on(company, today) == rep2
    assert Activity.objects.filter(company=company, data__new_owner=rep2.pk).exists()
    assert Activity.objects.filter(guest=book["loner"], data__handover=True).exists()
    # The record lists what moved.
    assert record.summary["company"] == 2 and record.summary["contact"] == 2
    assert record.summary["guest"] == 2 and record.summary["task"] == 2
    assert {"kind": "company", "id": company.pk, "to": rep2.pk} in record.items
    rep.refresh_from_db()
    assert rep.is_active is False and record.deactivated_user


def test_accounts_can_be_split_between_colleagues(book, company, rep, rep2, sales_manager):
    handover_run(from_user=rep, actor=sales_manager, default_to=rep2, assignments={book["second"].pk: sales_manager})
    company.refresh_from_db()
    book["second"].refresh_from_db()
    assert company.owner == rep2 and book["second"].owner == sales_manager


def test_handover_needs_a_colleague_for_every_account(book, rep, sales_manager):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        handover_run(from_user=rep, actor=sales_manager, assignments={book["second"].pk: sales_manager})
    assert Handover.objects.count() == 0 and Guest.objects.filter(owner=rep).count() == 2  # nothing moved


def test_the_handover_page_moves_the_accounts_and_shows_the_result(client, book, company, rep, rep2, sales_manager):
    client.force_login(sales_manager)
    page = client.get(reverse("sales:handover"), {"from_user": rep.pk})
    assert page.status_code == 200 and "Bolt Logistics" in page.content.decode()
    response = client.post(reverse("sales:handover"), {
        "from_user": rep.pk, "default_to": rep2.pk, f"to_{book['second'].pk}": sales_manager.pk,
        "reason": "Rita left"}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "What moved" in body and "Acme Trading" in body
    company.refresh_from_db()
    assert company.owner == rep2


def test_reps_cannot_hand_over_in_the_page_or_the_api(client, book, rep, rep2):
    client.force_login(rep2)
    assert client.get(reverse("sales:handover")).status_code == 403
    api = APIClient()
    api.force_authenticate(rep2)
    response = api.post("/api/v1/handovers/", {"from_user": rep.pk, "default_to": rep2.pk}, format="json")
    assert response.status_code == 403
    assert Guest.objects.filter(owner=rep).count() == 2


def test_the_api_hands_over_with_a_split(book, company, rep, rep2, sales_manager):
    api = APIClient()
    api.force_authenticate(sales_manager)
    response = api.post("/api/v1/handovers/", {"from_user": rep.pk, "default_to": rep2.pk,
                                               "assignments": {str(book["second"].pk): sales_manager.pk}},
                        format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["summary"]["company"] == 2
    book["second"].refresh_from_db()
    assert book["second"].owner == sales_manager
    detail = api.get(f"/api/v1/handovers/{response.json()['id']}/")
    assert detail.status_code == 200 and detail.json()["from_user"]["id"] == rep.pk
