"""The contract as a Word document (python-docx), in Chinese or English.

The document template is `DOCUMENT_TEXT`: the headings, labels and standard clauses per language, kept here rather
than in the gettext catalogue because a contract's legal wording is authored per language (and the Chinese text must
be in the document even before the UI catalogue is translated). The layout is built in `contract_docx`.
"""
from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from concierge.contracts.models import Contract

LANGUAGES = ("zh", "en")

DOCUMENT_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title_corporate": "协议公司价格协议",
        "title_travel_agency": "旅行社合作合同",
        "number": "合同编号",
        "parties": "一、合同双方",
        "party_a": "甲方（酒店）",
        "party_b": "乙方（客户）",
        "address": "地址",
        "validity": "二、合同有效期",
        "validity_text": "本合同自 {start} 起至 {end} 止有效。",
        "properties": "三、适用酒店",
        "rates": "四、协议价格",
        "rate_property": "酒店",
        "rate_room_type": "房型",
        "rate_season": "季节",
        "rate_dates": "日期",
        "rate_amount": "价格（每间夜，{currency}）",
        "rate_breakfast": "含早",
        "yes": "是",
        "no": "否",
        "commercial": "五、商务条款",
        "commission": "佣金：房费的 {value}%。",
        "no_commission": "佣金：无。",
        "allotment": "保留房（配额）：每晚 {value} 间。",
        "no_allotment": "保留房（配额）：无。",
        "commitment": "承诺产量：有效期内不少于 {value} 间夜。",
        "no_commitment": "承诺产量：无。",
        "payment": "结算方式：{value}。",
        "terms": "六、其他条款",
        "standard_terms": "价格为净价，含服务费及增值税。乙方客人入住时须出示有效证件。本合同未尽事宜由双方协商解决。",
        "signatures": "七、签署",
        "sign_party_a": "甲方（盖章）：",
        "sign_party_b": "乙方（盖章）：",
        "signatory": "授权代表签字：",
        "date": "日期：",
        "account_manager": "酒店客户经理",
        "pt_prepaid": "预付",
        "pt_on_departure": "离店现付",
        "pt_credit_30": "月结，30天内付款",
        "pt_credit_60": "月结，60天内付款",
    },
    "en": {
        "title_corporate": "Corporate Rate Agreement",
        "title_travel_agency": "Travel Agency Contract",
        "number": "Contract no.",
        "parties": "1. Parties",
        "party_a": "Party A (hotel)",
        "party_b": "Party B (customer)",
        "address": "Address",
        "validity": "2. Validity",
        "validity_text": "This contract is valid from {start} to {end} inclusive.",
        "properties": "3. Hotels covered",
        "rates": "4. Negotiated rates",
        "rate_property": "Hotel",
        "rate_room_type": "Room type",
        "rate_season": "Season",
        "rate_dates": "Dates",
        "rate_amount": "Rate per room night ({currency})",
        "rate_breakfast": "Breakfast",
        "yes": "Yes",
        "no": "No",
        "commercial": "5. Commercial terms",
        "commission": "Commission: {value}% of room revenue.",
        "no_commission": "Commission: none.",
        "allotment": "Allotment: {value} rooms per night.",
        "no_allotment": "Allotment: none.",
        "commitment": "Commitment: at least {value} room nights within the validity.",
        "no_commitment": "Commitment: none.",
        "payment": "Payment terms: {value}.",
        "terms": "6. Other terms",
        "standard_terms": "Rates are net, including service charge and VAT. Guests of Party B present valid "
                          "identification at check-in. Matters not covered are settled by mutual agreement.",
        "signatures": "7. Signatures",
        "sign_party_a": "Party A (seal):",
        "sign_party_b": "Party B (seal):",
        "signatory": "Authorised signatory:",
        "date": "Date:",
        "account_manager": "Hotel account manager",
        "pt_prepaid": "prepaid",
        "pt_on_departure": "paid on departure",
        "pt_credit_30": "monthly statement, payable within 30 days",
        "pt_credit_60": "monthly statement, payable within 60 days",
    },
}


def _name(obj: Any, lang: str) -> str:
    zh, en = getattr(obj, "name_zh", ""), getattr(obj, "name_en", "")
    return (zh or en) if lang == "zh" else (en or zh)


