"""The guest's answer page: no login, made for phones, in the guest's language.

Each state of a link has its own clear page: a forged or unknown link (404, in both languages since we
do not know whose it is), an expired one (410), one already used (the thank-you page), a closed survey.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from concierge.surveys import selectors, services
from concierge.surveys.forms import AnswerForm
from concierge.surveys.models import Invitation, localized
from concierge.surveys.selectors import LinkState

STATE_STATUS = {LinkState.INVALID: 404, LinkState.EXPIRED: 410, LinkState.ANSWERED: 200, LinkState.CLOSED: 410}


def _state_page(request: HttpRequest, state: LinkState, invitation: Invitation | None) -> HttpResponse:
    if invitation is None:
        # Unknown sender: say it in both languages.
        return render(request, "surveys/public/invalid.html", {"language": "zh-hans"}, status=404)
    language = invitation.language
    survey = invitation.survey
    with translation.override(language):
        return render(request, "surveys/public/state.html", {
            "state": state.value, "language": language, "survey": survey, "title": survey.title_in(language),
            "thanks": localized(survey, "thanks", language), "property": invitation.property,
            "property_name": _property_name(invitation, language),
        }, status=STATE_STATUS[state])


def _property_name(invitation: Invitation, language: str) -> str:
    prop = invitation.property
    if prop is None:
        return ""
    return (prop.name_zh if language.startswith("zh") else prop.name_en) or prop.name_en or prop.name_zh


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    state, invitation = selectors.invitation_for_link(token)
    if state != LinkState.OPEN or invitation is None:
        return _state_page(request, state, invitation)
    language = invitation.language
    survey = invitation.survey
    questions = selectors.survey_questions(survey)
    if request.method == "GET" and invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=timezone.now())
    with translation.override(language):
        form = AnswerForm(request.POST or None, questions=questions, language=language)
        if request.method == "POST" and form.is_valid():
            try:
                services.response_submit(invitation=invitation, answers=form.cleaned_data["answers"])
            except ValidationError as exc:
                if getattr(exc, "code", None) in ("link_used", "survey_closed"):
                    state, invitation = selectors.invitation_for_link(token)
                    return _state_page(request, state, invitation)
                form.add_error(None, exc)
            else:
                # Post/redirect/get: reloading the page shows the thank-you page, never a second submission.
                return redirect("surveys:answer", token=token)
        return render(request, "surveys/public/answer.html", {
            "survey": survey, "form": form, "items": form.items(), "language": language, "preview": False,
            "title": survey.title_in(language), "intro": localized(survey, "intro", language),
            "property_name": _property_name(invitation, language),
        }, status=200 if not form.errors else 400)
