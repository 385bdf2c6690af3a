"""Staff pages of the surveys module: list, builder, preview, sending, results, responses, change markers.

Every page fetches its survey (or response, answer) through `get_visible_or_404`, so property scoping is
decided in one place; building and sending additionally need `can_manage_surveys`.
"""
from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.core.choices import AuditAction
from concierge.core.services import audit_record
from concierge.guests.models import Guest
from concierge.guests.selectors import recognition_search
from concierge.stays.models import Stay
from concierge.surveys import selectors, services
from concierge.surveys.choices import (
    CHOICE_KINDS,
    SCORED_KINDS,
    InvitationSource,
    InvitationStatus,
    QuestionKind,
    RunStatus,
    SurveyKind,
    SurveyStatus,
)
from concierge.surveys.filters import ResponseFilterSet, SurveyFilterSet
from concierge.surveys.forms import (
    AnswerForm,
    AudienceForm,
    ChoiceFormSet,
    MarkerForm,
    PreferenceFromAnswerForm,
    QuestionForm,
    ResultsFilterForm,
    SurveyForm,
    TriggerForm,
)
from concierge.surveys.models import Answer, Question, Response, Survey, SurveyMarker, SurveyRun, SurveyTrigger
from concierge.surveys.permissions import can_manage_surveys
from concierge.web.helpers import apply_service_errors, client_ip, get_visible_or_404, paginate, render_page_or_partial

PAGE_SIZE = 25
LANGUAGES = ("zh-hans", "en")


def _survey_for(request: HttpRequest, pk: int, *, manage: bool = False) -> Survey:
    """The one place survey pages fetch a survey: visible to the user (else 404); builders only if `manage`."""
    survey = get_visible_or_404(Survey.objects.select_related("property"), request.user, pk)
    if manage and not can_manage_surveys(request.user):
        raise PermissionDenied
    return survey


def _htmx_target(request: HttpRequest) -> str:
    htmx = getattr(request, "htmx", None)
    return (htmx.target or "") if htmx else ""


def _tab_context(request: HttpRequest, survey: Survey, tab: str) -> dict[str, Any]:
    return {"survey": survey, "tab": tab, "can_manage": can_manage_surveys(request.user)}


# --- list, create, edit ---------------------------------------------------------------------------------------


