"""The object-access helpers every service-centre view uses, and the audit of sensitive case views."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from concierge.cases.models import Article, Case, LostItem
from concierge.cases.selectors import case_detail_queryset
from concierge.cases.services import case_view_audit
from concierge.web.helpers import client_ip, get_visible_or_404


def case_for(request: HttpRequest, pk: Any) -> Case:
    """A case of the user's properties, else 404 (existence is not revealed)."""
    return get_visible_or_404(case_detail_queryset(user=request.user), request.user, pk)


def article_for(request: HttpRequest, pk: Any) -> Article:
    return get_visible_or_404(
        Article.objects.select_related("category", "property", "root_cause").prefetch_related("translations", "tags"),
        request.user, pk)


def lost_item_for(request: HttpRequest, pk: Any) -> LostItem:
    return get_visible_or_404(LostItem.objects.select_related("property", "guest", "stay", "case", "found_by"),
                              request.user, pk)


def audit_case_view(request: HttpRequest, case: Case, *, via: str = "web") -> bool:
    """Record who looked at a case of a VIP or flagged guest (AuditEvent action=view, field=case)."""
    return case_view_audit(actor=request.user, case=case, via=via, ip_address=client_ip(request))


def htmx_target(request: HttpRequest) -> str:
    htmx = getattr(request, "htmx", None)
    return (htmx.target or "") if htmx else ""
