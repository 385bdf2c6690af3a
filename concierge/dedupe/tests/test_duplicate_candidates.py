"""The create-time check: likely existing profiles for what is being entered."""
import datetime as dt

from concierge.dedupe.models import DedupeSettings, DuplicateCandidate
from concierge.dedupe.services import guest_duplicate_candidates
from concierge.dedupe.tasks import find_duplicates

from .factories import zhang_wei


def test_pinyin_entry_finds_the_chinese_profile(guest_a, frontdesk_a):
    found = guest_duplicate_candidates(user=frontdesk_a, values={"full_name": "Zhang Wei", "birthday": "1949-12-31"})
    assert [c.guest for c in found] == [guest_a]
    assert "name pinyin equal" in found[0].reasons_text and "same birthday" in found[0].reasons_text


def test_phone_in_another_format_finds_the_profile(guest_a, frontdesk_a):
    found = guest_duplicate_candidates(user=frontdesk_a, values={"full_name": "張偉", "phone": "+86 138-0013-8000"})
    assert found and found[0].guest == guest_a
    assert found[0].reasons_text.startswith("same phone")


def test_id_number_with_lowercase_x_finds_the_profile(guest_a, frontdesk_a):
    found = guest_duplicate_candidates(
        user=frontdesk_a, values={"full_name": "张伟", "id_type": "cn_id", "id_number": "11010519491231002x"})
    assert found[0].guest == guest_a and found[0].score > 0.99


def test_other_property_staff_are_not_shown_the_profile(guest_a, frontdesk_b):
    assert guest_duplicate_candidates(user=frontdesk_b, values={"full_name": "张伟", "phone": "13800138000"}) == []


def test_a_namesake_with_another_birthday_is_not_a_candidate(guest_a, frontdesk_a):
    assert guest_duplicate_candidates(
        user=frontdesk_a, values={"full_name": "张伟", "birthday": "1990-01-01", "phone": "13999999999"}) == []


def test_the_profile_being_edited_can_be_excluded(guest_a, frontdesk_a):
    values = {"full_name": "张伟", "phone": "13800138000"}
    assert guest_duplicate_candidates(user=frontdesk_a, values=values, exclude_id=guest_a.pk) == []


def test_query_count_is_fixed(guest_a, frontdesk_a, property_a, django_assert_max_num_queries):
    for day in range(1, 6):
        zhang_wei(frontdesk_a, property_a, birthday=dt.date(1949, 12, day), phone=f"1380013800{day}")
    config = DedupeSettings.load()  # in a real database the row exists and the finder has run
    config.population = 1000
    config.save()
    # settings, ID hash, phone/email keys, name keys, the user's properties, guests, documents, contact points
    with django_assert_max_num_queries(8):
        guest_duplicate_candidates(user=frontdesk_a, values={"full_name": "张伟", "phone": "13800138000",
                                                             "id_number": "11010519491231002X"})


def test_celery_task_runs_the_finder(guest_a, frontdesk_a, property_a):
    zhang_wei(frontdesk_a, property_a, birthday=dt.date(1949, 12, 31))
    summary = find_duplicates()
    assert summary["created"] == 1 == DuplicateCandidate.objects.count()
