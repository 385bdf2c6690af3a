"""Journey pages under /journeys/ (namespace "journeys"): list with enable toggle, editor with steps (htmx), message
preview, "run now" and the run history with per-guest events.

Every page fetches its journey through `_journey_for` (role check + property scoping in one place).
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.guests.services import StaleVersionError
from concierge.journeys import services, triggers
from concierge.journeys.choices import RunState, StepKind
from concierge.journeys.forms import JourneyForm, StepForm
from concierge.journeys.models import Journey, JourneyRun, JourneyRunEvent, JourneyStep
from concierge.journeys.permissions import can_manage_journeys, can_run_now
from concierge.web.helpers import apply_service_errors, get_visible_or_404, paginate, render_page_or_partial

PAGE_SIZE = 25


def _require(request: HttpRequest) -> None:
    if not can_manage_journeys(request.user):
        raise PermissionDenied(_("Your role cannot use journeys."))


def _journey_for(request: HttpRequest, pk: int) -> Journey:
    """The one place journey pages fetch a journey: the role, then property scoping (404 if not visible)."""
    _require(request)
    return get_visible_or_404(Journey, request.user, pk)


def _with_counts(qs: Any) -> Any:
    return qs.annotate(
        active_runs=Count("runs", filter=Q(runs__state__in=[RunState.ACTIVE, RunState.WAITING])),
        completed_runs=Count("runs", filter=Q(runs__state=RunState.COMPLETED)),
    )


@login_required
@require_GET
def journey_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    rows = _with_counts(Journey.objects.visible_to(request.user).select_related("segment", "property")).order_by(
        "name", "id")
    page = paginate(request, rows, per_page=PAGE_SIZE)
    context = {"page": page, "can_run_now": can_run_now(request.user)}
    return render_page_or_partial(request, "journeys/journey_list.html", "journeys/partials/journey_table.html",
                                  context)


@login_required
@require_POST
def journey_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    journey = _journey_for(request, pk)
    try:
        services.journey_set_enabled(actor=request.user, journey=journey, enabled=not journey.enabled)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if getattr(request, "htmx", None):
        row = _with_counts(Journey.objects.filter(pk=journey.pk)).select_related("segment", "property").get()
        return render(request, "journeys/partials/journey_row.html",
                      {"journey": row, "can_run_now": can_run_now(request.user)})
    return redirect("journeys:journey_list")


@login_required
@require_POST
def journey_run_now(request: HttpRequest, pk: int) -> HttpResponse:
    journey = _journey_for(request, pk)
    if not can_run_now(request.user):
        raise PermissionDenied(_("Only managers can run journeys on demand."))
    from concierge.journeys.tasks import evaluate_journeys

    evaluate_journeys.delay(journey_ids=[journey.pk])
    messages.success(request, _("The journey is being evaluated; new runs appear in its history shortly."))
    return redirect("journeys:journey_detail", pk=journey.pk)


def _form_page(request: HttpRequest, journey: Journey | None) -> HttpResponse:
    form = JourneyForm(request.POST or None, instance=journey, user=request.user)
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        instance.trigger_params = form.trigger_params()
        version = request.POST.get("version")
        try:
            saved = services.journey_save(actor=request.user, journey=instance,
                                          expected_version=int(version) if (version or "").isdigit() else None)
        except StaleVersionError as exc:
            form.add_error(None, exc.messages[0])
        except ValidationError as exc:
            apply_service_errors(form, exc, field_map={name: f"p_{name}" for name in (
                "days", "hours", "months", "window_days", "direction")})
        else:
            messages.success(request, _("Journey saved."))
            return redirect("journeys:journey_detail", pk=saved.pk)
    return render(request, "journeys/journey_form.html", {"form": form, "journey": journey})


@login_required
@require_http_methods(["GET", "POST"])
def journey_create(request: HttpRequest) -> HttpResponse:
    _require(request)
    return _form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def journey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, _journey_for(request, pk))


@login_required
@require_GET
def trigger_params(request: HttpRequest) -> HttpResponse:
    """htmx: the settings fields of the trigger chosen in the editor."""
    _require(request)
    form = JourneyForm(user=request.user)
    form.instance.trigger_kind = request.GET.get("trigger_kind") or ""
    unavailable = triggers.REGISTRY[form.trigger_kind_value()].unavailable() \
        if form.trigger_kind_value() in triggers.REGISTRY else ""
    return render(request, "journeys/partials/trigger_params.html", {"form": form, "unavailable": unavailable})


def _steps_context(journey: Journey, step_form: StepForm | None = None) -> dict[str, Any]:
    return {"journey": journey, "steps": list(journey.steps.order_by("position", "id")),
            "step_form": step_form or StepForm(), "step_kinds": StepKind.choices}


@login_required
@require_GET
def journey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    journey = _journey_for(request, pk)
    counts = dict(journey.runs.values_list("state").annotate(n=Count("id")).order_by())
    context = {**_steps_context(journey), "counts": counts, "trigger": triggers.describe(journey),
               "unavailable": triggers.REGISTRY[journey.trigger_kind].unavailable(),
               "can_run_now": can_run_now(request.user)}
    return render(request, "journeys/journey_detail.html", context)


@login_required
@require_POST
def step_add(request: HttpRequest, pk: int) -> HttpResponse:
    journey = _journey_for(request, pk)
    form = StepForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            services.step_add(actor=request.user, journey=journey, kind=form.cleaned_data["kind"],
                              params=dict(request.POST.items()))
        except ValidationError as exc:
            apply_service_errors(form, exc)
            status = 400
        else:
            form = StepForm()
    else:
        status = 400
    if not getattr(request, "htmx", None) and status == 200:
        return redirect("journeys:journey_detail", pk=journey.pk)
    return render(request, "journeys/partials/steps.html", _steps_context(journey, form), status=status)


def _step_for(request: HttpRequest, pk: int, step_pk: int) -> JourneyStep:
    journey = _journey_for(request, pk)
    step = journey.steps.filter(pk=step_pk).first()
    if step is None:
        from django.http import Http404

        raise Http404(_("step"))
    return step


@login_required
@require_POST
def step_remove(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    step = _step_for(request, pk, step_pk)
    services.step_remove(actor=request.user, step=step)
    if not getattr(request, "htmx", None):
        return redirect("journeys:journey_detail", pk=pk)
    return render(request, "journeys/partials/steps.html", _steps_context(step.journey))


@login_required
@require_POST
def step_move(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    step = _step_for(request, pk, step_pk)
    services.step_move(actor=request.user, step=step, offset=-1 if request.POST.get("direction") == "up" else 1)
    if not getattr(request, "htmx", None):
        return redirect("journeys:journey_detail", pk=pk)
    return render(request, "journeys/partials/steps.html", _steps_context(step.journey))


@login_required
@require_GET
def step_preview(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    """Render a send-message step for one guest (by id) with the messaging preview; sends nothing."""
    from concierge.guests.models import Guest
    from concierge.messaging.services import preview_message

    step = _step_for(request, pk, step_pk)
    context: dict[str, Any] = {"step": step, "journey": step.journey}
    guest_id = (request.GET.get("guest") or "").strip()
    if step.kind != StepKind.SEND_MESSAGE:
        context["error"] = _("Only message steps have a preview.")
    elif not guest_id.isdigit():
        context["error"] = _("Enter the number of a guest to preview for.")
    else:
        guest = Guest.objects.visible_to(request.user).filter(pk=int(guest_id)).first()
        if guest is None:
            context["error"] = _("No guest with this number that you may see.")
        else:
            try:
                context["preview"] = preview_message(
                    guest=guest, template_code=step.params.get("template_code"), channel=step.params.get("channel"),
                    context={"survey_url": "https://example.com/s/…"} if step.params.get("survey_id") else None)
                context["guest"] = guest
            except ValidationError as exc:
                context["error"] = " ".join(exc.messages)
    return render(request, "journeys/partials/preview.html", context)


@login_required
@require_GET
def journey_runs(request: HttpRequest, pk: int) -> HttpResponse:
    """The run history of a journey: who was enrolled for which occurrence, and what each step did."""
    journey = _journey_for(request, pk)
    runs = (JourneyRun.objects.visible_to(request.user).filter(journey=journey)
            .select_related("guest", "company", "property")
            .prefetch_related(Prefetch("events", queryset=JourneyRunEvent.objects.select_related("message", "task")))
            .order_by("-enrolled_at", "-id"))
    state = request.GET.get("state") or ""
    if state in RunState.values:
        runs = runs.filter(state=state)
    query = (request.GET.get("q") or "").strip()
    if query:
        if query.isdigit():
            runs = runs.filter(Q(guest_id=int(query)) | Q(occurrence_key__contains=query))
        else:
            runs = runs.filter(Q(guest__family_name__icontains=query) | Q(guest__given_name__icontains=query)
                               | Q(guest__family_name_latin__icontains=query)
                               | Q(guest__given_name_latin__icontains=query))
    page = paginate(request, runs, per_page=PAGE_SIZE)
    context = {"journey": journey, "page": page, "state": state, "query": query, "states": RunState.choices}
    return render_page_or_partial(request, "journeys/journey_runs.html", "journeys/partials/run_table.html", context)
