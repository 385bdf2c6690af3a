import datetime as dt

from concierge.dedupe.selectors import candidate_comparison, merges_for_guest, review_queue
from concierge.dedupe.services import duplicates_find, guest_merge

from .factories import zhang_wei


def _two_at_a(frontdesk_a, property_a):
    a = zhang_wei(frontdesk_a, property_a)
    b = zhang_wei(frontdesk_a, property_a, family_name="張", given_name="偉", phone="")
    duplicates_find()
    return a, b


def test_queue_is_scoped_to_the_users_properties(frontdesk_a, frontdesk_b, manager, property_a):
    _two_at_a(frontdesk_a, property_a)
    assert review_queue(user=frontdesk_a).count() == 1
    assert review_queue(user=manager).count() == 1
    assert review_queue(user=frontdesk_b).count() == 0


def test_queue_hides_pairs_with_a_tombstone(frontdesk_a, manager, property_a):
    a, b = _two_at_a(frontdesk_a, property_a)
    c = zhang_wei(frontdesk_a, property_a, birthday=dt.date(1985, 3, 7), phone="13912345678", email="c@example.cn")
    duplicates_find()
    assert review_queue(user=manager).count() == 3
    guest_merge(actor=manager, survivor=a, merged=c)
    assert all(c.pk not in (p.left_id, p.right_id) for p in review_queue(user=manager))
    assert list(merges_for_guest(guest=a)) == list(merges_for_guest(guest=c))


def test_comparison_puts_both_profiles_side_by_side(frontdesk_a, manager, property_a):
    _two_at_a(frontdesk_a, property_a)
    rows = {row.field: row for row in candidate_comparison(candidate=review_queue(user=manager).get())}
    assert rows["native_name"].left == "张 伟" and rows["native_name"].right == "張 偉"
    assert rows["native_name"].outcome == "agree" and rows["native_name"].reason == "same Chinese name"
    assert rows["birthday"].outcome == "agree"
    assert rows["phone"].outcome == ""  # one side has no phone: not compared
