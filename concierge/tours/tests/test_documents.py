"""The order confirmation DOCX in Chinese and English, read back with python-docx."""
from __future__ import annotations

import io

import pytest
from docx import Document

from concierge.tours.documents import order_confirmation_docx
from concierge.tours.services import order_cancel

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def test_the_english_confirmation_lists_the_order(place, departure, guest_a):
    order = place(departure, seats=3, children=1, guest=guest_a)
    text = _text(order_confirmation_docx(order, language="en"))
    assert "Tour order confirmation" in text
    assert f"Order number: {order.number}" in text
    assert "Product | Shanghai water towns, 3 days (sha-3d)" in text
    assert "Departure date | 2026-12-01" in text
    assert "Seats | 3" in text and "Of which children | 1" in text
    assert "Price per seat | CNY 1,880.00" in text and "Amount | CNY 5,040.00" in text
    assert "Travel agency | Spring Holiday Travel" in text
    assert "Guest | WEI ZHANG" in text
    assert "Contact | 王经理 021-6000 0000" in text
    assert "Two nights" in text and "Terms" in text
    assert "上海水乡三日游" not in text


def test_the_chinese_confirmation_uses_the_chinese_names(place, departure, guest_a):
    order = place(departure, seats=2, guest=guest_a)
    text = _text(order_confirmation_docx(order, language="zh-hans"))
    assert order.number in text
    assert "上海水乡三日游 (sha-3d)" in text
    assert "春秋假日国际旅行社" in text and "张伟" in text
    assert "两晚住宿" in text and "2026-12-01" in text
    assert "Shanghai water towns" not in text and "Spring Holiday Travel" not in text


def test_a_cancelled_order_says_so(place, departure, sales_a):
    order = place(departure, seats=1)
    order = order_cancel(actor=sales_a, order=order, reason="Client request")
    text = _text(order_confirmation_docx(order, language="en"))
    assert "This order is CANCELLED: Client request" in text
