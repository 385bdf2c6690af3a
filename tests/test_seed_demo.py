"""seed_demo: the demo cast and properties, valid guests and stays, determinism, and --if-empty."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from concierge.accounts.models import User
from concierge.core.demo.generators import GuestGenerator, typed_initials, typed_pinyin
from concierge.core.phones import normalize_phone
from concierge.guests.identity import cn_id_birthday, cn_id_gender, validate_cn_resident_id
from concierge.guests.models import Guest, IdentityDocument, Industry, SearchKey
from concierge.guests.selectors import recognition_search
from concierge.guests.services import guest_search_keys_rebuild
from concierge.properties.models import Property
from concierge.stays.models import GuestPropertyStats, Product, Stay

DEMO_ROLES = {
    "admin": "admin", "frontdesk": "front_desk", "service": "service_agent", "sales": "sales_rep",
    "marketing": "marketing", "manager": "manager",
}


def seed(**options: object) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **{"guests": 60, "seed": 7, **options})
    return out.getvalue()


def snapshot() -> list[tuple]:
    """Names, phones and decrypted ID numbers of every guest, in creation order."""
    return [
        (g.family_name, g.given_name, g.family_name_latin, g.given_name_latin, g.phone, g.birthday,
         tuple(sorted(d.number for d in g.documents.all())))
        for g in Guest.objects.order_by("id").prefetch_related("documents")
    ]


@pytest.mark.django_db
def test_it_creates_the_demo_cast_and_three_properties() -> None:
    output = seed()

    assert {p.code: (p.currency, p.timezone) for p in Property.objects.all()} == {
        code: ("CNY", "Asia/Shanghai") for code in ("SHA", "HGH", "SZX")
    }
    assert Property.objects.get(code="SHA").name_zh == "上海外滩礼宾酒店"
    users = {u.username: u for u in User.objects.prefetch_related("properties")}
    for username, role in DEMO_ROLES.items():
        user = users[username]
        assert (user.role, user.is_demo) == (role, True)
        assert user.check_password("concierge-demo")
        assert username in output
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert [p.code for p in users["frontdesk"].properties.all()] == ["SHA"]
    assert [p.code for p in users["service"].properties.all()] == ["SHA"]
    assert sorted(p.code for p in users["sales"].properties.all()) == ["HGH", "SHA"]
    assert {"quality", "sales_manager"} <= {u.role for u in users.values()}
    assert users["frontdesk_hgh"].property_ids() == [Property.objects.get(code="HGH").pk]
    assert Industry.objects.filter(code__in=["mining", "real-estate", "logistics", "travel-agency"]).count() == 4
    assert Product.objects.filter(code__in=["singapore-food-week", "spa-ritual", "late-checkout"]).count() == 3


@pytest.mark.django_db
def test_demo_logins_authenticate_with_the_published_password() -> None:
    seed()

    assert authenticate(username="frontdesk", password="concierge-demo") == User.objects.get(username="frontdesk")


@pytest.mark.django_db
def test_guests_have_valid_resident_ids_matching_their_birthday() -> None:
    seed()

    assert Guest.objects.count() == 60
    documents = list(IdentityDocument.objects.filter(doc_type="cn_id").select_related("guest"))
    assert len(documents) >= 30
    for doc in documents:
        assert validate_cn_resident_id(doc.number) == doc.number
        assert cn_id_birthday(doc.number) == doc.guest.birthday
        assert cn_id_gender(doc.number) == doc.guest.gender
        assert doc.number_masked == doc.number[:4] + "*" * 10 + doc.number[-4:]
    assert Guest.objects.filter(nationality__in=["JP", "KR", "US", "GB", "DE", "FR", "SG"]).exists()
    assert IdentityDocument.objects.filter(doc_type="passport").exclude(issuing_country="CN").exists()


@pytest.mark.django_db
def test_stays_follow_the_calendar_and_statistics_are_refreshed() -> None:
    seed()
    today = timezone.localdate()

    stays = list(Stay.objects.all())
    assert len(stays) > 60
    assert min(s.arrival for s in stays) >= today - dt.timedelta(days=3 * 365 + 1)
    for stay in stays:
        if stay.status == "checked_out":
            assert stay.departure <= today
            assert stay.room_revenue > 0 or stay.market_segment == "complimentary"
        elif stay.status == "in_house":
            assert stay.arrival <= today < stay.departure
        elif stay.status == "reserved":
            assert stay.arrival >= today
    assert any(s.arrival > today for s in stays)
    assert GuestPropertyStats.objects.filter(revenue_rank=1).count() == 3
    assert not Guest.objects.filter(stays__status="checked_out", last_stay_on__isnull=True).exists()


@pytest.mark.django_db
def test_bulk_search_keys_equal_the_ones_the_service_builds() -> None:
    seed()

    for guest in Guest.objects.order_by("id")[:25]:
        bulk = set(SearchKey.objects.filter(guest=guest).values_list("kind", "key"))
        guest_search_keys_rebuild(guest=guest)
        assert set(SearchKey.objects.filter(guest=guest).values_list("kind", "key")) == bulk, guest


@pytest.mark.django_db
def test_front_desk_finds_showcase_guests_by_pinyin_of_heteronym_surnames() -> None:
    seed()
    frontdesk = User.objects.get(username="frontdesk")

    for query, name in [("zeng zhiqiang", "曾志强"), ("shan xue", "单雪"), ("陈美玲", "陳美玲"), ("张伟", "張偉")]:
        names = [hit.obj.display_name for hit in recognition_search(user=frontdesk, query=query)]
        assert name in names, (query, names)


@pytest.mark.django_db(transaction=True)
def test_the_same_seed_gives_the_same_guests_in_a_fresh_database() -> None:
    seed()
    first = snapshot()
    call_command("flush", interactive=False, verbosity=0)
    seed()

    assert snapshot() == first
    assert len(first) == 60


def test_the_generator_is_deterministic_and_seed_dependent() -> None:
    first = list(GuestGenerator(7).guests(300))

    assert list(GuestGenerator(7).guests(300)) == first
    assert [g.display for g in GuestGenerator(8).guests(300)] != [g.display for g in first]


def test_generated_people_are_realistic() -> None:
    people = list(GuestGenerator(11).guests(2000))
    kinds = {p.kind for p in people}

    assert kinds == {"cn", "cn_traditional", "cn_latin", "foreign"}
    assert all(normalize_phone(p.phone_input) == p.phone for p in people)
    assert len({p.phone_input[:4] for p in people}) > 10  # many input formats
    assert {p.family_name for p in people} >= {"曾", "欧阳", "張", "陳"}
    assert any(p.family_name_latin == "ZHANG" and not p.family_name for p in people)
    assert {p.nationality for p in people} >= {"CN", "JP", "KR", "US", "GB", "DE", "FR", "SG"}
    assert all(p.status_reason for p in people if p.status in ("lost", "unsuitable"))
    ids = [d.number for p in people for d in p.documents if d.doc_type == "cn_id"]
    assert len(ids) == len(set(ids))


def test_typed_pinyin_uses_the_surname_reading() -> None:
    assert typed_pinyin("曾", "志强") == "zeng zhiqiang"
    assert typed_pinyin("單", "雪") == "shan xue"
    assert typed_initials("欧阳", "娜娜") == "oynn"


@pytest.mark.django_db
def test_if_empty_is_a_no_op_the_second_time() -> None:
    seed(if_empty=True)
    counts = (Guest.objects.count(), Stay.objects.count(), User.objects.count())

    output = seed(if_empty=True, seed=8)

    assert "nothing to do" in output
    assert (Guest.objects.count(), Stay.objects.count(), User.objects.count()) == counts


@pytest.mark.django_db
def test_it_refuses_to_seed_over_existing_data(property_a: Property) -> None:
    with pytest.raises(CommandError):
        seed()
