"""The order confirmation document (DOCX, python-docx) in Chinese or English.

Labels and terms go through gettext under the document's language; product and company names use their Chinese
or English column. The document is built in memory and returned as bytes (a few kilobytes).
"""
from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.shared import Pt

from concierge.tours.models import Order

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _name(zh: str, en: str, language: str) -> str:
    return (zh or en) if language.startswith("zh") else (en or zh)


def _money(value: Decimal, currency: str) -> str:
    return f"{currency} {value:,.2f}"


def _terms() -> list[str]:
    return [
        _("This confirmation is valid for the seats, departure and price shown above."),
        _("Cancellations must be made in writing; the seats are released when the cancellation is confirmed."),
        _("Prices are per seat and include the items listed under inclusions; anything else is extra."),
        _("Travellers need a valid identity document on the day of departure."),
    ]


def order_confirmation_docx(order: Order, *, language: str) -> bytes:
    """The confirmation of `order` as a DOCX file in `language` ("zh-hans" or "en")."""
    departure = order.departure
    product = departure.product
    currency = product.currency
    with translation.override(language):
        document = Document()
        style = document.styles["Normal"]
        style.font.size = Pt(10.5)
        document.add_heading(_("Tour order confirmation"), level=1)
        document.add_paragraph(_("Order number: %(number)s") % {"number": order.number})
        if order.status != "confirmed":
            document.add_paragraph(_("This order is CANCELLED: %(reason)s") % {"reason": order.cancel_reason})

        rows: list[tuple[str, str]] = [
            (_("Product"), f"{_name(product.name_zh, product.name_en, language)} ({product.code})"),
            (_("Departure date"), f"{departure.departs_on:%Y-%m-%d}"),
            (_("Duration"), _("%(days)s day(s)") % {"days": product.duration_days}),
            (_("Seats"), str(order.seats)),
        ]
        if order.children:
            rows.append((_("Of which children"), str(order.children)))
            rows.append((_("Child price per seat"), _money(order.child_price, currency)))
        rows += [
            (_("Price per seat"), _money(order.unit_price, currency)),
            (_("Amount"), _money(order.amount, currency)),
        ]
        if order.company_id:
            company = order.company
            rows.append((_("Travel agency"), _name(company.name_zh, company.name_en, language)))
        if order.guest_id:
            guest = order.guest
            latin = f"{guest.given_name_latin} {guest.family_name_latin}".strip()
            native = f"{guest.family_name}{guest.given_name}".strip()
            rows.append((_("Guest"), (native or latin) if language.startswith("zh") else (latin or native)))
        rows.append((_("Contact"), f"{order.contact_name} {order.contact_phone}".strip()))
        if product.property_id:
            prop = product.property
            rows.append((_("Property"), _name(prop.name_zh, prop.name_en, language)))

        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in rows:
            cells = table.add_row().cells
            cells[0].text = label
            cells[1].text = value

        inclusions = _name(product.inclusions_zh, product.inclusions_en, language)
        lines = [line.strip() for line in inclusions.splitlines() if line.strip()]
        if lines:
            document.add_heading(_("Inclusions"), level=2)
            for line in lines:
                document.add_paragraph(line, style="List Bullet")

        document.add_heading(_("Terms"), level=2)
        for line in _terms():
            document.add_paragraph(line, style="List Number")
        document.add_paragraph(_("Issued on %(date)s") % {"date": f"{timezone.localdate():%Y-%m-%d}"})

        buffer = io.BytesIO()
        document.save(buffer)
    return buffer.getvalue()


def docx_filename(order: Order, language: str) -> str:
    return f"{order.number}-{'zh' if language.startswith('zh') else 'en'}.docx"
