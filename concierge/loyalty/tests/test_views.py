"""Loyalty screens: members list, statement, redemption errors, adjustment rights, settings, the guest card."""
from __future__ import annotations

import pytest
from django.urls import reverse

from concierge.loyalty.models import PointTransaction, Reward
from concierge.loyalty.selectors import membership_balance
from concierge.loyalty.services import points_adjust

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(member, manager):
    points_adjust(actor=manager, membership=member, points=5000, reason="Welcome")
    return member


def test_the_members_list_filters_by_tier(client, frontdesk_a, funded, tiers):
    client.force_login(frontdesk_a)
    response = client.get(reverse("loyalty:member_list"))
    assert response.status_code == 200 and funded.number in response.content.decode()
    response = client.get(reverse("loyalty:member_list"), {"tier": tiers["gold"].pk})
    assert funded.number not in response.content.decode()


def test_a_user_of_another_property_sees_no_member(client, frontdesk_b, funded):
    client.force_login(frontdesk_b)
    assert funded.number not in client.get(reverse("loyalty:member_list")).content.decode()
    assert client.get(reverse("loyalty:member_detail", args=[funded.pk])).status_code == 404
    assert client.post(reverse("loyalty:member_redeem", args=[funded.pk]), {}).status_code == 404


def test_the_statement_shows_balance_and_progress_in_both_languages(client, frontdesk_a, funded):
    client.force_login(frontdesk_a)
    html = client.get(reverse("loyalty:member_detail", args=[funded.pk])).content.decode()
    assert "5,000" in html and "Progress to Silver" in html
    client.post(reverse("set_language"), {"language": "zh-hans"})
    response = client.get(reverse("loyalty:member_detail", args=[funded.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and "会员" in response.content.decode()


def test_redeeming_without_enough_points_shows_the_error(client, frontdesk_a, funded, programme):
    reward = Reward.objects.get(programme=programme, code="night-deluxe")
    client.force_login(frontdesk_a)
    response = client.post(reverse("loyalty:member_redeem", args=[funded.pk]), {"reward": reward.pk, "quantity": 1})
    assert response.status_code == 400
    assert "Not enough points" in response.content.decode()
    assert membership_balance(funded) == 5000


def test_redeeming_a_reward(client, frontdesk_a, funded, programme):
    reward = Reward.objects.get(programme=programme, code="afternoon-tea")
    client.force_login(frontdesk_a)
    response = client.post(reverse("loyalty:member_redeem", args=[funded.pk]), {"reward": reward.pk, "quantity": 1})
    assert response.status_code == 302
    assert membership_balance(funded) == 2000


def test_redeeming_without_choosing_names_the_field(client, frontdesk_a, funded):
    client.force_login(frontdesk_a)
    response = client.post(reverse("loyalty:member_redeem", args=[funded.pk]), {"quantity": 1})
    assert response.status_code == 400 and "Choose a reward." in response.content.decode()


def test_only_managers_adjust_points(client, frontdesk_a, manager, funded):
    url = reverse("loyalty:member_adjust", args=[funded.pk])
    client.force_login(frontdesk_a)
    assert client.post(url, {"points": 100, "reason": "Goodwill"}).status_code == 403
    client.force_login(manager)
    assert client.post(url, {"points": 100, "reason": "Goodwill"}).status_code == 302
    response = client.post(url, {"points": 100, "reason": ""})
    assert response.status_code == 400 and "Reason" in response.content.decode()
    assert PointTransaction.objects.filter(membership=funded, kind="adjust").count() == 2


def test_programme_settings_are_for_managers(client, frontdesk_a, manager, programme):
    url = reverse("loyalty:programme_settings")
    client.force_login(frontdesk_a)
    assert client.get(url).status_code == 403
    client.force_login(manager)
    page = client.get(url)
    assert page.status_code == 200 and "Platinum" in page.content.decode()


def test_programme_settings_save_rates(client, manager, programme):
    client.force_login(manager)
    page = client.get(reverse("loyalty:programme_settings"))
    form = page.context["form"]
    data = {f"programme-{k}": v for k, v in form.initial.items() if v is not None and k in form.fields}
    data["programme-points_per_night"] = 250
    data["programme-auto_enrol"] = "on"
    data["programme-is_active"] = "on"
    for prefix in ("tiers", "bonus", "rewards"):
        formset = page.context[prefix if prefix != "bonus" else "bonuses"]
        mgmt = formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{prefix}-{name}"] = mgmt[name].value()
        data[f"{prefix}-TOTAL_FORMS"] = mgmt["INITIAL_FORMS"].value()
        for i, f in enumerate(formset.forms[: int(mgmt["INITIAL_FORMS"].value())]):
            for name, field in f.fields.items():
                value = f.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                if value is None or value is False:
                    continue
                data[f"{prefix}-{i}-{name}"] = "on" if value is True else value
    response = client.post(reverse("loyalty:programme_settings"), data)
    ctx = response.context or {}
    assert response.status_code == 302, [ctx.get(k) and getattr(ctx[k], "errors", None) for k in ("form", "tiers", "bonuses", "rewards")]
    programme.refresh_from_db()
    assert programme.points_per_night == 250


def test_the_guest_card_shows_tier_balance_and_benefits(client, frontdesk_a, funded, guest_a):
    from concierge.guests.selectors import guest_card

    card = guest_card(guest=guest_a, user=frontdesk_a)
    values = {row["testid"]: row["value"] for row in card.insights if row.get("testid", "").startswith("loyalty")}
    assert values["loyalty-balance"] == "5,000"
    assert "Member" in values["loyalty-tier"]
    assert "Free Wi-Fi" in values["loyalty-benefits"]


def test_the_guest_page_shows_the_loyalty_insights(client, frontdesk_a, funded, guest_a):
    client.force_login(frontdesk_a)
    html = client.get(reverse("web:guest_detail", args=[guest_a.pk])).content.decode()
    assert "Points balance" in html and funded.number in html
