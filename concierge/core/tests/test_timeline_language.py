"""Timeline summaries written by services are shown in the reader's language, not the writer's."""
from django.utils import translation

from concierge.guests.services import alert_add


def test_service_summary_renders_in_each_readers_language(guest_a, frontdesk_a):
    with translation.override("zh-hans"):
        alert_add(actor=frontdesk_a, guest=guest_a, text="Peanut allergy", severity="critical")
    entry = guest_a.activities.filter(kind="alert").get()
    assert entry.summary == "Alert (Critical): Peanut allergy"  # stored English rendering
    with translation.override("en"):
        assert entry.display_summary == "Alert (Critical): Peanut allergy"
    with translation.override("zh-hans"):
        assert "Peanut allergy" in entry.display_summary
        assert "Alert" not in entry.display_summary


def test_staff_typed_summary_is_shown_as_typed(guest_a, frontdesk_a):
    from concierge.guests.services import interaction_log

    entry = interaction_log(actor=frontdesk_a, kind="call", guest=guest_a, summary="确认接机 15:00")
    with translation.override("en"):
        assert entry.display_summary == "确认接机 15:00"
