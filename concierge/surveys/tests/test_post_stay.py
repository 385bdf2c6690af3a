"""Post-stay sending: N hours after checkout per property, once per stay, sparing recently surveyed guests."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from freezegun import freeze_time

from concierge.surveys import services
from concierge.surveys.choices import InvitationSource, InvitationStatus
from concierge.surveys.models import Invitation
from concierge.surveys.tests.factories import checked_out_stay, invite, make_guest, make_survey

pytestmark = pytest.mark.django_db
DEPARTURE = dt.date(2026, 3, 10)  # checkout assumed at 12:00 in the property's time zone (Asia/Shanghai)


@pytest.fixture
def trigger(survey_a, quality_a, property_a):
    return services.trigger_set(actor=quality_a, survey=survey_a, property=property_a, delay_hours=24,
                                cooldown_days=60)


def test_nothing_is_sent_before_the_delay(trigger, guest_zh, frontdesk_a, property_a):
    checked_out_stay(frontdesk_a, guest_zh, property_a, DEPARTURE)

    with freeze_time("2026-03-11 11:59:00+08:00"):
        assert services.post_stay_invitations_create() == 0


def test_the_guest_is_invited_once_the_delay_has_passed(trigger, guest_zh, frontdesk_a, property_a):
    stay = checked_out_stay(frontdesk_a, guest_zh, property_a, DEPARTURE)

    with freeze_time("2026-03-11 12:00:00+08:00"):
        assert services.post_stay_invitations_create() == 1
        assert services.post_stay_invitations_create() == 0  # the next run finds it done

    invitation = Invitation.objects.get()
    assert (invitation.guest, invitation.stay, invitation.property_id) == (guest_zh, stay, property_a.pk)
    assert invitation.source == InvitationSource.POST_STAY and invitation.language == "zh-hans"


def test_a_guest_surveyed_recently_is_spared(trigger, guest_zh, frontdesk_a, property_a, quality_a):
    other, _q = make_survey(quality_a, property=property_a, kind="periodic")
    with freeze_time("2026-02-01 10:00:00+08:00"):
        invite(quality_a, other, guest_zh)
    checked_out_stay(frontdesk_a, guest_zh, property_a, DEPARTURE)

    with freeze_time("2026-03-11 13:00:00+08:00"):
        assert services.post_stay_invitations_create() == 0
    with freeze_time("2026-04-05 13:00:00+08:00"):  # 60 days later the stay is too old to survey anyway
        assert services.post_stay_invitations_create() == 0


def test_guests_without_email_consent_are_skipped(trigger, frontdesk_a, property_a):
    guest = make_guest(frontdesk_a, property_a, consent=False)
    checked_out_stay(frontdesk_a, guest, property_a, DEPARTURE)

    with freeze_time("2026-03-12 09:00:00+08:00"):
        assert services.post_stay_invitations_create() == 0


def test_only_properties_with_a_trigger_send(trigger, guest_zh, frontdesk_a, property_b):
    checked_out_stay(frontdesk_a, guest_zh, property_b, DEPARTURE)

    with freeze_time("2026-03-12 09:00:00+08:00"):
        assert services.post_stay_invitations_create() == 0


def test_two_rooms_on_one_checkout_give_one_survey(trigger, guest_zh, frontdesk_a, property_a):
    checked_out_stay(frontdesk_a, guest_zh, property_a, DEPARTURE)
    checked_out_stay(frontdesk_a, guest_zh, property_a, DEPARTURE, nights=3)

    with freeze_time("2026-03-12 09:00:00+08:00"):
        assert services.post_stay_invitations_create() == 1


def test_stays_still_in_house_or_cancelled_are_not_surveyed(trigger, guest_zh, frontdesk_a, property_a):
    from concierge.stays.models import Stay

    stay = checked_out_stay(frontdesk_a, guest_zh, property_a, DEPARTURE)
    Stay.objects.filter(pk=stay.pk).update(status="cancelled")

    with freeze_time("2026-03-12 09:00:00+08:00"):
        assert services.post_stay_invitations_create() == 0


def test_old_checkouts_are_not_surveyed_when_a_trigger_is_switched_on(trigger, guest_zh, frontdesk_a, property_a):
    checked_out_stay(frontdesk_a, guest_zh, property_a, DEPARTURE)

    with freeze_time("2026-03-25 09:00:00+08:00"):
        assert services.post_stay_invitations_create() == 0


def test_one_post_stay_trigger_per_property(trigger, quality_a, property_a):
    second, _q = make_survey(quality_a, property=property_a, name="Second")

    services.trigger_set(actor=quality_a, survey=second, property=property_a)

    trigger.refresh_from_db()
    assert not trigger.is_active


def test_a_trigger_is_only_for_the_surveys_own_property(survey_a, quality_a, property_b, manager):
    with pytest.raises(ValidationError):
        services.trigger_set(actor=manager, survey=survey_a, property=property_b)


def test_the_dispatcher_invites_and_mails(django_capture_on_commit_callbacks, eager_celery, trigger, guest_zh,
                                          frontdesk_a, property_a):
    checked_out_stay(frontdesk_a, guest_zh, property_a, DEPARTURE)

    with freeze_time("2026-03-11 15:00:00+08:00"), django_capture_on_commit_callbacks(execute=True):
        result = services.surveys_dispatch()
        again = services.surveys_dispatch()

    assert (result.post_stay, result.queued) == (1, 1)
    assert (again.post_stay, again.queued) == (0, 0)
    assert [m.to for m in mail.outbox] == [["wang.fang@example.cn"]]
    assert Invitation.objects.get().status == InvitationStatus.SENT


def test_a_periodic_run_sends_to_its_audience_and_repeats(quality_a, property_a, frontdesk_a, survey_a):
    regular = make_guest(frontdesk_a, property_a, email="regular@example.cn")
    checked_out_stay(frontdesk_a, regular, property_a, dt.date(2026, 2, 20))
    make_guest(frontdesk_a, property_a, email="never-stayed@example.cn")

    with freeze_time("2026-03-01 10:00:00+08:00"):
        run = services.survey_run_schedule(actor=quality_a, survey=survey_a, repeat_days=90, cooldown_days=30,
                                           audience={"property": property_a.pk, "stayed_within_days": 60})
        assert services.survey_runs_execute_due() == 1
        assert services.survey_runs_execute_due() == 0

    run.refresh_from_db()
    assert (run.status, run.invited, run.skipped) == ("done", 1, 0)
    assert list(Invitation.objects.values_list("guest_id", flat=True)) == [regular.pk]
    following = survey_a.runs.exclude(pk=run.pk).get()
    assert following.scheduled_for.date() == dt.date(2026, 5, 30) and following.status == "scheduled"
