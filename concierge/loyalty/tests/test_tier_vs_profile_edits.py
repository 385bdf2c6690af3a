"""A tier recalculation never makes a receptionist's profile edit fail, and that edit never reverts the tier.

The loyalty programme owns `Guest.tier`: it writes it without bumping the profile version, and no profile edit
path (web form, API PATCH, guest_update) writes it (docs/security.md, "Editing at the same time").
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from concierge.guests.models import Guest
from concierge.guests.services import guest_update
from concierge.loyalty.services import evaluate_tiers

from .conftest import earn

pytestmark = pytest.mark.django_db


def _upgrade_to_silver(member, tiers) -> str:
    earn(member, tiers["silver"].min_points, on=dt.date(2026, 5, 1))
    evaluate_tiers(as_of=dt.date(2026, 5, 2))
    tier = Guest.objects.get(pk=member.guest_id).tier
    assert tier == tiers["silver"].name_zh[:30] != tiers["member"].name_zh[:30]
    return tier


def test_a_profile_form_opened_before_a_tier_upgrade_saves_and_keeps_the_new_tier(member, tiers, frontdesk_a):
    client = Client()
    client.force_login(frontdesk_a)
    url = reverse("web:guest_edit", args=[member.guest_id])
    form = client.get(url).context["form"]
    assert "tier" not in form.fields
    data = {k: v for k, v in form.initial.items() if v is not None and k != "existing_tags"}
    data.update(tags="", notes="Late check-out on Sundays")
    version = Guest.objects.get(pk=member.guest_id).version

    silver = _upgrade_to_silver(member, tiers)  # the nightly run, while the form is open

    assert client.post(url, data).status_code == 302  # the unrelated edit is not refused
    guest = Guest.objects.get(pk=member.guest_id)
    assert (guest.tier, guest.notes, guest.version) == (silver, "Late check-out on Sundays", version + 1)


def test_an_api_patch_echoing_an_old_read_does_not_revert_the_tier(member, tiers, frontdesk_a):
    client = APIClient()
    client.force_authenticate(frontdesk_a)
    detail = f"/api/v1/guests/{member.guest_id}/"
    loaded = client.get(detail).json()
    assert loaded["tier"] == tiers["member"].name_zh[:30]

    silver = _upgrade_to_silver(member, tiers)

    response = client.patch(detail, {"tier": loaded["tier"], "notes": "VIP", "version": loaded["version"]},
                            format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["tier"], response.json()["notes"]) == (silver, "VIP")
    assert Guest.objects.get(pk=member.guest_id).tier == silver


def test_the_profile_service_refuses_to_write_the_tier(member, tiers, frontdesk_a):
    guest = Guest.objects.get(pk=member.guest_id)
    with pytest.raises(ValidationError) as caught:
        guest_update(actor=frontdesk_a, guest=guest, expected_version=guest.version, tier="钻石")
    assert "tier" in caught.value.message_dict
    assert Guest.objects.get(pk=guest.pk).tier == tiers["member"].name_zh[:30]
