"""Single-use links: forged and altered links are refused, a link works once, expired and closed links say so."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from freezegun import freeze_time

from concierge.surveys import services
from concierge.surveys.models import Invitation, Response
from concierge.surveys.tests.factories import answers, invite, link, post_data
from concierge.surveys.tokens import SALT, InvalidLink, link_token, public_id_from_token

pytestmark = pytest.mark.django_db


def test_a_link_carries_a_signed_public_id(survey_a, guest_zh, quality_a):
    invitation = invite(quality_a, survey_a, guest_zh)

    token = link_token(invitation.public_id)

    assert public_id_from_token(token) == invitation.public_id
    assert len(invitation.public_id) >= 22  # 128 random bits


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),         # altered signature
    lambda t: ("x" if t[0] != "x" else "y") + t[1:],          # altered id, old signature (1 in 64 ids start with x)
    lambda t: t.split(":")[0],                                # signature cut off
    lambda t: signing.Signer(salt="another.salt").sign(t.split(":")[0]),  # signed for something else
    lambda t: "",
])
def test_a_forged_link_is_refused(survey_a, guest_zh, quality_a, mangle):
    invitation = invite(quality_a, survey_a, guest_zh)
    forged = mangle(link_token(invitation.public_id))

    with pytest.raises(InvalidLink):
        public_id_from_token(forged)


def test_a_forged_link_gets_a_clear_page_in_both_languages(client: Client):
    forged = signing.Signer(salt="wrong").sign("guessed-public-id")

    response = client.get(f"/surveys/r/{forged}/")

    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-state="invalid"' in html
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert gettext("This survey link is not valid") in html
    assert 'lang="zh-hans"' in html and 'lang="en"' in html


def test_a_well_signed_link_to_no_invitation_is_invalid(client: Client, db):
    token = signing.Signer(salt=SALT).sign("no-such-invitation")

    assert client.get(f"/surveys/r/{token}/").status_code == 404


def test_the_answer_page_needs_no_login_and_fits_a_phone(client: Client, survey_a, guest_zh, quality_a):
    invitation = invite(quality_a, survey_a, guest_zh)

    response = client.get(link(invitation))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "您有多大可能向朋友推荐我们？" in html
    assert 'lang="zh-hans"' in html
    invitation.refresh_from_db()
    assert invitation.opened_at is not None


def test_a_link_can_be_used_only_once(client: Client, survey_a, questions_a, guest_zh, quality_a):
    invitation = invite(quality_a, survey_a, guest_zh)

    first = client.post(link(invitation), post_data(questions_a, nps=10))
    second = client.post(link(invitation), post_data(questions_a, nps=0))
    again = client.get(link(invitation))

    assert first.status_code == 302
    assert second.status_code == 200 and 'data-state="answered"' in second.content.decode()
    assert 'data-state="answered"' in again.content.decode()
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert Response.objects.get().answers.get(question=questions_a["nps"]).score == 10


def test_the_service_refuses_a_second_submission_of_the_same_link(survey_a, questions_a, guest_zh, quality_a):
    invitation = invite(quality_a, survey_a, guest_zh)
    stale_copy = Invitation.objects.get(pk=invitation.pk)  # a second request that loaded the row before the first saved

    services.response_submit(invitation=invitation, answers=answers(questions_a))
    with pytest.raises(ValidationError) as exc:
        services.response_submit(invitation=stale_copy, answers=answers(questions_a))

    assert exc.value.code == "link_used"
    assert Response.objects.count() == 1


def test_an_expired_link_gets_a_clear_page(client: Client, survey_a, questions_a, guest_zh, quality_a):
    with freeze_time("2026-03-01 10:00:00+08:00"):
        invitation = invite(quality_a, survey_a, guest_zh)  # valid for 14 days
    with freeze_time("2026-03-15 10:00:01+08:00"):
        page = client.get(link(invitation))
        post = client.post(link(invitation), post_data(questions_a))

    assert page.status_code == 410
    assert 'data-state="expired"' in page.content.decode()
    with translation.override("zh-hans"):  # said in the guest's language
        assert gettext("This survey link has expired") in page.content.decode()
    assert post.status_code == 410
    assert not Response.objects.exists()


def test_the_link_still_works_on_its_last_day(client: Client, survey_a, guest_zh, quality_a):
    with freeze_time("2026-03-01 10:00:00+08:00"):
        invitation = invite(quality_a, survey_a, guest_zh)
    with freeze_time("2026-03-15 09:59:00+08:00"):
        assert client.get(link(invitation)).status_code == 200


def test_a_closed_survey_says_so(client: Client, survey_a, guest_zh, quality_a):
    invitation = invite(quality_a, survey_a, guest_zh)
    services.survey_update(actor=quality_a, survey=survey_a, status="closed")

    page = client.get(link(invitation))

    assert page.status_code == 410
    assert 'data-state="closed"' in page.content.decode()


def test_an_english_guest_gets_the_page_in_english(client: Client, survey_a, guest_en, quality_a):
    invitation = invite(quality_a, survey_a, guest_en)

    html = client.get(link(invitation)).content.decode()

    assert "How likely are you to recommend us to a friend?" in html
    assert "您有多大可能向朋友推荐我们？" not in html
    assert '<html lang="en">' in html


def test_expiry_is_the_survey_setting(survey_a, guest_zh, quality_a):
    with freeze_time("2026-03-01 10:00:00+08:00"):
        invitation = invite(quality_a, survey_a, guest_zh)
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=survey_a.link_valid_days)
