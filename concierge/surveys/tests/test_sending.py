"""Who gets a survey (email consent, fatigue) and idempotent sending: claimed rows are never mailed twice."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from freezegun import freeze_time

from concierge.guests.models import Guest
from concierge.surveys import services
from concierge.surveys.choices import InvitationStatus
from concierge.surveys.models import Invitation
from concierge.surveys.tests.factories import grant_email, invite, make_guest
from concierge.surveys.tokens import link_token

pytestmark = pytest.mark.django_db


# --- consent -----------------------------------------------------------------------------------------------------


def test_a_guest_never_asked_about_email_is_not_invited(survey_a, quality_a, frontdesk_a, property_a):
    guest = make_guest(frontdesk_a, property_a, consent=None)

    with pytest.raises(ValidationError) as exc:
        invite(quality_a, survey_a, guest)

    assert exc.value.error_dict["guest"][0].code == "no_consent"


def test_the_newest_consent_decides(survey_a, quality_a, frontdesk_a, property_a):
    guest = make_guest(frontdesk_a, property_a, consent=None)
    grant_email(guest, granted=True, at=timezone.now() - dt.timedelta(days=30))
    grant_email(guest, granted=False, at=timezone.now() - dt.timedelta(days=1))

    with pytest.raises(ValidationError):
        invite(quality_a, survey_a, guest)

    grant_email(guest, granted=True)
    assert invite(quality_a, survey_a, guest).pk


def test_sms_consent_is_not_email_consent(survey_a, quality_a, frontdesk_a, property_a):
    from concierge.guests.models import ConsentRecord

    guest = make_guest(frontdesk_a, property_a, consent=None)
    ConsentRecord.objects.create(guest=guest, channel="sms", granted=True, source="test")

    with pytest.raises(ValidationError):
        invite(quality_a, survey_a, guest)


def test_a_group_send_skips_guests_without_consent_or_surveyed_recently(survey_a, quality_a, frontdesk_a,
                                                                        property_a):
    yes = make_guest(frontdesk_a, property_a, email="yes@example.cn")
    no = make_guest(frontdesk_a, property_a, consent=False, email="no@example.cn")
    unknown = make_guest(frontdesk_a, property_a, consent=None, email="unknown@example.cn")
    no_address = make_guest(frontdesk_a, property_a, email="x@example.cn")
    Guest.objects.filter(pk=no_address.pk).update(email="")
    tired = make_guest(frontdesk_a, property_a, email="tired@example.cn")
    with freeze_time(timezone.now() - dt.timedelta(days=10)):
        invite(quality_a, survey_a, tired)

    invited, skipped = services.invitations_create_for_guests(
        actor=quality_a, survey=survey_a, guests=Guest.objects.filter(pk__in=[yes.pk, no.pk, unknown.pk,
                                                                             no_address.pk, tired.pk]),
        cooldown_days=30)

    assert (invited, skipped) == (1, 4)
    assert set(Invitation.objects.filter(created_at__gte=timezone.now() - dt.timedelta(minutes=1))
               .values_list("guest_id", flat=True)) == {yes.pk}


def test_consent_withdrawn_before_the_mail_goes_out_skips_it(survey_a, quality_a, guest_zh):
    invitation = invite(quality_a, survey_a, guest_zh)
    grant_email(guest_zh, granted=False)

    result = services.invitations_send(invitation_ids=[invitation.pk])

    invitation.refresh_from_db()
    assert (result.sent, result.skipped) == (0, 1)
    assert invitation.status == InvitationStatus.SKIPPED and invitation.error == "no email consent"
    assert mail.outbox == []


# --- idempotent sending ------------------------------------------------------------------------------------------


def test_sending_the_same_batch_twice_mails_once(survey_a, quality_a, guest_zh, guest_en):
    ids = [invite(quality_a, survey_a, guest_zh).pk, invite(quality_a, survey_a, guest_en).pk]

    first = services.invitations_send(invitation_ids=ids)
    second = services.invitations_send(invitation_ids=ids)

    assert (first.claimed, first.sent) == (2, 2)
    assert (second.claimed, second.sent) == (0, 0)
    assert sorted(m.to[0] for m in mail.outbox) == ["john.smith@example.com", "wang.fang@example.cn"]
    assert set(Invitation.objects.values_list("status", flat=True)) == {InvitationStatus.SENT}


def test_a_row_claimed_by_another_worker_is_not_mailed(survey_a, quality_a, guest_zh):
    invitation = invite(quality_a, survey_a, guest_zh)
    Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.SENDING, claim="other-worker",
                                                       claimed_at=timezone.now())

    result = services.invitations_send(invitation_ids=[invitation.pk])

    assert result.claimed == 0 and mail.outbox == []


def test_queueing_twice_through_celery_mails_once(django_capture_on_commit_callbacks, eager_celery, survey_a,
                                                  quality_a, guest_zh):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(quality_a, survey_a, guest_zh)  # queued on commit
    Invitation.objects.filter(pk=invitation.pk).update(queued_at=None)  # as if the message had been lost
    services.invitations_enqueue()
    services.invitations_enqueue(invitation_ids=[invitation.pk])

    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT and invitation.email == "wang.fang@example.cn"


def test_a_dead_workers_rows_are_taken_over_and_the_one_in_flight_is_resent_with_its_message_id(
        survey_a, quality_a, guest_zh, guest_en):
    waiting = invite(quality_a, survey_a, guest_zh)
    in_flight = invite(quality_a, survey_a, guest_en)
    old = timezone.now() - dt.timedelta(hours=1)
    Invitation.objects.filter(pk=waiting.pk).update(status=InvitationStatus.SENDING, claim="~dead", claimed_at=old)
    Invitation.objects.filter(pk=in_flight.pk).update(status=InvitationStatus.SENDING, claim="dead", claimed_at=old)

    assert services.invitations_release_stale() == 2
    services.invitations_enqueue()

    waiting.refresh_from_db()
    in_flight.refresh_from_db()
    assert (waiting.status, in_flight.status) == (InvitationStatus.SENT, InvitationStatus.SENT)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([guest_zh.email, guest_en.email])
    resent = next(m for m in mail.outbox if m.to == [guest_en.email])
    assert resent.extra_headers["Message-ID"] == services.inviting.invitation_message_id(in_flight)


def test_a_row_in_doubt_twice_fails_and_a_live_claim_is_left_alone(survey_a, quality_a, guest_zh, guest_en):
    twice = invite(quality_a, survey_a, guest_zh)
    live = invite(quality_a, survey_a, guest_en)
    Invitation.objects.filter(pk=twice.pk).update(status=InvitationStatus.SENDING, claim="dead",
                                                  claimed_at=timezone.now() - dt.timedelta(hours=1),
                                                  error=services.inviting.IN_DOUBT)
    Invitation.objects.filter(pk=live.pk).update(status=InvitationStatus.SENDING, claim="alive",
                                                 claimed_at=timezone.now())

    assert services.invitations_release_stale() == 1
    services.invitations_enqueue()

    twice.refresh_from_db()
    live.refresh_from_db()
    assert twice.status == InvitationStatus.FAILED
    assert live.status == InvitationStatus.SENDING
    assert mail.outbox == []


def test_staff_can_retry_failed_invitations(django_capture_on_commit_callbacks, eager_celery, survey_a, quality_a,
                                            guest_zh):
    invitation = invite(quality_a, survey_a, guest_zh)
    Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.FAILED, error="smtp down")

    with django_capture_on_commit_callbacks(execute=True):
        assert services.invitations_retry_failed(actor=quality_a, survey=survey_a) == 1

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT and len(mail.outbox) == 1


def test_an_invitation_expired_before_sending_is_skipped(survey_a, quality_a, guest_zh):
    invitation = invite(quality_a, survey_a, guest_zh)

    with freeze_time(timezone.now() + dt.timedelta(days=30)):
        result = services.invitations_send(invitation_ids=[invitation.pk])

    assert result.skipped == 1 and mail.outbox == []


def test_an_smtp_failure_marks_the_row_failed_and_the_batch_goes_on(survey_a, quality_a, guest_zh, guest_en,
                                                                    monkeypatch):
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    ids = [invite(quality_a, survey_a, guest_zh).pk, invite(quality_a, survey_a, guest_en).pk]
    original = EmailBackend.send_messages

    def flaky(self, messages):
        if messages[0].to == ["wang.fang@example.cn"]:
            raise smtplib.SMTPRecipientsRefused({"wang.fang@example.cn": (550, b"no such user")})
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    result = services.invitations_send(invitation_ids=ids)

    assert (result.sent, result.failed) == (1, 1)
    assert Invitation.objects.get(guest=guest_zh).status == InvitationStatus.FAILED


# --- the mail ------------------------------------------------------------------------------------------------------


def test_the_mail_is_in_the_guests_language_with_their_link(survey_a, quality_a, guest_zh, guest_en, settings):
    settings.CONCIERGE_BASE_URL = "https://crm.example.cn"
    zh = invite(quality_a, survey_a, guest_zh)
    en = invite(quality_a, survey_a, guest_en)

    services.invitations_send(invitation_ids=[zh.pk, en.pk])

    by_to = {m.to[0]: m for m in mail.outbox}
    chinese, english = by_to["wang.fang@example.cn"], by_to["john.smith@example.com"]
    assert chinese.subject == "您在上海外滩酒店的入住体验如何？"
    assert "尊敬的王芳" in chinese.body
    assert f"https://crm.example.cn/surveys/r/{link_token(zh.public_id)}/" in chinese.body
    assert english.subject == "How was your stay at Shanghai Bund Hotel?"
    assert "Dear SMITH John" in english.body
    assert english.alternatives and "text/html" == english.alternatives[0][1]
    assert chinese.extra_headers["X-Concierge-Invitation"] == zh.public_id


def test_a_surveys_own_text_fills_its_placeholders_and_nothing_else(survey_a, quality_a, guest_zh):
    services.survey_update(actor=quality_a, survey=survey_a, email_subject_zh="{name}，请为{property}打分",
                           email_body_zh="点击 {link}\n{name.__class__} 不会被展开")
    invitation = invite(quality_a, survey_a, guest_zh)

    services.invitations_send(invitation_ids=[invitation.pk])

    message = mail.outbox[0]
    assert message.subject == "王芳，请为上海外滩酒店打分"
    assert link_token(invitation.public_id) in message.body
    assert "{name.__class__}" in message.body
