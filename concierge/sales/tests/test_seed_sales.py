"""seed_sales on top of a small seed_demo: the demo rep gets plans, a past handover, visits and due tasks; a second
run adds nothing."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from concierge.accounts.models import User
from concierge.core.models import Activity
from concierge.guests.models import Company
from concierge.sales.models import AccountOwnership, AccountPlan, AccountTeamMember, Handover
from concierge.worklist.models import Task

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (AccountPlan.objects.count(), AccountTeamMember.objects.count(), AccountOwnership.objects.count(),
            Handover.objects.count(), Activity.objects.count(), Task.objects.count())


def test_seed_sales_is_idempotent_and_gives_the_demo_rep_a_day_of_work():
    call_command("seed_demo", guests=40, seed=7, stdout=io.StringIO())
    call_command("seed_sales", stdout=io.StringIO())
    first = _counts()
    call_command("seed_sales", stdout=io.StringIO())
    assert _counts() == first
    rep = User.objects.get(username="sales")
    today = timezone.localdate()
    assert Task.objects.filter(assignee=rep, status="open", due_on__lt=today).exists()
    assert Task.objects.filter(assignee=rep, status="open", due_on=today).exists()
    handover = Handover.objects.get()
    handed = handover.summary["company"]
    assert 1 <= handed <= 4 and handed == min(4, Company.objects.filter(owner=rep).count())
    assert not handover.from_user.is_active
    # Every owned company has exactly one open period held by its owner.
    for company in Company.objects.filter(owner__isnull=False):
        assert AccountOwnership.objects.get(company=company, valid_to__isnull=True).owner_id == company.owner_id
    assert AccountOwnership.objects.filter(owner=handover.from_user, valid_to__isnull=False).count() == handed