def _set_fonts(document: Any) -> None:
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10.5)
    # East Asian text needs its own font slot, or Word falls back to a font without Chinese glyphs.
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimSun")


def contract_docx(contract: Contract, *, lang: str = "zh") -> bytes:
    """The contract as DOCX bytes: parties, validity, properties, rate table, commission, allotment, commitment,
    terms and a signature block."""
    if lang not in LANGUAGES:
        raise ValueError(lang)
    t = DOCUMENT_TEXT[lang]
    company = contract.company
    properties = list(contract.properties.select_related("group").order_by("code"))
    rates = list(contract.rates.select_related("property").order_by("property__code", "room_type", "season_start"))

    document = Document()
    _set_fonts(document)
    heading = document.add_heading(t[f"title_{contract.kind}"], level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(f"{t['number']}: {contract.number}").alignment = WD_ALIGN_PARAGRAPH.RIGHT

    document.add_heading(t["parties"], level=1)
    group = properties[0].group if properties and getattr(properties[0], "group_id", None) else None
    hotel_name = _name(group, lang) if group else "、".join(_name(p, lang) for p in properties)
    document.add_paragraph(f"{t['party_a']}: {hotel_name}")
    document.add_paragraph(f"{t['party_b']}: {_name(company, lang)}")
    if company.address:
        document.add_paragraph(f"{t['address']}: {company.address}")

    document.add_heading(t["validity"], level=1)
    document.add_paragraph(t["validity_text"].format(start=contract.start_date.isoformat(),
                                                     end=contract.end_date.isoformat()))

    document.add_heading(t["properties"], level=1)
    for prop in properties:
        document.add_paragraph(f"{_name(prop, lang)} ({prop.code})", style="List Bullet")

    document.add_heading(t["rates"], level=1)
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    header = [t["rate_property"], t["rate_room_type"], t["rate_season"], t["rate_dates"],
              t["rate_amount"].format(currency=contract.currency), t["rate_breakfast"]]
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    for rate in rates:
        cells = table.add_row().cells
        values = [_name(rate.property, lang), rate.room_type, rate.season_name,
                  f"{rate.season_start.isoformat()} – {rate.season_end.isoformat()}", f"{rate.rate:,.2f}",
                  t["yes"] if rate.breakfast_included else t["no"]]
        for cell, text in zip(cells, values):
            cell.text = text

    document.add_heading(t["commercial"], level=1)
    commission = contract.commission_percent
    document.add_paragraph(t["commission"].format(value=f"{commission.normalize():f}") if commission
                           else t["no_commission"])
    document.add_paragraph(t["allotment"].format(value=contract.allotment_per_night) if contract.allotment_per_night
                           else t["no_allotment"])
    document.add_paragraph(t["commitment"].format(value=contract.room_night_commitment)
                           if contract.room_night_commitment else t["no_commitment"])
    document.add_paragraph(t["payment"].format(value=t[f"pt_{contract.payment_terms}"]))

    document.add_heading(t["terms"], level=1)
    document.add_paragraph(t["standard_terms"])
    for line in contract.terms.splitlines():
        if line.strip():
            document.add_paragraph(line.strip())

    document.add_heading(t["signatures"], level=1)
    sign = document.add_table(rows=4, cols=2)
    sign.rows[0].cells[0].text = f"{t['sign_party_a']} {hotel_name}"
    sign.rows[0].cells[1].text = f"{t['sign_party_b']} {_name(company, lang)}"
    sign.rows[1].cells[0].text = t["signatory"]
    sign.rows[1].cells[1].text = t["signatory"]
    sign.rows[2].cells[0].text = t["date"] + (f" {contract.signed_on.isoformat()}" if contract.signed_on else "")
    sign.rows[2].cells[1].text = t["date"] + (f" {contract.signed_on.isoformat()}" if contract.signed_on else "")
    owner = contract.owner
    sign.rows[3].cells[0].text = f"{t['account_manager']}: {owner.get_full_name() or owner.username}" if owner else ""

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def document_filename(contract: Contract, lang: str) -> str:
    return f"contract-{contract.number}-{lang}.docx"
