"""The DOCX documents in Chinese and English, opened with python-docx."""
from __future__ import annotations

import io

from docx import Document
from freezegun import freeze_time


def _text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def test_chinese_document_has_parties_rates_terms_and_signatures(make_contract, client, rep):
    with freeze_time("2026-01-10"):
        contract = make_contract(status="signed")
    client.force_login(rep)
    response = client.get(f"/contracts/{contract.pk}/document/zh/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert f"contract-{contract.number}-zh.docx" in response["Content-Disposition"]
    text = _text(response.content)
    for expected in ["协议公司价格协议", f"合同编号: {contract.number}", "甲方（酒店）: 礼宾酒店集团",
                     "乙方（客户）: 华为技术有限公司", "本合同自 2026-01-01 起至 2026-12-31 止有效。",
                     "上海外滩酒店 (SHA)", "上海外滩酒店 | 高级大床房 | 淡季 | 2026-01-01 – 2026-03-31 | 688.00 | 是",
                     "高级大床房 | 旺季 | 2026-04-01 – 2026-12-31 | 888.00 | 否", "佣金：房费的 8%。",
                     "保留房（配额）：每晚 5 间。", "承诺产量：有效期内不少于 500 间夜。", "结算方式：月结，30天内付款。",
                     "七、签署", "日期： 2026-01-10", "授权代表签字："]:
        assert expected in text, expected


def test_english_document(make_contract, client, rep):
    contract = make_contract(kind="travel_agency", commitment=None)
    client.force_login(rep)
    text = _text(client.get(f"/contracts/{contract.pk}/document/en/").content)
    for expected in ["Travel Agency Contract", "Party A (hotel): Concierge Hotels",
                     "Party B (customer): Huawei Technologies",
                     "This contract is valid from 2026-01-01 to 2026-12-31 inclusive.", "Shanghai Bund Hotel (SHA)",
                     "Shanghai Bund Hotel | 高级大床房 | 淡季 | 2026-01-01 – 2026-03-31 | 688.00 | Yes",
                     "Commission: 8% of room revenue.", "Allotment: 5 rooms per night.", "Commitment: none.",
                     "Payment terms: monthly statement, payable within 30 days.", "7. Signatures"]:
        assert expected in text, expected
    assert "协议公司价格协议" not in text


def test_document_is_scoped(make_contract, client, frontdesk_b):
    contract = make_contract()
    client.force_login(frontdesk_b)
    assert client.get(f"/contracts/{contract.pk}/document/zh/").status_code == 404
