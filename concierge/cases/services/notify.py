"""Staff notifications, sent after commit: assignment, escalation digests, due-soon digests.

One email per recipient and sweep (a digest listing the cases), not one per case: a head of department
with twenty breaches gets one message they can act on, not twenty.
"""
from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse

from concierge.cases.models import Case
from concierge.cases.notifications import absolute_url, send_staff_email

logger = logging.getLogger(__name__)

# Cases listed in one digest email; the rest are summarised as "and N more" with a link to the breach list.
DIGEST_LIMIT = 50


def _cases(ids: list[int]) -> list[Case]:
    return list(Case.objects.filter(pk__in=ids[:DIGEST_LIMIT]).select_related("property", "guest", "company")
                .order_by("resolution_due_at", "pk"))


def _send(user: Any, name: str, context: dict[str, Any]) -> bool:
    try:
        return send_staff_email(user=user, name=name, context=context)
    except Exception as exc:  # noqa: BLE001 - a notification failure is logged; the breach list still shows it
        logger.warning("service notification %s to %s failed: %s", name, getattr(user, "pk", None), exc)
        return False


def notify_assigned(*, case_id: int, owner_id: int) -> bool:
    owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
    case = Case.objects.select_related("property", "guest", "company").filter(pk=case_id).first()
    if owner is None or case is None:
        return False
    url = absolute_url(reverse("cases:case_detail", args=[case.pk]))
    return _send(owner, "staff_case_assigned", {"case": case, "url": url})


def notify_escalations(by_head: dict[int, list[tuple[int, str]]]) -> int:
    """One digest per department head: {head user id: [(case id, "response" | "resolution" | "manual")]}."""
    users = get_user_model().objects.in_bulk(list(by_head))
    sent = 0
    for head_id, items in by_head.items():
        head = users.get(head_id)
        if head is None or not head.is_active:
            continue
        kinds = dict(items)
        cases = _cases([case_id for case_id, _kind in items])
        rows = [{"case": case, "kind": kinds.get(case.pk, ""),
                 "url": absolute_url(reverse("cases:case_detail", args=[case.pk]))} for case in cases]
        context = {"rows": rows, "more": max(0, len(items) - len(rows)),
                   "breach_url": absolute_url(reverse("cases:breach_list"))}
        sent += _send(head, "staff_escalation", context)
    return sent


def notify_due_soon(by_owner: dict[int, list[int]]) -> int:
    users = get_user_model().objects.in_bulk(list(by_owner))
    sent = 0
    for owner_id, ids in by_owner.items():
        owner = users.get(owner_id)
        if owner is None or not owner.is_active:
            continue
        cases = _cases(ids)
        rows = [{"case": case, "url": absolute_url(reverse("cases:case_detail", args=[case.pk]))} for case in cases]
        sent += _send(owner, "staff_due_soon", {"rows": rows, "more": max(0, len(ids) - len(rows))})
    return sent
