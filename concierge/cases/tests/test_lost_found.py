"""Lost & found: matched to the guest of that room and date, told in their language, returned or disposed."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from concierge.cases.choices import LostItemStatus
from concierge.cases.services import lost_item_create, lost_item_dispose, lost_item_notify, lost_item_return
from concierge.cases.tests.factories import make_stay
from concierge.core.models import Activity
from concierge.guests.services import guest_create

pytestmark = pytest.mark.django_db

FOUND = dt.date(2026, 3, 5)


@pytest.fixture
def room_1203(service_a, property_a, guest_a):
    """张伟 left room 1203 on 5 March; Ms Wang arrived in it the same afternoon."""
    leaving = make_stay(service_a, guest_a, property_a, arrival=dt.date(2026, 3, 2), nights=3, room="1203")
    wang = guest_create(actor=service_a, property=property_a, family_name="王", given_name="芳",
                        email="wang@example.cn",
                        language="en")
    arriving = make_stay(service_a, wang, property_a, arrival=FOUND, nights=2, room="1203", status="in_house")
    return {"leaving": leaving, "arriving": arriving, "wang": wang}


def test_an_item_found_in_a_room_goes_to_the_guest_who_left_that_day(service_a, property_a, guest_a, room_1203):
    item = lost_item_create(actor=service_a, property=property_a, found_on=FOUND, room_number="1203",
                            description="Black Kindle", category="electronics", storage_location="HK office B3")
    assert item.status == LostItemStatus.MATCHED
    assert item.stay == room_1203["leaving"] and item.guest == guest_a
    assert Activity.objects.filter(guest=guest_a, data__event="lost_item_matched").exists()


def test_without_a_matching_stay_the_item_waits_unmatched(service_a, property_a, room_1203):
    item = lost_item_create(actor=service_a, property=property_a, found_on=FOUND, room_number="808",
                            description="Scarf", storage_location="HK office")
    assert item.status == LostItemStatus.STORED and item.guest is None


def test_the_guest_is_emailed_in_their_language(service_a, property_a, guest_a, room_1203, mailoutbox,
                                                django_capture_on_commit_callbacks):
    item = lost_item_create(actor=service_a, property=property_a, found_on=FOUND, room_number="1203",
                            description="黑色Kindle阅读器", storage_location="HK office")
    with django_capture_on_commit_callbacks(execute=True):
        item = lost_item_notify(actor=service_a, item=item)
    assert item.status == LostItemStatus.NOTIFIED and item.notified_at
    assert mailoutbox[0].to == ["zhang.wei@example.cn"]
    assert "找到了您可能遗失的物品" in mailoutbox[0].subject and "1203房间" in mailoutbox[0].body


def test_returned_and_disposed_items_are_closed(service_a, property_a, room_1203):
    item = lost_item_create(actor=service_a, property=property_a, found_on=FOUND, room_number="1203",
                            description="Umbrella", storage_location="HK office")
    with pytest.raises(ValidationError):
        lost_item_return(actor=service_a, item=item, returned_on=FOUND - dt.timedelta(days=1), returned_to="Guest")
    item = lost_item_return(actor=service_a, item=item, returned_on=FOUND, returned_to="Handed over at the desk")
    assert item.status == LostItemStatus.RETURNED
    with pytest.raises(ValidationError):
        lost_item_dispose(actor=service_a, item=item, disposed_on=FOUND)
    other = lost_item_create(actor=service_a, property=property_a, found_on=FOUND, found_place="Lobby",
                             description="Sunglasses", storage_location="HK office")
    assert lost_item_dispose(actor=service_a, item=other, disposed_on=FOUND + dt.timedelta(days=90),
                             note="Donated").status == LostItemStatus.DISPOSED
