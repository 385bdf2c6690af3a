"""The fixed cast every test can use.

Property A ("SHA") has a front-desk user (`frontdesk_a`) and a service agent; `manager` is group-wide;
`frontdesk_b` works only at property B ("HGH") and must see nothing that only A holds.
"""
from __future__ import annotations

import datetime as dt
import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def hotel_group(db):
    from concierge.properties.models import HotelGroup

    return HotelGroup.objects.create(name_zh="礼宾酒店集团", name_en="Concierge Hotels")


@pytest.fixture
def property_a(hotel_group):
    from concierge.properties.models import Property

    return Property.objects.create(group=hotel_group, code="SHA", name_zh="上海外滩酒店", name_en="Shanghai Bund Hotel")


@pytest.fixture
def property_b(hotel_group):
    from concierge.properties.models import Property

    return Property.objects.create(group=hotel_group, code="HGH", name_zh="杭州西湖酒店", name_en="Hangzhou West Lake Hotel")


def _user(username: str, role: str, properties=(), **extra):
    from concierge.accounts.models import User

    user = User.objects.create_user(username=username, password="test-password-123", role=role, **extra)
    user.properties.set(properties)
    return user


@pytest.fixture
def frontdesk_a(property_a):
    return _user("alice", "front_desk", [property_a], first_name="Alice")


@pytest.fixture
def service_a(property_a):
    return _user("sam", "service_agent", [property_a], first_name="Sam")


@pytest.fixture
def frontdesk_b(property_b):
    return _user("charlie", "front_desk", [property_b], first_name="Charlie")


@pytest.fixture
def manager(property_a, property_b):
    return _user("bob", "manager", [], first_name="Bob")


@pytest.fixture
def guest_a(frontdesk_a, property_a):
    """张伟 (Zhang Wei) at property A, with a resident ID and a phone."""
    from concierge.guests.services import guest_create

    return guest_create(
        actor=frontdesk_a, property=property_a, family_name="张", given_name="伟",
        family_name_latin="ZHANG", given_name_latin="WEI", phone="138 0013 8000", email="zhang.wei@example.cn",
        id_documents=[{"doc_type": "cn_id", "number": "11010519491231002X"}],
        birthday=dt.date(1949, 12, 31),
    )


@pytest.fixture(autouse=True)
def _english_by_default():
    """Each test starts in English: LocaleMiddleware leaves the last request's language active in the thread."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def eager_celery():
    """Run Celery tasks (`.delay()`) in-process, never through a broker. Setting CELERY_TASK_ALWAYS_EAGER through
    `settings` is not enough once the Celery app has read its configuration (earlier tests in the same process), so
    the app's own conf is switched."""
    from concierge.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield app
    finally:
        app.conf.task_always_eager = saved
