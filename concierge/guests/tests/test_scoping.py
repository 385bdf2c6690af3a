"""Property scoping, tested once per object type: the property-B user sees nothing that only A holds."""
import datetime as dt

import pytest

from concierge.core.models import Activity
from concierge.guests.models import Alert, Company, Contact, Guest, Preference
from concierge.guests.services import alert_add, company_create, contact_create, interaction_log, preference_add
from concierge.stays.models import Stay
from concierge.stays.services import stay_create


@pytest.fixture
def world(guest_a, frontdesk_a, property_a):
    company = company_create(actor=frontdesk_a, properties=[property_a], name_zh="阿里巴巴", name_en="Alibaba")
    contact_create(actor=frontdesk_a, company=company, name="马云", position="CEO")
    stay_create(actor=frontdesk_a, guest=guest_a, property=property_a, arrival=dt.date(2025, 1, 1),
                departure=dt.date(2025, 1, 2), status="checked_out")
    preference_add(actor=frontdesk_a, guest=guest_a, category="floor", value="High")
    alert_add(actor=frontdesk_a, guest=guest_a, text="Nut allergy", severity="critical")
    interaction_log(actor=frontdesk_a, kind="call", company=company, summary="Rate talk", property=property_a)
    return company


@pytest.mark.parametrize("model", [Guest, Company, Contact, Stay, Preference, Alert, Activity])
def test_user_of_other_property_sees_nothing(world, frontdesk_b, model):
    assert not model.objects.visible_to(frontdesk_b).exists()


@pytest.mark.parametrize("model", [Guest, Company, Contact, Stay, Preference, Alert, Activity])
def test_user_of_the_property_and_group_wide_manager_see_it(world, frontdesk_a, manager, model):
    assert model.objects.visible_to(frontdesk_a).exists()
    assert model.objects.visible_to(manager).count() == model.objects.count()


def test_guest_becomes_visible_at_b_once_they_stay_there(guest_a, frontdesk_a, frontdesk_b, property_b):
    stay_create(actor=frontdesk_a, guest=guest_a, property=property_b, arrival=dt.date(2025, 2, 1),
                departure=dt.date(2025, 2, 2), status="checked_out")
    assert Guest.objects.visible_to(frontdesk_b).filter(pk=guest_a.pk).exists()
    # ...but the stay at A stays hidden from B.
    assert Stay.objects.visible_to(frontdesk_b).count() == 1


def test_anonymous_and_inactive_users_see_nothing(world, frontdesk_a):
    from django.contrib.auth.models import AnonymousUser

    assert not Guest.objects.visible_to(AnonymousUser()).exists()
    frontdesk_a.is_active = False
    assert not Guest.objects.visible_to(frontdesk_a).exists()
