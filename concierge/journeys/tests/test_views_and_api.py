"""The journey pages and API: who may use them, field errors, steps with htmx, preview, run history, API shapes."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from freezegun import freeze_time

from concierge.journeys.models import Journey
from concierge.journeys.services import journeys_evaluate
from concierge.journeys.tests.conftest import SEND, guest, journey

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_front_desk_may_not_open_journeys_page_or_api(client, frontdesk_a):
    journey("birthday", {"days": 0})
    client.force_login(frontdesk_a)

    assert client.get(reverse("journeys:journey_list")).status_code == 403
    assert client.get(reverse("api:journey-list")).status_code == 403


def test_marketing_sees_the_list_with_run_counts(client, marketer, frontdesk_a, property_a, email_template):
    with freeze_time("2026-06-15 10:00:00+08:00"):
        guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15))
        j = journey("birthday", {"days": 0}, steps=[SEND])
        journeys_evaluate()
    client.force_login(marketer)

    response = client.get(reverse("journeys:journey_list"))

    assert response.status_code == 200
    assert j.name in response.content.decode()
    assert response.context["page"][0].completed_runs == 1
    assert reverse("journeys:journey_list") in response.content.decode()  # the sidebar entry


def test_bad_trigger_settings_are_shown_on_the_field(client, marketer):
    client.force_login(marketer)

    response = client.post(reverse("journeys:journey_create"), {
        "name": "Thanks", "trigger_kind": "checkout", "p_hours": "soon", "p_window_days": "2"})

    assert response.status_code == 200
    assert response.context["form"].errors["p_hours"] == ["Enter a whole number."]
    assert not Journey.objects.exists()


def test_a_journey_is_created_and_its_trigger_settings_saved(client, marketer):
    client.force_login(marketer)

    response = client.post(reverse("journeys:journey_create"), {
        "name": "Thanks", "trigger_kind": "checkout", "p_hours": "4", "p_window_days": "2", "enabled": "on"})

    j = Journey.objects.get()
    assert response.status_code == 302
    assert (j.trigger_params, j.enabled) == ({"hours": 4, "window_days": 2}, True)


def test_the_trigger_settings_change_with_the_trigger(client, marketer):
    client.force_login(marketer)

    response = client.get(reverse("journeys:trigger_params"), {"trigger_kind": "no_stay"}, **HTMX)

    assert 'name="p_months"' in response.content.decode()
    assert 'name="p_hours"' not in response.content.decode()


def test_steps_are_added_reordered_and_removed_with_htmx(client, marketer, email_template):
    j = journey("birthday", {"days": 0})
    client.force_login(marketer)
    url = reverse("journeys:step_add", args=[j.pk])

    bad = client.post(url, {"kind": "send_message", "channel": "email", "template_code": "nope"}, **HTMX)
    client.post(url, {"kind": "send_message", "channel": "email", "template_code": "greeting"}, **HTMX)
    client.post(url, {"kind": "wait", "days": "1"}, **HTMX)

    assert bad.status_code == 400
    assert "No active template" in bad.content.decode()
    first, second = j.steps.order_by("position")
    assert (first.kind, second.kind) == ("send_message", "wait")
    response = client.post(reverse("journeys:step_move", args=[j.pk, second.pk]), {"direction": "up"}, **HTMX)
    assert response.status_code == 200
    assert list(j.steps.order_by("position").values_list("kind", flat=True)) == ["wait", "send_message"]
    client.post(reverse("journeys:step_remove", args=[j.pk, second.pk]), **HTMX)
    assert list(j.steps.values_list("kind", "position")) == [("send_message", 0)]


def test_the_message_step_preview_renders_for_a_guest(client, marketer, frontdesk_a, property_a, email_template):
    g = guest(frontdesk_a, property_a)
    j = journey("birthday", {"days": 0}, steps=[SEND])
    client.force_login(marketer)

    response = client.get(reverse("journeys:step_preview", args=[j.pk, j.steps.get().pk]), {"guest": g.pk}, **HTMX)

    assert response.context["preview"].subject == "王芳，生日快乐！"


def test_the_enabled_toggle_switches_the_journey(client, marketer):
    j = journey("birthday", {"days": 0}, enabled=False)
    client.force_login(marketer)

    response = client.post(reverse("journeys:journey_toggle", args=[j.pk]), **HTMX)

    j.refresh_from_db()
    assert j.enabled and response.status_code == 200


def test_run_now_is_for_managers(client, marketer, manager, settings, eager_celery):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    j = journey("birthday", {"days": 0})
    client.force_login(marketer)
    assert client.post(reverse("journeys:journey_run_now", args=[j.pk])).status_code == 403
    client.force_login(manager)
    assert client.post(reverse("journeys:journey_run_now", args=[j.pk])).status_code == 302
    j.refresh_from_db()
    assert j.last_evaluated_at is not None


def test_the_run_history_links_to_the_guest_and_lists_events(client, marketer, frontdesk_a, property_a,
                                                             email_template):
    with freeze_time("2026-06-15 10:00:00+08:00"):
        g = guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15))
        guest(frontdesk_a, property_a, birthday=dt.date(1981, 6, 15), family_name="李", given_name="雷")
        j = journey("birthday", {"days": 0}, steps=[SEND])
        journeys_evaluate()
    client.force_login(marketer)

    response = client.get(reverse("journeys:journey_runs", args=[j.pk]), {"q": "芳"})

    html = response.content.decode()
    assert reverse("web:guest_detail", args=[g.pk]) in html
    assert len(response.context["page"].object_list) == 1
    assert "Queued" in html


def test_the_api_lists_a_journey_its_steps_and_runs(client, marketer, frontdesk_a, property_a, email_template):
    with freeze_time("2026-06-15 10:00:00+08:00"):
        g = guest(frontdesk_a, property_a, birthday=dt.date(1980, 6, 15))
        j = journey("birthday", {"days": 0}, steps=[SEND])
        journeys_evaluate()
    client.force_login(marketer)

    listing = client.get(reverse("api:journey-list")).json()
    detail = client.get(reverse("api:journey-detail", args=[j.pk])).json()
    runs = client.get(reverse("api:journey-runs", args=[j.pk])).json()

    assert listing["results"][0]["completed_runs"] == 1
    assert detail["steps"][0]["params"] == {"template_code": "greeting", "channel": "email"}
    assert runs["results"][0]["guest_id"] == g.pk
    assert runs["results"][0]["events"][0]["outcome"] == "done"
    assert runs["results"][0]["events"][0]["message_id"] is not None
    assert client.get(reverse("api:journey-detail", args=[j.pk + 999])).status_code == 404


def test_the_detail_and_edit_pages_render_the_steps_and_trigger(client, manager, email_template):
    j = journey("checkout", {"hours": 2, "window_days": 2}, steps=[("wait", {"days": 1, "hours": 0}), SEND])
    client.force_login(manager)

    detail = client.get(reverse("journeys:journey_detail", args=[j.pk]))
    edit = client.get(reverse("journeys:journey_edit", args=[j.pk]))

    assert detail.status_code == edit.status_code == 200
    assert "Checkout + 2 hours" in detail.content.decode()
    assert 'data-testid="step-2"' in detail.content.decode()
    assert 'data-testid="run-now"' in detail.content.decode()
    assert 'name="p_hours"' in edit.content.decode() and 'value="2"' in edit.content.decode()


def test_a_stale_version_is_refused_when_saving(client, marketer):
    j = journey("birthday", {"days": 0})
    client.force_login(marketer)

    response = client.post(reverse("journeys:journey_edit", args=[j.pk]), {
        "name": "Renamed", "trigger_kind": "birthday", "p_days": "0", "version": str(j.version + 5)})

    assert response.status_code == 200
    assert "Someone else changed this journey" in response.content.decode()
    j.refresh_from_db()
    assert j.name != "Renamed"
