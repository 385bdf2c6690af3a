"""Builders for service-centre tests: everything goes through the real services."""
from __future__ import annotations

import datetime as dt
from typing import Any

from concierge.cases.choices import ArticleStatus
from concierge.cases.models import Article, ArticleCategory, Case, DepartmentHead, RootCause
from concierge.cases.services import article_create, case_create
from concierge.stays.services import stay_create


def make_case(actor: Any, property_: Any, **values: Any) -> Case:
    values.setdefault("subject", "Air conditioner noisy in room 1203")
    return case_create(actor=actor, property=property_, **values)


def make_stay(actor: Any, guest: Any, property_: Any, *, arrival: dt.date, nights: int = 2, room: str = "1203",
              status: str = "checked_out") -> Any:
    return stay_create(actor=actor, guest=guest, property=property_, arrival=arrival,
                       departure=arrival + dt.timedelta(days=nights), room_nights=nights, room_number=room,
                       status=status)


def make_article(actor: Any, *, zh: tuple[str, str] | None = None, en: tuple[str, str] | None = None,
                 category: str = "facilities", status: str = ArticleStatus.PUBLISHED, **values: Any) -> Article:
    translations = {}
    if zh:
        translations["zh-hans"] = zh
    if en:
        translations["en"] = en
    return article_create(actor=actor, category=ArticleCategory.objects.get(code=category),
                          translations=translations, status=status, **values)


def root_cause(code: str = "room-noise") -> RootCause:
    return RootCause.objects.get(code=code)


def make_head(property_: Any, department: str, user: Any) -> DepartmentHead:
    return DepartmentHead.objects.create(property=property_, department=department, user=user)
