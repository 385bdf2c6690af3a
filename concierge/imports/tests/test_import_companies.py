"""import_run(kind="companies"): creation, re-import, account-number matches, look-alike names flagged."""
from __future__ import annotations

import pytest

from concierge.guests.models import Company, Industry, SearchKey
from concierge.guests.services import company_create, company_search_keys_rebuild
from concierge.imports.importers.companies import company_key_rows
from concierge.imports.tests.factories import counts, csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ["external_ref", "公司名称", "英文名", "协议号", "行业", "省份", "城市", "电话", "邮箱", "网址", "结算方式",
          "状态", "标签"]


@pytest.fixture
def mining(db):
    return Industry.objects.create(code="mining", name_zh="采矿", name_en="Mining")


def test_companies_are_created_from_chinese_headers(run_import, property_a, mining):
    summary = run_import("companies", csv_bytes([HEADER, ["C1", "紫金矿业", "Zijin Mining", "AR-77", "采矿", "福建",
                                                          "厦门", "0592 2933 8888", "info@zijin.cn", "zijinmining.com",
                                                          "挂账", "合作", "key account"]]),
                         source="crm", property=property_a)

    company = Company.objects.get()
    assert summary.created == 1 and not summary.warnings
    assert (company.name_zh, company.name_en, company.account_number) == ("紫金矿业", "Zijin Mining", "AR-77")
    assert (company.industry, company.payment_method, company.status) == (mining, "city_ledger", "active")
    assert (company.phone, company.homepage) == ("+8659229338888", "https://zijinmining.com")
    assert company.properties.get() == property_a
    assert list(company.tags.values_list("name", flat=True)) == ["key account"]
    assert SearchKey.objects.filter(company=company, kind="company", key="紫金矿业").exists()


def test_company_search_keys_are_the_ones_the_service_writes(frontdesk_a):
    company = company_create(actor=frontdesk_a, name_zh="上海锦江国际", name_en="Jin Jiang International",
                             phone="021 6326 4000", account_number="AR-9")

    company_search_keys_rebuild(company=company)
    stored = sorted(SearchKey.objects.filter(company=company).values_list("kind", "key"))

    assert sorted((k.kind, k.key) for k in company_key_rows(company)) == stored


def test_re_importing_companies_changes_nothing(run_import):
    data = csv_bytes([HEADER, ["C1", "紫金矿业", "", "AR-77", "", "", "", "", "", "", "", "", ""]])
    run_import("companies", data, source="crm")
    before = counts()

    summary = run_import("companies", data, source="crm")

    assert (summary.created, summary.unchanged) == (0, 1) and counts() == before


def test_the_same_account_number_is_attached_in_link_mode(run_import, frontdesk_a):
    existing = company_create(actor=frontdesk_a, name_zh="紫金矿业集团", account_number="AR-77")

    summary = run_import("companies", csv_bytes([HEADER, ["C1", "紫金矿业", "Zijin Mining", "AR-77", "", "", "",
                                                          "", "", "", "", "", ""]]), source="crm")

    existing.refresh_from_db()
    assert summary.attached == 1 and Company.objects.count() == 1
    assert (existing.name_zh, existing.name_en) == ("紫金矿业集团", "Zijin Mining")


def test_a_company_with_the_same_name_is_created_and_flagged_for_review(run_import, frontdesk_a):
    company_create(actor=frontdesk_a, name_zh="紫金矿业")

    summary = run_import("companies", csv_bytes([HEADER, ["C1", "紫金矿业", "", "", "", "", "", "", "", "", "", "",
                                                          ""]]), source="crm")

    assert (summary.created, summary.flagged) == (1, 1)
    assert summary.warnings[0].code == "possible_duplicate"


def test_a_row_without_a_company_name_is_rejected(run_import):
    summary = run_import("companies", csv_bytes([HEADER, ["C1", "", "", "AR-1", "", "", "", "", "", "", "", "", ""]]))

    assert [(i.row, i.field) for i in summary.rejected] == [(2, "name")]
