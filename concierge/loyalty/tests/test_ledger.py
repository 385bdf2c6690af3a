"""The ledger: immutable rows, balance = sum, redemption (balance, stock, never negative), FIFO expiry."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concierge.loyalty.models import PointTransaction, Redemption, Reward
from concierge.loyalty.selectors import membership_balance, statement
from concierge.loyalty.services import points_adjust, points_expire, points_redeem, redemption_cancel

from .conftest import earn

pytestmark = pytest.mark.django_db


@pytest.fixture
def reward(programme):
    return Reward.objects.create(programme=programme, code="tea", kind="fnb_voucher", name_zh="下午茶",
                                 name_en="Tea", points_cost=300, stock=2)


def test_transactions_cannot_be_changed_or_deleted(member, manager):
    row = points_adjust(actor=manager, membership=member, points=100, reason="Goodwill")
    row.points = 1_000_000
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()
    with pytest.raises(ValidationError):
        PointTransaction.objects.filter(pk=row.pk).update(points=5)
    with pytest.raises(ValidationError):
        PointTransaction.objects.filter(pk=row.pk).delete()
    assert membership_balance(member) == 100


def test_redemption_takes_points_and_stock(member, manager, reward):
    points_adjust(actor=manager, membership=member, points=1000, reason="Welcome")
    redemption = points_redeem(actor=manager, membership=member, reward=reward, quantity=2)
    reward.refresh_from_db()
    assert reward.stock == 0
    assert redemption.transaction.points == -600
    assert membership_balance(member) == 400


def test_redemption_refuses_when_points_are_short(member, manager, reward):
    points_adjust(actor=manager, membership=member, points=299, reason="Welcome")
    with pytest.raises(ValidationError) as exc:
        points_redeem(actor=manager, membership=member, reward=reward)
    assert "Not enough points" in exc.value.message_dict["reward"][0]
    reward.refresh_from_db()
    assert reward.stock == 2 and membership_balance(member) == 299


def test_redemption_refuses_when_out_of_stock(member, manager, reward):
    points_adjust(actor=manager, membership=member, points=5000, reason="Welcome")
    points_redeem(actor=manager, membership=member, reward=reward, quantity=2)
    with pytest.raises(ValidationError) as exc:
        points_redeem(actor=manager, membership=member, reward=reward)
    assert "Out of stock" in exc.value.message_dict["reward"][0]
    assert membership_balance(member) == 4400


def test_cancelling_a_redemption_returns_points_and_stock(member, manager, reward):
    points_adjust(actor=manager, membership=member, points=1000, reason="Welcome")
    redemption = points_redeem(actor=manager, membership=member, reward=reward)
    redemption_cancel(actor=manager, redemption=redemption)
    redemption_cancel(actor=manager, redemption=redemption)  # twice: no second refund
    reward.refresh_from_db()
    assert reward.stock == 2 and membership_balance(member) == 1000
    assert Redemption.objects.get().status == "cancelled"


def test_a_negative_adjustment_cannot_go_below_zero_and_needs_a_reason(member, manager):
    points_adjust(actor=manager, membership=member, points=100, reason="Welcome")
    with pytest.raises(ValidationError) as exc:
        points_adjust(actor=manager, membership=member, points=-101, reason="Fix")
    assert "points" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        points_adjust(actor=manager, membership=member, points=10, reason=" ")
    assert "reason" in exc.value.message_dict


def test_the_statement_shows_a_running_balance(member, manager):
    for points in (100, 250, -50):
        points_adjust(actor=manager, membership=member, points=points, reason="x")
    rows = list(statement(member))
    assert [r.points for r in rows] == [-50, 250, 100]
    assert [r.running_balance for r in rows] == [300, 350, 100]


def test_expiry_is_first_in_first_out(member, manager, programme):
    programme.expiry_months = 12
    programme.save()
    member.programme.refresh_from_db()
    earn(member, 1000, on=dt.date(2025, 1, 10))  # expires 2026-01-10
    earn(member, 500, on=dt.date(2025, 6, 10))  # expires 2026-06-10
    reward = Reward.objects.create(programme=programme, code="r", kind="upgrade", name_zh="升级", name_en="Up",
                                   points_cost=800)
    points_redeem(actor=manager, membership=member, reward=reward)  # spends the oldest points first
    assert points_expire(as_of=dt.date(2026, 1, 9)) == 0
    assert points_expire(as_of=dt.date(2026, 1, 10)) == 200
    assert points_expire(as_of=dt.date(2026, 1, 10)) == 0  # idempotent
    assert membership_balance(member) == 500
    assert points_expire(as_of=dt.date(2026, 6, 10)) == 500
    assert membership_balance(member) == 0


def test_reversed_points_do_not_expire_twice(member, manager):
    first = earn(member, 1000, on=dt.date(2024, 1, 10))
    earn(member, 300, on=dt.date(2024, 2, 10))
    PointTransaction.objects.create(membership=member, kind="reverse", points=-1000, reverses=first,
                                    occurred_on=first.occurred_on)
    assert points_expire(as_of=dt.date(2026, 3, 1)) == 300
    assert membership_balance(member) == 0


# --- invariants ------------------------------------------------------------------------------------------------

operations = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(min_value=1, max_value=5000), st.integers(min_value=0, max_value=900)),
        st.tuples(st.just("redeem"), st.integers(min_value=1, max_value=3), st.just(0)),
        st.tuples(st.just("adjust"), st.integers(min_value=-3000, max_value=3000), st.just(0)),
        st.tuples(st.just("expire"), st.integers(min_value=0, max_value=1200), st.just(0)),
        st.tuples(st.just("cancel"), st.just(0), st.just(0)),
    ),
    max_size=25,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_balance_is_the_sum_and_never_negative(member, manager, programme, ops):
    with transaction.atomic():
        reward = Reward.objects.create(programme=programme, code="inv", kind="experience", name_zh="体验",
                                       name_en="Experience", points_cost=700, stock=3)
        start = dt.date(2024, 1, 1)
        for op, value, days in ops:
            try:
                if op == "earn":
                    earn(member, value, on=start + dt.timedelta(days=days))
                elif op == "redeem":
                    points_redeem(actor=manager, membership=member, reward=reward, quantity=value)
                elif op == "adjust" and value:
                    points_adjust(actor=manager, membership=member, points=value, reason="test")
                elif op == "expire":
                    points_expire(as_of=start + dt.timedelta(days=365 * 2 + value))
                elif op == "cancel":
                    last = Redemption.objects.filter(membership=member, status="confirmed").last()
                    if last:
                        redemption_cancel(actor=manager, redemption=last)
            except ValidationError:
                pass  # refused operations write nothing
            balance = membership_balance(member)
            total = PointTransaction.objects.filter(membership=member).aggregate(s=Sum("points"))["s"] or 0
            assert balance == total
            assert balance >= 0
            reward.refresh_from_db()
            confirmed = Redemption.objects.filter(membership=member, status="confirmed").aggregate(
                n=Sum("quantity"))["n"] or 0
            assert reward.stock == 3 - confirmed >= 0
        rows = list(statement(member))
        if rows:
            assert rows[0].running_balance == membership_balance(member)
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_redemptions_never_overspend(member, manager, programme):
    reward = Reward.objects.create(programme=programme, code="c", kind="upgrade", name_zh="升级", name_en="Up",
                                   points_cost=400, stock=10)
    points_adjust(actor=manager, membership=member, points=1000, reason="Welcome")
    outcomes: list[str] = []

    def redeem() -> None:
        try:
            points_redeem(actor=manager, membership=member, reward=reward)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 2
    assert membership_balance(member) == 200
    reward.refresh_from_db()
    assert reward.stock == 8


@pytest.mark.django_db
def test_merging_two_members_combines_their_ledgers_and_undo_splits_them_again(manager, programme, frontdesk_a):
    """Points never vanish with a merged profile: both ledgers end on the survivor; undo gives each its own back."""
    from concierge.dedupe.services.merge import guest_merge, guest_merge_undo
    from concierge.guests.models import Guest
    from concierge.loyalty.models import Membership, Reward
    from concierge.loyalty.selectors import membership_balance
    from concierge.loyalty.services import membership_enrol, points_redeem

    members = []
    for name, points in (("甲", 500), ("乙", 300)):
        guest = Guest.objects.create(family_name="王", given_name=name)
        member = membership_enrol(actor=frontdesk_a, guest=guest, programme=programme)
        earn(member, points, on=dt.date(2026, 3, 1))
        members.append(member)
    reward = Reward.objects.create(programme=programme, code="tea", name_zh="下午茶", name_en="Afternoon tea",
                                   kind="fnb_voucher", points_cost=100, stock=5)
    points_redeem(actor=frontdesk_a, membership=members[1], reward=reward)
    gone_rows = set(PointTransaction.objects.filter(membership=members[1]).values_list("pk", flat=True))
    assert membership_balance(members[1]) == 200

    record = guest_merge(actor=manager, survivor=members[0].guest, merged=members[1].guest)

    assert list(Membership.objects.values_list("pk", flat=True)) == [members[0].pk]
    assert membership_balance(members[0]) == 700  # 500 + 300 − 100 redeemed
    assert members[0].redemptions.count() == 1
    assert gone_rows <= set(PointTransaction.objects.filter(membership=members[0]).values_list("pk", flat=True))

    guest_merge_undo(actor=manager, merge_record=record)

    restored = Membership.objects.get(guest=members[1].guest)
    assert restored.pk == members[1].pk and restored.number == members[1].number
    assert set(PointTransaction.objects.filter(membership=restored).values_list("pk", flat=True)) == gone_rows
    assert membership_balance(members[0]) == 500
    assert membership_balance(restored) == 200
    assert restored.redemptions.count() == 1
