"""The status workflow: every legal move, every illegal one refused, history and timeline written."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from freezegun import freeze_time

from concierge.contracts import services
from concierge.contracts.choices import ContractStatus
from concierge.contracts.models import Contract
from concierge.core.models import Activity

S = ContractStatus
ALL = list(S.values)
TARGET_OF = {"send": S.SENT, "sign": S.SIGNED, "activate": S.ACTIVE, "expire": S.EXPIRED,
             "terminate": S.TERMINATED, "cancel": S.CANCELLED}
LEGAL = {("draft", "send"), ("sent", "sign"), ("signed", "activate"), ("active", "expire"),
         ("active", "terminate"), ("signed", "terminate"), ("draft", "cancel"), ("sent", "cancel"),
         ("signed", "cancel")}


def _put_in(contract: Contract, status: str) -> Contract:
    """Force a status for the illegal-move matrix (the legal path to each is tested separately)."""
    Contract.objects.filter(pk=contract.pk).update(status=status)
    contract.refresh_from_db()
    return contract


@freeze_time("2027-02-01")  # after the 2026 validity, so expire is allowed by date and activate by start date
@pytest.mark.parametrize("status", ALL)
@pytest.mark.parametrize("action", list(TARGET_OF))
def test_every_move_is_allowed_or_refused_by_the_matrix(make_contract, rep, status, action):
    contract = _put_in(make_contract(), status)
    events_before = contract.events.count()
    if (status, action) in LEGAL:
        moved = services.contract_action(actor=rep, contract=contract, action=action, reason="客户要求",
                                         effective_on=dt.date(2027, 1, 31))
        assert moved.status == TARGET_OF[action]
        event = moved.events.latest("id")
        assert (event.from_status, event.to_status, event.by) == (status, TARGET_OF[action], rep)
    else:
        with pytest.raises(ValidationError) as exc:
            services.contract_action(actor=rep, contract=contract, action=action, reason="x")
        assert "cannot be moved" in str(exc.value.message_dict["status"])
        contract.refresh_from_db()
        assert contract.status == status
        assert contract.events.count() == events_before


@freeze_time("2026-03-01")
def test_the_happy_path_records_history_and_the_company_timeline(make_contract, rep, company):
    contract = make_contract()
    contract = services.contract_send(actor=rep, contract=contract)
    contract = services.contract_sign(actor=rep, contract=contract, signed_on=dt.date(2026, 2, 20))
    contract = services.contract_activate(actor=rep, contract=contract)
    assert contract.status == S.ACTIVE
    assert contract.signed_on == dt.date(2026, 2, 20)
    assert contract.sent_on == dt.date(2026, 3, 1)
    moves = list(contract.events.filter(kind="transition").values_list("from_status", "to_status"))
    assert moves == [("draft", "sent"), ("sent", "signed"), ("signed", "active")]
    timeline = Activity.objects.filter(company=company, data__contract=contract.pk)
    assert timeline.count() == 4  # created + three moves
    assert timeline.filter(data__to="active").get().summary == f"Contract {contract.number}: Signed → Active"


def test_terminate_and_cancel_need_a_reason(make_contract, rep):
    with freeze_time("2026-03-01"):
        active = make_contract(status="active")
        with pytest.raises(ValidationError) as exc:
            services.contract_terminate(actor=rep, contract=active, reason="  ")
        assert "reason" in exc.value.message_dict
        draft = make_contract()
        with pytest.raises(ValidationError) as exc:
            services.contract_cancel(actor=rep, contract=draft, reason="")
        assert "reason" in exc.value.message_dict
        done = services.contract_terminate(actor=rep, contract=active, reason="公司搬迁",
                                           effective_on=dt.date(2026, 4, 1))
    assert (done.status, done.ended_on, done.end_reason) == (S.TERMINATED, dt.date(2026, 4, 1), "公司搬迁")
    assert done.events.latest("id").reason == "公司搬迁"


def test_activation_before_the_start_date_is_refused(make_contract, rep):
    with freeze_time("2025-12-01"):
        signed = make_contract(status="signed")
        with pytest.raises(ValidationError) as exc:
            services.contract_activate(actor=rep, contract=signed)
    assert "start_date" in exc.value.message_dict


def test_a_contract_without_rates_cannot_be_sent(rep, company, property_a):
    contract = services.contract_create(actor=rep, company=company, title="t", start_date=dt.date(2026, 1, 1),
                                        end_date=dt.date(2026, 12, 31), properties=[property_a])
    with pytest.raises(ValidationError) as exc:
        services.contract_send(actor=rep, contract=contract)
    assert "rates" in exc.value.message_dict


def test_a_stale_version_is_refused(make_contract, rep):
    from concierge.guests.services import StaleVersionError

    contract = make_contract()
    services.contract_update(actor=rep, contract=contract, expected_version=1, title="新标题")
    with pytest.raises(StaleVersionError):
        services.contract_update(actor=rep, contract=contract, expected_version=1, title="旧标题")


def test_signed_terms_are_frozen(make_contract, rep):
    with freeze_time("2026-03-01"):
        contract = make_contract(status="signed")
    with pytest.raises(ValidationError, match="can no longer be edited"):
        services.contract_update(actor=rep, contract=contract, title="x")


def test_renew_copies_rates_and_shifts_dates(make_contract, rep):
    with freeze_time("2026-03-01"):
        old = make_contract(status="active")
        new = services.contract_renew(actor=rep, contract=old)
        with pytest.raises(ValidationError, match="renewal in progress"):
            services.contract_renew(actor=rep, contract=old)
    assert (new.status, new.renewal_of, new.start_date, new.end_date) == (
        S.DRAFT, old, dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    seasons = list(new.rates.order_by("season_start").values_list("season_start", "season_end", "rate"))
    assert seasons == [(dt.date(2027, 1, 1), dt.date(2027, 3, 31), 688), (dt.date(2027, 4, 1), dt.date(2027, 12, 31), 888)]
    assert new.number != old.number
    assert old.events.filter(kind="renewed").count() == 1