@login_required
@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    filterset = SurveyFilterSet(request.GET or None, queryset=selectors.surveys_for(request.user), request=request)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = paginate(request, rows.order_by("status", "-created_at"), per_page=PAGE_SIZE)
    context = {"filter": filterset, "page": page, "can_manage": can_manage_surveys(request.user)}
    return render_page_or_partial(request, "surveys/survey_list.html", "surveys/partials/survey_table.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest) -> HttpResponse:
    if not can_manage_surveys(request.user):
        raise PermissionDenied
    form = SurveyForm(request.POST or None, user=request.user,
                      initial={"kind": request.GET.get("kind") or SurveyKind.POST_STAY})
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Survey created. Add its questions."))
            return redirect("surveys:survey_detail", pk=survey.pk)
    return render(request, "surveys/survey_form.html", {"form": form, "survey": None})


@login_required
@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk, manage=True)
    form = SurveyForm(request.POST or None, user=request.user, instance=Survey.objects.get(pk=survey.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update(actor=request.user, survey=survey, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Survey saved."))
            return redirect("surveys:survey_detail", pk=survey.pk)
    return render(request, "surveys/survey_form.html", {"form": form, **_tab_context(request, survey, "build")})


@login_required
@require_POST
def survey_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Activate, close or reopen a survey (one button on the builder)."""
    survey = _survey_for(request, pk, manage=True)
    status = request.POST.get("status", "")
    if status not in SurveyStatus.values:
        return HttpResponse(status=400)
    try:
        services.survey_update(actor=request.user, survey=survey, status=status)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Survey is now %(status)s.") % {"status": SurveyStatus(status).label})
    return redirect("surveys:survey_detail", pk=survey.pk)


# --- builder --------------------------------------------------------------------------------------------------


def _questions(survey: Survey) -> list[Question]:
    return list(survey.questions.select_related("depends_on").prefetch_related("choices").order_by("position", "id"))


@login_required
@require_GET
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The builder: questions with their conditions, post-stay triggers, and the survey's texts."""
    survey = _survey_for(request, pk)
    triggers = SurveyTrigger.objects.visible_to(request.user).filter(survey=survey).select_related("property")
    context = {
        **_tab_context(request, survey, "build"),
        "questions": _questions(survey),
        "triggers": triggers,
        "trigger_form": TriggerForm(user=request.user, survey=survey) if survey.kind == SurveyKind.POST_STAY else None,
        "question_form": QuestionForm(survey=survey),
        "choice_formset": ChoiceFormSet(prefix="choices"),
        "counts": selectors.invitation_counts(user=request.user, survey=survey),
        "statuses": InvitationStatus.choices,
        "runs": SurveyRun.objects.filter(survey=survey).order_by("-scheduled_for")[:10],
    }
    return render(request, "surveys/survey_detail.html", context)


def _choice_specs(formset: Any) -> list[services.ChoiceSpec]:
    return [
        {"id": f.cleaned_data.get("id"), "label_zh": f.cleaned_data.get("label_zh", ""),
         "label_en": f.cleaned_data.get("label_en", ""), "is_negative": f.cleaned_data.get("is_negative", False)}
        for f in formset.forms if f.cleaned_data
    ]


def _question_values(form: QuestionForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    if data.get("kind") != QuestionKind.DEPARTMENT and not data.get("department"):
        data["department"] = ""
    return data


def _question_form_response(request: HttpRequest, survey: Survey, form: QuestionForm, formset: Any,
                            question: Question | None) -> HttpResponse:
    """The question form (with its errors): the partial for htmx (swapped in place, so 200), else the page."""
    context = {**_tab_context(request, survey, "build"), "question_form": form, "choice_formset": formset,
               "question": question}
    return render_page_or_partial(request, "surveys/question_form.html", "surveys/partials/question_form.html",
                                  context)


def _builder_refresh(request: HttpRequest, survey: Survey) -> HttpResponse:
    """After a change: the question list partial for htmx, the builder page otherwise."""
    if getattr(request, "htmx", None):
        context = {**_tab_context(request, survey, "build"), "questions": _questions(survey),
                   "question_form": QuestionForm(survey=survey), "choice_formset": ChoiceFormSet(prefix="choices")}
        response = render(request, "surveys/partials/builder.html", context)
        # The request may come from a question form (which targets itself): swap the whole builder instead.
        response["HX-Retarget"] = "#builder"
        response["HX-Reswap"] = "outerHTML"
        return response
    return redirect("surveys:survey_detail", pk=survey.pk)


@login_required
@require_http_methods(["GET", "POST"])
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk, manage=True)
    form = QuestionForm(request.POST or None, survey=survey)
    formset = ChoiceFormSet(request.POST or None, prefix="choices")
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                services.question_create(actor=request.user, survey=survey, choices=_choice_specs(formset),
                                         **_question_values(form))
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                return _builder_refresh(request, survey)
    return _question_form_response(request, survey, form, formset, None)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_for(request, pk)
    survey = question.survey
    form = QuestionForm(request.POST or None, survey=survey, instance=question)
    initial = [{"id": c.pk, "label_zh": c.label_zh, "label_en": c.label_en, "is_negative": c.is_negative}
               for c in question.choices.all()]
    formset = ChoiceFormSet(request.POST or None, prefix="choices", initial=initial)
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                services.question_update(
                    actor=request.user, question=question,
                    choices=_choice_specs(formset) if form.cleaned_data["kind"] in CHOICE_KINDS else None,
                    **_question_values(form))
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                return _builder_refresh(request, survey)
    return _question_form_response(request, survey, form, formset, question)


def _question_for(request: HttpRequest, pk: int) -> Question:
    """A question of a survey the user may build (404 if the survey is not visible)."""
    question = Question.objects.select_related("survey").filter(pk=pk).first()
    if question is None:
        raise Http404
    _survey_for(request, question.survey_id, manage=True)
    return question


@login_required
@require_POST
def question_remove(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_for(request, pk)
    try:
        deleted = services.question_remove(actor=request.user, question=question)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Question deleted.") if deleted else
                         _("Question retired: it is no longer asked, its answers stay in the results."))
    return _builder_refresh(request, question.survey)


@login_required
@require_POST
def question_move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    question = _question_for(request, pk)
    try:
        services.question_move(actor=request.user, question=question, offset=-1 if direction == "up" else 1)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return _builder_refresh(request, question.survey)


@login_required
@require_POST
def trigger_save(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk, manage=True)
    form = TriggerForm(request.POST, user=request.user, survey=survey)
    if form.is_valid():
        try:
            services.trigger_set(actor=request.user, survey=survey, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Post-stay sending saved."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(reverse("surveys:survey_detail", args=[survey.pk]) + "#triggers")


@login_required
@require_POST
def trigger_remove(request: HttpRequest, pk: int) -> HttpResponse:
    trigger = get_visible_or_404(SurveyTrigger.objects.select_related("survey"), request.user, pk)
    _survey_for(request, trigger.survey_id, manage=True)
    services.trigger_remove(actor=request.user, trigger=trigger)
    return redirect(reverse("surveys:survey_detail", args=[trigger.survey_id]) + "#triggers")


@login_required
@require_http_methods(["GET", "POST"])
def survey_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The guest's page in either language; submitting checks the answers (conditions included) but saves nothing."""
    survey = _survey_for(request, pk)
    language = request.GET.get("lang") if request.GET.get("lang") in LANGUAGES else "zh-hans"
    questions = selectors.survey_questions(survey)
    form = AnswerForm(request.POST or None, questions=questions, language=language)
    checked = request.method == "POST" and form.is_valid()
    with translation.override(language):
        return render(request, "surveys/public/answer.html", {
            "survey": survey, "form": form, "items": form.items(), "language": language, "preview": True,
            "preview_ok": checked, "title": survey.title_in(language),
            "intro": survey.intro_en if language == "en" else survey.intro_zh,
            "other_language": "en" if language == "zh-hans" else "zh-hans",
        })


# --- sending --------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def survey_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send to an audience (now, later, or repeating) or to one guest."""
    survey = _survey_for(request, pk, manage=True)
    form = AudienceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = services.survey_run_schedule(
                actor=request.user, survey=survey, audience=form.audience(), scheduled_for=data.get("scheduled_for"),
                repeat_days=data.get("repeat_days"), cooldown_days=data["cooldown_days"], label=data.get("label", ""))
            if run.scheduled_for <= timezone.now():
                services.survey_runs_execute_due()
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            run.refresh_from_db()
            if run.status == RunStatus.DONE:
                messages.success(request, _("%(invited)s guests invited, %(skipped)s skipped (no email consent, "
                                            "no address or surveyed recently).") % {
                    "invited": run.invited, "skipped": run.skipped})
            else:
                messages.success(request, _("Sending scheduled for %(when)s.") % {
                    "when": timezone.localtime(run.scheduled_for).strftime("%Y-%m-%d %H:%M")})
            return redirect("surveys:survey_send", pk=survey.pk)
    context = {**_tab_context(request, survey, "send"), "form": form,
               "runs": SurveyRun.objects.filter(survey=survey).select_related("created_by")[:20]}
    return render(request, "surveys/send.html", context)


@login_required
@require_GET
def audience_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """How many guests an audience holds and how many of them would be invited (htmx)."""
    survey = _survey_for(request, pk, manage=True)
    form = AudienceForm(request.GET, user=request.user)
    context: dict[str, Any] = {"survey": survey, "form": form}
    if form.is_valid():
        guests = selectors.audience_guests(user=request.user, audience=form.audience())
        since = timezone.now() - dt.timedelta(days=form.cleaned_data["cooldown_days"] or 0)
        context["total"] = guests.count()
        context["reachable"] = selectors.reachable_guests(
            Guest.objects.filter(pk__in=guests.values("pk")),
            since=since if form.cleaned_data["cooldown_days"] else None).count()
    return render(request, "surveys/partials/audience_preview.html", context)


@login_required
@require_GET
def guest_lookup(request: HttpRequest, pk: int) -> HttpResponse:
    """Find one guest to send the survey to (the check-in search), with their email consent in force."""
    survey = _survey_for(request, pk, manage=True)
    query = (request.GET.get("q") or "").strip()
    hits = recognition_search(user=request.user, query=query, limit=10) if len(query) >= 2 else []
    guest_ids = [h.id for h in hits if h.kind == "guest"]
    consented = selectors.email_consent_in_force(guest_ids)
    guests = {g.pk: g for g in Guest.objects.filter(pk__in=guest_ids)}
    rows = [{"guest": guests[i], "consent": i in consented} for i in guest_ids if i in guests]
    return render(request, "surveys/partials/guest_lookup.html", {"survey": survey, "rows": rows, "query": query})


@login_required
@require_POST
def send_to_guest(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk, manage=True)
    guest = get_visible_or_404(Guest, request.user, request.POST.get("guest"))
    stay = None
    if request.POST.get("stay"):
        stay = get_visible_or_404(Stay, request.user, request.POST.get("stay"))
    try:
        services.invitation_create(actor=request.user, survey=survey, guest=guest, stay=stay,
                                   source=InvitationSource.MANUAL)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Survey sent to %(guest)s.") % {"guest": guest})
    return redirect("surveys:survey_send", pk=survey.pk)


@login_required
@require_GET
def invitation_list(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk)
    invitations = selectors.invitations_for(user=request.user, survey=survey)
    status = request.GET.get("status")
    if status in InvitationStatus.values:
        invitations = invitations.filter(status=status)
    context = {**_tab_context(request, survey, "invitations"), "page": paginate(request, invitations),
               "counts": selectors.invitation_counts(user=request.user, survey=survey), "status": status,
               "statuses": InvitationStatus.choices}
    return render_page_or_partial(request, "surveys/invitation_list.html", "surveys/partials/invitation_table.html",
                                  context)


@login_required
@require_POST
def invitations_retry(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk, manage=True)
    count = services.invitations_retry_failed(actor=request.user, survey=survey)
    messages.success(request, _("%(count)s failed invitations queued again.") % {"count": count})
    return redirect("surveys:invitation_list", pk=survey.pk)


# --- results --------------------------------------------------------------------------------------------------


def _results(request: HttpRequest, survey: Survey) -> tuple[ResultsFilterForm, selectors.SurveyResults]:
    form = ResultsFilterForm(request.GET or None, user=request.user)
    date_from, date_to = form.period()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    marker = data.get("marker")
    pivot, label = data.get("pivot"), ""
    if marker is not None and pivot is None:
        pivot, label = marker.date, marker.label
    department = data.get("department") or ""
    if pivot is None and not form.is_bound:
        # By default compare around the newest change marker of this survey's scope.
        default = selectors.markers_for(user=request.user, survey=survey).first()
        if default is not None:
            pivot, label, department = default.date, default.label, default.department
    results = selectors.survey_results(
        survey=survey, user=request.user, date_from=date_from, date_to=date_to, property=data.get("property"),
        pivot=pivot, pivot_label=label, window_days=data.get("window_days") or 120, department=department)
    return form, results


@login_required
@require_GET
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk)
    form, results = _results(request, survey)
    context = {**_tab_context(request, survey, "results"), "form": form, "results": results,
               "charts": _chart_data(results)}
    return render(request, "surveys/results.html", context)


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _chart_data(results: selectors.SurveyResults) -> dict[str, Any]:
    """The numbers the ECharts on the results page plot (json_script'ed)."""
    data: dict[str, Any] = {
        "months": [m.month.strftime("%Y-%m") for m in results.months],
        "nps": [_round(m.nps.score) for m in results.months],
        "nps_low": [_round(m.nps.low) for m in results.months],
        "nps_high": [_round(m.nps.high) for m in results.months],
        "csat": [_round(m.csat.rate) for m in results.months],
        "answers": [m.nps.n or m.csat.n for m in results.months],
        "properties": [{"code": p.property.code, "name": str(p.property),
                        "nps": [_round(m.nps.score) for m in p.months],
                        "csat": [_round(m.csat.rate) for m in p.months]} for p in results.properties],
        "departments": [{"label": d.label, "csat": _round(d.csat.rate), "low": _round(d.csat.low),
                         "high": _round(d.csat.high), "n": d.n} for d in results.departments],
    }
    ba = results.before_after
    if ba is not None:
        labels = {row.department: row.label for row in ba.rows}
        data["before_after"] = {
            "pivot": ba.pivot.strftime("%Y-%m"), "pivot_date": ba.pivot.isoformat(), "label": ba.label,
            "months": [m.strftime("%Y-%m") for m in ba.months],
            "series": [{"name": labels.get(code, code), "data": [_round(v) for v in values]}
                       for code, values in ba.series.items()],
            "bars": [{"label": row.label, "before": _round(row.before.rate), "after": _round(row.after.rate),
                      "before_ci": [_round(row.before.low), _round(row.before.high)],
                      "after_ci": [_round(row.after.low), _round(row.after.high)],
                      "n_before": row.before.n, "n_after": row.after.n} for row in ba.rows],
        }
    return data


def _csv_response(filename: str, rows: Iterator[list[Any]]) -> StreamingHttpResponse:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    response = StreamingHttpResponse(("\ufeff" if i == 0 else "") + writer.writerow(row)
                                     for i, row in enumerate(rows))
    response["Content-Type"] = "text/csv; charset=utf-8"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def results_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The aggregates of the results page (per question, department, month, property) as CSV."""
    survey = _survey_for(request, pk)
    _form, results = _results(request, survey)
    # Aggregates only, but audited like every other download (before the first byte).
    audit_record(actor=request.user, action=AuditAction.EXPORT, field="survey_results",
                 detail=f"survey #{survey.pk} {survey.name}", ip_address=client_ip(request))

    def rows() -> Iterator[list[Any]]:
        yield [_("section"), _("item"), _("answers"), _("mean"), _("CSAT %"), _("NPS"), _("low (95%)"),
               _("high (95%)")]
        yield [_("Survey"), survey.name, results.responses, "", _round(results.csat.rate),
               _round(results.nps.score), _round(results.nps.low), _round(results.nps.high)]
        yield [_("Response rate"), f"{results.response_rate.k}/{results.response_rate.n}", results.invited, "",
               _round(results.response_rate.rate), "", _round(results.response_rate.low),
               _round(results.response_rate.high)]
        for q in results.questions:
            stat = q.nps or q.csat
            yield [_("Question"), str(q.question), q.n, _round(q.mean, 2), _round(q.csat.rate) if q.csat else "",
                   _round(q.nps.score) if q.nps else "", _round(stat.low) if stat else "",
                   _round(stat.high) if stat else ""]
        for d in results.departments:
            yield [_("Department"), d.label, d.n, _round(d.mean, 2), _round(d.csat.rate), "", _round(d.csat.low),
                   _round(d.csat.high)]
        for m in results.months:
            yield [_("Month"), m.month.strftime("%Y-%m"), m.nps.n, "", _round(m.csat.rate), _round(m.nps.score),
                   _round(m.nps.low), _round(m.nps.high)]
        for p in results.properties:
            yield [_("Property"), p.property.code, p.responses, "", _round(p.csat.rate), _round(p.nps.score),
                   _round(p.nps.low), _round(p.nps.high)]

    return _csv_response(f"survey-{survey.pk}-results.csv", rows())


# --- responses ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def response_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Responses (newest first) with the open-text answers and the guest one click away."""
    survey = _survey_for(request, pk)
    filterset = ResponseFilterSet(request.GET or None, request=request,
                                  queryset=selectors.responses_for(user=request.user, survey=survey))
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    rows = rows.prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("question")
                                          .prefetch_related("choices").order_by("question__position")))
    context = {**_tab_context(request, survey, "responses"), "filter": filterset, "page": paginate(request, rows),
               "preference_form": PreferenceFromAnswerForm()}
    return render_page_or_partial(request, "surveys/response_list.html", "surveys/partials/response_table.html",
                                  context)


@login_required
@require_GET
def responses_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Every visible response as one row, a column per question (guest names included: the export is audited)."""
    survey = _survey_for(request, pk)
    filterset = ResponseFilterSet(request.GET or None, request=request,
                                  queryset=selectors.responses_for(user=request.user, survey=survey))
    responses = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    questions = list(survey.questions.order_by("position", "id"))
    audit_record(actor=request.user, action=AuditAction.EXPORT, field="survey_responses",
                 detail=f"survey {survey.pk}: {survey.name}", ip_address=client_ip(request))

    def rows() -> Iterator[list[Any]]:
        yield [_("response"), _("submitted"), _("guest id"), _("guest"), _("property"), _("stay departure"),
               _("language"), _("low score")] + [q.text_en or q.text_zh for q in questions]
        batch = responses.order_by("-submitted_at", "-id").prefetch_related(
            Prefetch("answers", queryset=Answer.objects.prefetch_related("choices")))
        for response in batch.iterator(chunk_size=500):
            by_question = {a.question_id: a for a in response.answers.all()}
            cells = []
            for q in questions:
                answer = by_question.get(q.pk)
                if answer is None:
                    cells.append("")
                elif q.kind in SCORED_KINDS:
                    cells.append(answer.score)
                elif q.kind in CHOICE_KINDS:
                    cells.append("; ".join(c.label_en or c.label_zh for c in answer.choices.all()))
                else:
                    cells.append(answer.text)
            yield [response.pk, timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M"),
                   response.guest_id or "", response.guest.display_name if response.guest else "",
                   response.property.code if response.property else "",
                   response.stay.departure.isoformat() if response.stay else "", response.language,
                   "1" if response.is_negative else "0", *cells]

    return _csv_response(f"survey-{survey.pk}-responses.csv", rows())


def _response_for(request: HttpRequest, pk: int) -> Response:
    return get_visible_or_404(Response.objects.select_related("survey", "guest", "property", "stay", "alert"),
                              request.user, pk)


@login_required
@require_GET
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    response = _response_for(request, pk)
    answers = list(response.answers.select_related("question", "preference").prefetch_related("choices")
                   .order_by("question__position"))
    context = {**_tab_context(request, response.survey, "responses"), "response": response, "answers": answers,
               "preference_form": PreferenceFromAnswerForm(), "case_url": _case_url(response.case_id)}
    return render(request, "surveys/response_detail.html", context)


def _case_url(case_id: int | None) -> str:
    """The service centre's page for a case, when that module has one."""
    if not case_id:
        return ""
    for name in ("cases:case_detail", "web:case_detail"):
        try:
            return reverse(name, args=[case_id])
        except Exception:  # noqa: BLE001 - NoReverseMatch or an unknown namespace: the module is not there (yet)
            continue
    return ""


@login_required
@require_POST
def answer_preference(request: HttpRequest, pk: int) -> HttpResponse:
    """Save an answer as a preference on the guest's profile (one click; htmx swaps the button)."""
    answer = Answer.objects.select_related("response", "question").filter(pk=pk).first()
    if answer is None:
        raise Http404
    _response_for(request, answer.response_id)
    form = PreferenceFromAnswerForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.answer_save_preference(actor=request.user, answer=answer, **form.cleaned_data)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(m for errors in form.errors.values() for m in errors)
    if getattr(request, "htmx", None):
        return render(request, "surveys/partials/answer_preference.html",
                      {"answer": answer, "preference_form": form, "error": error}, status=422 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Saved to the guest's preferences."))
    return redirect("surveys:response_detail", pk=answer.response_id)


# --- change markers -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def marker_list(request: HttpRequest) -> HttpResponse:
    form = MarkerForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not can_manage_surveys(request.user):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.marker_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Change recorded."))
                return redirect("surveys:marker_list")
    markers = SurveyMarker.objects.visible_to(request.user).select_related("property", "created_by")
    return render(request, "surveys/marker_list.html", {"form": form, "markers": markers,
                                                        "can_manage": can_manage_surveys(request.user)})


@login_required
@require_POST
def marker_remove(request: HttpRequest, pk: int) -> HttpResponse:
    marker = get_visible_or_404(SurveyMarker, request.user, pk)
    if not can_manage_surveys(request.user):
        raise PermissionDenied
    services.marker_remove(actor=request.user, marker=marker)
    return redirect("surveys:marker_list")

