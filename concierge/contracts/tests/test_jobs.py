"""The daily job: activation on the start date, expiry after the end date, renewal reminders (idempotent)."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from freezegun import freeze_time

from concierge.contracts.models import Contract
from concierge.contracts.services import contracts_daily_run
from concierge.contracts.tasks import daily_run
from concierge.core.models import Activity
from concierge.worklist.models import Task


def test_signed_contracts_activate_on_their_start_date_and_expire_after_the_end(make_contract):
    with freeze_time("2026-02-01"):
        later = make_contract(status="signed", start=dt.date(2026, 3, 1), end=dt.date(2026, 5, 31))
    with freeze_time("2026-02-28"):
        assert daily_run() == {"activated": 0, "expired": 0, "reminders": 0}
    with freeze_time("2026-03-01"):
        result = daily_run()
        assert result["activated"] == 1
        assert daily_run()["activated"] == 0  # a second run changes nothing
    later.refresh_from_db()
    assert (later.status, later.activated_on) == ("active", dt.date(2026, 3, 1))
    with freeze_time("2026-05-31"):
        assert contracts_daily_run().expired == 0  # the last valid day
    with freeze_time("2026-06-01"):
        assert contracts_daily_run().expired == 1
    later.refresh_from_db()
    assert (later.status, later.ended_on) == ("expired", dt.date(2026, 6, 1))
    moves = list(later.events.filter(kind="transition").values_list("to_status", "by"))
    assert moves[-2:] == [("active", None), ("expired", None)]


def test_a_signed_contract_found_after_its_end_goes_through_active_to_expired(make_contract):
    with freeze_time("2026-01-01"):
        c = make_contract(status="signed", start=dt.date(2026, 1, 1), end=dt.date(2026, 4, 30))
    with freeze_time("2026-05-01"):
        result = contracts_daily_run()
    c.refresh_from_db()
    assert (result.activated, result.expired, c.status) == (1, 1, "expired")


def test_renewal_reminders_are_created_once_per_threshold(make_contract, rep, company):
    with freeze_time("2026-01-01"):
        c = make_contract(status="active")  # ends 2026-12-31
    with freeze_time("2026-10-01"):  # 91 days left: nothing yet
        assert contracts_daily_run().reminders == 0
    with freeze_time("2026-11-01"):  # 60 days left
        assert contracts_daily_run().reminders == 1
        assert contracts_daily_run().reminders == 0  # job run twice
    with freeze_time("2026-11-15"):  # 46 days: still the 60-day reminder, already done
        assert contracts_daily_run().reminders == 0
    with freeze_time("2026-12-01"):  # 30 days left
        assert contracts_daily_run().reminders == 1
        assert contracts_daily_run().reminders == 0
    tasks = Task.objects.filter(source="contract_renewal", source_id=c.pk).order_by("dedupe_key")
    assert [(t.dedupe_key, t.assignee, t.company, t.kind) for t in tasks] == [
        (f"contract:{c.pk}:renewal:30", rep, company, "renewal"),
        (f"contract:{c.pk}:renewal:60", rep, company, "renewal"),
    ]
    assert c.events.filter(kind="reminder").count() == 2
    assert Activity.objects.filter(company=company, data__event="reminder").count() == 2


def test_no_reminder_when_a_renewal_is_under_way(make_contract, rep):
    from concierge.contracts.services import contract_renew

    with freeze_time("2026-01-01"):
        c = make_contract(status="active")
        contract_renew(actor=rep, contract=c)
    with freeze_time("2026-12-01"):
        assert contracts_daily_run().reminders == 0
    assert not Task.objects.filter(source_id=c.pk).exists()
    assert Contract.objects.count() == 2


def test_reminder_days_follow_the_setting(make_contract, settings):
    settings.CONTRACT_RENEWAL_REMINDER_DAYS = [10]
    with freeze_time("2026-01-01"):
        make_contract(status="active")
    with freeze_time("2026-12-01"):
        assert contracts_daily_run().reminders == 0
    with freeze_time("2026-12-21"):
        assert contracts_daily_run().reminders == 1


@pytest.mark.django_db(transaction=True)
def test_two_jobs_running_at_once_create_one_reminder(make_contract):
    """Two workers running the job at the same moment (PostgreSQL: real concurrent transactions)."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    with freeze_time("2026-01-01"):
        c = make_contract(status="active")
    barrier = threading.Barrier(2)
    results: list[int] = []

    def run() -> None:
        try:
            barrier.wait()
            # the date is passed, not frozen: freezegun patches the clock process-wide, not per thread
            results.append(contracts_daily_run(today=dt.date(2026, 12, 1)).reminders)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]
    assert Task.objects.filter(source_id=c.pk).count() == 1
    assert c.events.filter(kind="reminder").count() == 1
