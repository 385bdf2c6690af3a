"""Two people editing the same profile: the second save is refused (form error / 409), nothing is overwritten.

Every way of changing a guest profile either checks the version it started from or only appends (see
docs/security.md, "Editing at the same time").
"""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from concierge.guests.models import Company, Guest, Preference

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form_data(client: Client, url: str) -> dict:
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "existing_tags"}
    data["tags"] = ""
    return data


def test_two_sessions_editing_the_same_guest_the_second_gets_the_stale_error(guest_a, frontdesk_a, service_a):
    url = reverse("web:guest_edit", args=[guest_a.pk])
    alice, sam = _signed_in(frontdesk_a), _signed_in(service_a)
    alice_data, sam_data = _form_data(alice, url), _form_data(sam, url)  # both open the form at version 1
    alice_data.update(notes="Prefers Mandarin", status="unsuitable", status_reason="Damaged the room")
    assert alice.post(url, alice_data).status_code == 302
    sam_data.update(notes="Likes tea", given_name="伟伟")
    response = sam.post(url, sam_data)
    assert response.status_code == 200 and response.context["conflict"] is True
    assert "changed by someone else" in response.content.decode()
    guest = Guest.objects.get(pk=guest_a.pk)
    assert (guest.notes, guest.status, guest.given_name, guest.version) == (
        "Prefers Mandarin", "unsuitable", "伟", 2)


def test_a_handover_between_opening_and_saving_the_form_makes_the_save_stale(guest_a, frontdesk_a, service_a,
                                                                              manager):
    from concierge.sales.services import handover_run

    guest_a.owner = frontdesk_a
    guest_a.save(update_fields=["owner"])
    url = reverse("web:guest_edit", args=[guest_a.pk])
    alice = _signed_in(frontdesk_a)
    data = _form_data(alice, url)
    assert data["owner"] == frontdesk_a.pk
    handover_run(from_user=frontdesk_a, actor=manager, default_to=service_a)
    data["notes"] = "Late note"
    response = alice.post(url, data)
    assert response.status_code == 200 and response.context["conflict"] is True
    guest = Guest.objects.get(pk=guest_a.pk)
    assert guest.owner_id == service_a.pk and guest.notes == ""  # the old owner was not put back


def test_api_patches_need_the_version_and_a_stale_one_changes_nothing(guest_a, frontdesk_a, service_a):
    alice, sam = APIClient(), APIClient()
    alice.force_authenticate(frontdesk_a)
    sam.force_authenticate(service_a)
    url = reverse("api:guest-detail", args=[guest_a.pk])
    missing = alice.patch(url, {"notes": "no version"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["attr"] == "version"
    assert alice.patch(url, {"notes": "first", "version": 1}, format="json").status_code == 200
    stale = sam.patch(url, {"notes": "second", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["errors"][0]["code"] == "stale_version"
    assert Guest.objects.get(pk=guest_a.pk).notes == "first"


def test_api_company_patches_need_the_version_too(frontdesk_a, property_a):
    from concierge.guests.services import company_create

    company = company_create(actor=frontdesk_a, name_zh="宝钢", properties=[property_a])
    api = APIClient()
    api.force_authenticate(frontdesk_a)
    url = reverse("api:company-detail", args=[company.pk])
    assert api.patch(url, {"city": "上海"}, format="json").status_code == 400
    assert api.patch(url, {"city": "上海", "version": company.version}, format="json").status_code == 200
    assert api.patch(url, {"city": "北京", "version": company.version}, format="json").status_code == 409
    assert Company.objects.get(pk=company.pk).city == "上海"


def test_a_company_edit_form_without_its_version_is_refused(frontdesk_a, property_a):
    from concierge.guests.services import company_create

    company = company_create(actor=frontdesk_a, name_zh="宝钢", properties=[property_a])
    client = _signed_in(frontdesk_a)
    url = reverse("web:company_edit", args=[company.pk])
    data = {k: v for k, v in client.get(url).context["form"].initial.items() if v is not None}
    data.pop("version", None)
    data.update(name_zh="宝钢集团", properties=[property_a.pk])
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["form"].errors["version"]
    assert Company.objects.get(pk=company.pk).name_zh == "宝钢"


def test_preferences_and_alerts_are_appends_two_sessions_both_keep_theirs(guest_a, frontdesk_a, service_a):
    alice, sam = _signed_in(frontdesk_a), _signed_in(service_a)
    url = reverse("web:preference_add", args=[guest_a.pk])
    assert alice.post(url, {"category": "pillow", "value": "Buckwheat"}).status_code == 302
    assert sam.post(url, {"category": "floor", "value": "High floor"}).status_code == 302
    assert sorted(Preference.objects.filter(guest=guest_a, is_active=True).values_list("value", flat=True)) == [
        "Buckwheat", "High floor"]
