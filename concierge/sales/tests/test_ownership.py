"""Owner changes go through sales.services.company_owner_change, whatever screen or API makes them."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from concierge.core.models import Activity
from concierge.sales.models import AccountOwnership
from concierge.sales.services import company_owner_change, ownership_backfill
from concierge.sales.tests.conftest import backdate

pytestmark = pytest.mark.django_db


def _rows(company):
    return list(AccountOwnership.objects.filter(company=company).order_by("valid_from", "id")
                .values_list("owner__username", "valid_from", "valid_to"))


def test_creating_a_company_with_an_owner_opens_its_first_period(company, rep):
    assert _rows(company) == [("rita", timezone.localdate(), None)]


def test_an_owner_change_closes_the_period_the_day_before_and_opens_a_new_one(company, rep, rep2, sales_manager):
    backdate(company, 100)
    today = timezone.localdate()
    company_owner_change(company=company, new_owner=rep2, actor=sales_manager, reason="territory")
    company.refresh_from_db()
    assert company.owner == rep2
    assert _rows(company) == [("rita", today - dt.timedelta(days=100), today - dt.timedelta(days=1)),
                              ("ray", today, None)]
    entry = Activity.objects.filter(company=company, data__new_owner=rep2.pk).get()
    assert entry.actor == sales_manager and "Rita" in entry.summary and "Ray" in entry.summary


def test_a_second_change_on_the_same_day_corrects_the_open_period(company, rep, rep2, sales_manager):
    backdate(company, 10)
    company_owner_change(company=company, new_owner=rep2, actor=sales_manager)
    company_owner_change(company=company, new_owner=sales_manager, actor=sales_manager)
    rows = _rows(company)
    assert [r[0] for r in rows] == ["rita", "mona"]
    assert AccountOwnership.objects.filter(company=company, valid_to__isnull=True).count() == 1


def test_a_backdated_change_before_the_current_period_is_refused(company, rep2, sales_manager):
    with pytest.raises(ValidationError) as exc:
        company_owner_change(company=company, new_owner=rep2, actor=sales_manager,
                             on=timezone.localdate() - dt.timedelta(days=5))
    assert "on" in exc.value.message_dict


def test_the_company_edit_form_changes_owner_through_the_service(client, company, rep, rep2, sales_manager):
    backdate(company, 30)
    client.force_login(sales_manager)
    form = client.get(reverse("web:company_edit", args=[company.pk])).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update({"owner": rep2.pk, "version": company.version, "name_en": "Acme Trading", "notes": "new notes",
                 "industry": "", "parent": ""})
    response = client.post(reverse("web:company_edit", args=[company.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    company.refresh_from_db()
    assert company.owner == rep2 and company.notes == "new notes"
    assert [r[0] for r in _rows(company)] == ["rita", "ray"]
    assert _rows(company)[0][2] == timezone.localdate() - dt.timedelta(days=1)


def test_the_company_api_changes_owner_through_the_service(company, rep2, sales_manager):
    backdate(company, 30)
    api = APIClient()
    api.force_authenticate(sales_manager)
    company.refresh_from_db()
    response = api.patch(f"/api/v1/companies/{company.pk}/", {"owner": rep2.pk, "version": company.version},
                         format="json")
    assert response.status_code == 200, response.json()
    assert [r[0] for r in _rows(company)] == ["rita", "ray"]


def test_the_backfill_opens_a_period_for_owned_companies_without_one(company, make_company, rep2):
    other = make_company("Beta", owner=None)
    type(other).objects.filter(pk=other.pk).update(owner=rep2)  # owned before the ownership history existed
    AccountOwnership.objects.filter(company=company).delete()
    assert ownership_backfill() == 2
    assert ownership_backfill() == 0
    assert _rows(other)[0][0] == "ray"


def test_the_data_migration_backfills_one_open_row_per_owned_company(company, make_company, rep2):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("concierge.sales.migrations.0003_backfill_ownership")
    AccountOwnership.objects.all().delete()
    make_company("Unowned")
    migration.backfill(apps, None)
    migration.backfill(apps, None)
    assert AccountOwnership.objects.filter(valid_to__isnull=True).count() == 1
