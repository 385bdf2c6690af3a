"""Two people editing the same company contact: the second save is refused (form error / 409), nothing is
overwritten. Bulk changes to contacts (guest merge, erasure) bump the version too (docs/security.md,
"Editing at the same time").
"""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from concierge.guests.models import Contact
from concierge.guests.services import company_create, contact_create, guest_create

pytestmark = pytest.mark.django_db

STALE_TEXT = "Someone else changed this contact; reload to see their changes."


@pytest.fixture
def contact(frontdesk_a, property_a):
    company = company_create(actor=frontdesk_a, properties=[property_a], name_zh="宝钢集团", name_en="Baosteel")
    return contact_create(actor=frontdesk_a, company=company, name="李娜", position="Travel manager",
                          phone="139 5555 6666")


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form_data(client: Client, url: str) -> dict:
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if name not in ("link_guest", "save_anyway")}
    return {k: ("on" if v is True else v) for k, v in data.items() if v not in (None, False)}


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_two_sessions_editing_the_same_contact_the_second_gets_the_stale_error(contact, frontdesk_a, service_a):
    url = reverse("web:contact_edit", args=[contact.pk])
    alice, sam = _signed_in(frontdesk_a), _signed_in(service_a)
    alice_data, sam_data = _form_data(alice, url), _form_data(sam, url)  # both open the form at version 1
    assert alice_data["version"] == sam_data["version"] == 1
    alice_data.update(position="Head of travel", notes="Call before 10")
    assert alice.post(url, alice_data).status_code == 302
    sam_data.update(position="Assistant", department="Finance")
    response = sam.post(url, sam_data)
    assert response.status_code == 200 and response.context["stale"] is True
    page = response.content.decode()
    assert STALE_TEXT in page and 'data-testid="stale-version"' in page
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.position, stored.notes, stored.department, stored.version) == (
        "Head of travel", "Call before 10", "", 2)
    # After reloading, Sam sees Alice's change and can save on top of it.
    fresh = _form_data(sam, url)
    assert (fresh["position"], fresh["version"]) == ("Head of travel", 2)
    fresh["department"] = "Finance"
    assert sam.post(url, fresh).status_code == 302
    stored.refresh_from_db()
    assert (stored.position, stored.department, stored.version) == ("Head of travel", "Finance", 3)


def test_the_contact_edit_form_without_a_version_is_refused(contact, frontdesk_a):
    url = reverse("web:contact_edit", args=[contact.pk])
    client = _signed_in(frontdesk_a)
    data = _form_data(client, url)
    del data["version"]
    data["position"] = "Boss"
    response = client.post(url, data)
    assert response.status_code == 200 and "version" in response.context["form"].errors
    assert Contact.objects.get(pk=contact.pk).position == "Travel manager"


def test_two_api_clients_patching_the_same_contact_the_second_gets_a_409(contact, frontdesk_a, service_a):
    detail = f"/api/v1/contacts/{contact.pk}/"
    alice, sam = _api(frontdesk_a), _api(service_a)
    loaded = alice.get(detail).json()
    assert loaded["version"] == 1 and sam.get(detail).json()["version"] == 1
    first = alice.patch(detail, {"position": "Head of travel", "version": 1}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 2
    second = sam.patch(detail, {"position": "Assistant", "notes": "x", "version": 1}, format="json")
    assert second.status_code == 409
    assert second.json()["errors"][0]["code"] == "stale_version"
    assert STALE_TEXT in second.json()["errors"][0]["detail"]
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.position, stored.notes, stored.version) == ("Head of travel", "", 2)


def test_an_api_patch_without_a_version_is_a_400_and_changes_nothing(contact, frontdesk_a):
    response = _api(frontdesk_a).patch(f"/api/v1/contacts/{contact.pk}/", {"position": "Boss"}, format="json")
    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("version", "required")]
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.position, stored.version) == ("Travel manager", 1)


def test_a_guest_merge_that_moves_a_contact_makes_an_open_contact_form_stale(contact, frontdesk_a, property_a,
                                                                              manager):
    from concierge.dedupe.services.merge import guest_merge, guest_merge_undo

    first = guest_create(actor=frontdesk_a, property=property_a, family_name="李", given_name="娜")
    second = guest_create(actor=frontdesk_a, property=property_a, family_name="李", given_name="娜")
    Contact.objects.filter(pk=contact.pk).update(guest=second)
    url = reverse("web:contact_edit", args=[contact.pk])
    client = _signed_in(frontdesk_a)
    data = _form_data(client, url)
    record = guest_merge(actor=manager, survivor=first, merged=second)
    moved = Contact.objects.get(pk=contact.pk)
    assert (moved.guest_id, moved.version) == (first.pk, 2)
    data["position"] = "Boss"
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["stale"] is True
    assert Contact.objects.get(pk=contact.pk).guest_id == first.pk  # not pointed back at the tombstone
    guest_merge_undo(actor=manager, merge_record=record)
    back = Contact.objects.get(pk=contact.pk)
    assert (back.guest_id, back.version) == (second.pk, 3)


def test_erasing_a_guest_bumps_the_version_of_their_contact_rows(contact, frontdesk_a, property_a, manager):
    from concierge.privacy.services import guest_erase

    guest = guest_create(actor=frontdesk_a, property=property_a, family_name="李", given_name="娜")
    Contact.objects.filter(pk=contact.pk).update(guest=guest)
    guest_erase(guest=guest, actor=manager)
    erased = Contact.objects.get(pk=contact.pk)
    assert (erased.phone, erased.guest_id, erased.version) == ("", None, 2)
