"""The closed complaint loop end to end, with a real SMTP server on loopback (aiosmtpd)."""
from __future__ import annotations

import datetime as dt
import email
import socket
from email.header import decode_header, make_header
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from freezegun import freeze_time

from concierge.cases.choices import ArticleStatus, LoopStep
from concierge.cases.selectors import loop_report
from concierge.cases.services import case_guest_told, case_promote_to_article, case_reopen, case_resolve
from concierge.cases.services import loop as loop_module
from concierge.cases.tests.factories import make_case, make_stay, root_cause
from concierge.core.models import Activity
from concierge.guests.models import Alert

pytestmark = pytest.mark.django_db

OPENED = dt.datetime(2026, 3, 2, 13, 0, tzinfo=dt.UTC)  # 21:00 in Shanghai, 2 March
RESOLVED = dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC)


class Inbox:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802 - aiosmtpd's hook
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.original_content)))
        return "250 OK"

    def to(self, address: str) -> Message:
        return next(message for rcpts, message in self.messages if address in rcpts)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def _text(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def _subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


@pytest.fixture
def noisy_night(service_a, property_a, guest_a, account_manager):
    """张伟 (reads Chinese, account manager Amy) complains about noise in room 1203 on the evening of 2 March."""
    guest_a.owner = account_manager
    guest_a.save()
    stay = make_stay(service_a, guest_a, property_a, arrival=dt.date(2026, 3, 1), nights=3, status="in_house")
    with freeze_time(OPENED):
        return make_case(service_a, property_a, guest=guest_a, stay=stay, subject="房间噪音太大，无法入睡",
                         description="隔壁房间深夜很吵，客人两次致电前台。", department="front_office")


def test_resolving_a_complaint_closes_the_whole_loop(
        noisy_night, service_a, guest_a, smtp, django_capture_on_commit_callbacks):
    with freeze_time(RESOLVED), django_capture_on_commit_callbacks(execute=True):
        case = case_resolve(
            actor=service_a, case=noisy_night, resolution="Moved the guest to a quiet room on a high floor.",
            root_cause=root_cause("room-noise"), compensation_type="upgrade", guest_message="祝您入住愉快！",
        )
    case.refresh_from_db()

    # 1. The guest got an email, in Chinese, through the SMTP server.
    mail = smtp.to("zhang.wei@example.cn")
    subject, body = _subject(mail), _text(mail)
    assert "房间噪音太大" in subject and "2026年3月2日" in subject
    assert body.startswith("尊敬的张伟：")
    assert "我们已经处理完毕" in body and "免费升级房型" in body and "祝您入住愉快！" in body
    assert case.reference in body
    assert "上海外滩酒店" in str(make_header(decode_header(mail["From"])))
    assert Activity.objects.filter(guest=guest_a, kind="email", data__event="loop_guest").count() == 1

    # 2. The account manager was told, by email and on the timeline.
    manager_mail = smtp.to("amy@hotel.example")
    assert case.reference in _subject(manager_mail) and "Moved the guest" in _text(manager_mail)
    assert Activity.objects.filter(guest=guest_a, data__event="loop_manager").count() == 1

    # 3. An alert waits for the next stay.
    alert = Alert.objects.get(guest=guest_a, category="complaint", is_active=True)
    assert alert.text == "Complained about room noise on 2026-03-02; offer a quiet room"
    assert case.next_stay_alert == alert

    # 4. 张伟 gave no email consent, so the surveys module sends no follow-up: the step does not apply.
    assert (case.loop_guest, case.loop_manager, case.loop_alert, case.loop_followup) == (
        LoopStep.DONE, LoopStep.DONE, LoopStep.DONE, LoopStep.SKIPPED)
    assert case.loop_closed

    # 5. One click promotes the resolution to a knowledge-base draft linked to the case.
    article = case_promote_to_article(actor=service_a, case=case)
    case.refresh_from_db()
    assert case.kb_article == article and article.status == ArticleStatus.DRAFT
    assert list(article.cases.all()) == [case] and article.root_cause.code == "room-noise"
    assert "Moved the guest to a quiet room" in article.translations.get().body
    assert case_promote_to_article(actor=service_a, case=case) == article  # a second click changes nothing

    report = loop_report(user=service_a)
    assert (report.complaints, report.guest_told, report.loop_closed, report.promoted) == (1, 1, 1, 1)


def test_an_english_guest_gets_the_english_mail(noisy_night, service_a, guest_a, smtp,
                                                django_capture_on_commit_callbacks):
    guest_a.language = "en"
    guest_a.save()
    with freeze_time(RESOLVED), django_capture_on_commit_callbacks(execute=True):
        case_resolve(actor=service_a, case=noisy_night, resolution="Quiet room.", root_cause=root_cause("room-noise"))
    body = _text(smtp.to("zhang.wei@example.cn"))
    assert body.startswith("Dear 张伟,") and "2 March 2026" in body


def test_the_follow_up_survey_is_sent_when_the_surveys_module_offers_it(
        noisy_night, service_a, guest_a, smtp, monkeypatch, django_capture_on_commit_callbacks):
    sent = []

    def survey_send_followup(*, guest, case, language):  # stands in for concierge.surveys' hook
        sent.append((guest.pk, case.pk, language))
        return object()

    monkeypatch.setattr(loop_module, "followup_hook", lambda: survey_send_followup)
    with freeze_time(RESOLVED), django_capture_on_commit_callbacks(execute=True):
        case = case_resolve(actor=service_a, case=noisy_night, resolution="Quiet room.",
                            root_cause=root_cause("room-noise"))
    case.refresh_from_db()
    assert sent == [(guest_a.pk, case.pk, "zh-hans")]
    assert case.loop_followup == LoopStep.DONE and case.loop_closed
    assert Activity.objects.filter(guest=guest_a, data__event="loop_followup").exists()


def test_the_real_surveys_module_invites_a_consenting_guest(
        noisy_night, service_a, guest_a, smtp, eager_celery, django_capture_on_commit_callbacks):
    if loop_module.followup_hook() is None:
        pytest.skip("concierge.surveys offers no survey_send_followup")
    from concierge.guests.services import consent_set

    consent_set(actor=service_a, guest=guest_a, channel="email", granted=True, source="check-in form")
    with freeze_time(RESOLVED), django_capture_on_commit_callbacks(execute=True):
        case = case_resolve(actor=service_a, case=noisy_night, resolution="Quiet room.",
                            root_cause=root_cause("room-noise"))
    case.refresh_from_db()
    assert case.loop_followup == LoopStep.DONE and case.loop_closed
    to_guest = [message for rcpts, message in smtp.messages if "zhang.wei@example.cn" in rcpts]
    assert len(to_guest) == 2  # the resolution, then the surveys module's follow-up question


def test_a_mail_server_failure_leaves_the_guest_step_failed_and_the_loop_open(
        noisy_night, service_a, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2
    with freeze_time(RESOLVED), django_capture_on_commit_callbacks(execute=True):
        case = case_resolve(actor=service_a, case=noisy_night, resolution="Quiet room.",
                            root_cause=root_cause("room-noise"))
    case.refresh_from_db()
    assert case.status == "resolved" and case.loop_guest == LoopStep.FAILED and not case.loop_closed
    assert case.events.filter(kind="loop", data__step="guest").exists()
    # Calling the guest afterwards closes the loop.
    case_guest_told(actor=service_a, case=case, via="phone", note="Apologised by phone.")
    case.refresh_from_db()
    assert case.loop_guest == LoopStep.DONE


def test_telling_the_guest_by_phone_needs_no_mail_and_a_reopened_case_keeps_one_alert(
        noisy_night, service_a, guest_a, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_resolve(actor=service_a, case=noisy_night, resolution="Quiet room.", guest_told_via="phone",
                            root_cause=root_cause("room-noise"), alert_text="Quiet room only, away from the lift")
    assert [m.to for m in mailoutbox] == [["amy@hotel.example"]]
    assert Activity.objects.filter(guest=guest_a, kind="call", data__event="loop_guest").exists()
    case = case_reopen(actor=service_a, case=case, reason="Still noisy.")
    assert case.loop_guest == ""
    with django_capture_on_commit_callbacks(execute=True):
        case_resolve(actor=service_a, case=case, resolution="Changed floor.", guest_told_via="in_person",
                     root_cause=root_cause("room-noise"))
    assert list(Alert.objects.filter(guest=guest_a, category="complaint").values_list("text", flat=True)) == [
        "Quiet room only, away from the lift"]


def test_other_case_types_do_not_run_the_loop(service_a, property_a, guest_a, mailoutbox,
                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_resolve(actor=service_a, case=make_case(service_a, property_a, guest=guest_a,
                                                            case_type="request"), resolution="Done.")
    assert case.loop_guest == "" and not mailoutbox
    assert not Alert.objects.filter(guest=guest_a).exists()
