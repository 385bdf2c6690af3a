"""Guest pages: list, create, edit, the profile with its card and tabs, and the small htmx actions on it."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from concierge.core.choices import AuditAction
from concierge.core.services import audit_record
from concierge.dedupe.selectors import merged_from
from concierge.dedupe.services import Candidate, duplicate_warning_override, guest_duplicate_candidates
from concierge.guests.filters import GuestFilterSet
from concierge.guests.models import Alert, Guest, GuestProperty, IdentityDocument, Preference, Tag
from concierge.guests.selectors import guest_card, last_contact, resolve_guest, timeline
from concierge.guests.services import (
    StaleVersionError,
    alert_add as alert_add_service,
    alert_deactivate,
    guest_create as guest_create_service,
    guest_tags_set,
    guest_update,
    interaction_log,
    preference_add as preference_add_service,
    preference_deactivate,
)
from concierge.stays.models import Stay
from concierge.web.audit import guest_audit_trail
from concierge.web.forms import (
    AlertForm,
    GuestCreateForm,
    GuestEditForm,
    InteractionForm,
    PreferenceForm,
    owners_for,
)
from concierge.web.helpers import apply_service_errors, client_ip, get_visible_or_404, paginate, render_page_or_partial
from concierge.web.permissions import can_reveal_id
from concierge.web.tables import GuestTable

TABS = ("timeline", "stays", "preferences", "audit")
TAB_TARGET = "guest-tab"
PREFS_TARGET = "guest-prefs-panel"


def _htmx_target(request: HttpRequest) -> str:
    htmx = getattr(request, "htmx", None)
    return (htmx.target or "") if htmx else ""


def _guest_or_404(request: HttpRequest, pk: int) -> Guest:
    return get_visible_or_404(Guest, request.user, pk)


# --- list, create, edit --------------------------------------------------------------------------------------


@login_required
def guest_list(request: HttpRequest) -> HttpResponse:
    """Filterable, sortable, paginated guest list (25 a page); htmx filter changes swap only the table.

    Filtering uses the shared GuestFilterSet (same as the API). With a search and no chosen sort,
    rows keep the recognition search's ranking.
    """
    queryset = Guest.objects.visible_to(request.user).live().select_related("company", "owner")
    filterset = GuestFilterSet(request.GET or None, queryset=queryset, request=request)
    filterset.filters["owner"].queryset = owners_for(request.user)  # colleagues, not every user of the group
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    searching = bool(filterset.is_bound and filterset.form.cleaned_data.get("search"))
    table = GuestTable(rows, order_by=None if searching and not request.GET.get("sort") else GuestTable.Meta.order_by)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    context = {"filter": filterset, "table": table, "tags": Tag.objects.values_list("name", flat=True)[:200]}
    return render_page_or_partial(request, "web/guests/list.html", "web/partials/guest_table.html", context)


def _with_card_details(candidates: list[Candidate]) -> list[Candidate]:
    """Load what the warning shows of each match (masked ID, properties) in two queries."""
    prefetch_related_objects(
        [c.guest for c in candidates], "documents",
        Prefetch("property_links", queryset=GuestProperty.objects.select_related("property")),
    )
    for candidate in candidates:
        candidate.percent = int(candidate.score * 100)  # type: ignore[attr-defined]
    return candidates


@login_required
def guest_create(request: HttpRequest) -> HttpResponse:
    """New guest profile held by one of the user's properties, with an optional first ID document.

    The submitted values are first checked against existing profiles the user may see. Likely matches
    (at or above the review threshold) are shown with their score and the reasons; the user opens one of
    them or confirms "Create anyway", which is audited and noted on the new profile's timeline. A
    confirmation covers only the matches that were shown: a new one (after editing) is shown again.
    """
    form = GuestCreateForm(request.POST or None, user=request.user)
    duplicates: list[Candidate] = []
    if request.method == "POST" and form.is_valid():
        duplicates = guest_duplicate_candidates(user=request.user, values=form.duplicate_check_values())
        confirmed = bool(request.POST.get("create_anyway"))
        unseen = [c for c in duplicates if c.guest.pk not in form.cleaned_data["duplicates_seen"]]
        if not duplicates or (confirmed and not unseen):
            try:
                with transaction.atomic():
                    guest = guest_create_service(
                        actor=request.user, property=form.cleaned_data["property"], tags=form.cleaned_data["tags"],
                        id_documents=form.id_documents(), **form.guest_values(),
                    )
                    if duplicates:
                        duplicate_warning_override(actor=request.user, guest=guest,
                                                   candidate_ids=[c.guest.pk for c in duplicates],
                                                   ip_address=client_ip(request))
            except ValidationError as exc:
                apply_service_errors(form, exc)
                duplicates = []
            else:
                messages.success(request, _("Guest profile created."))
                return redirect("web:guest_detail", pk=guest.pk)
    context = {"form": form, "is_create": True, "duplicates": _with_card_details(duplicates),
               "duplicate_ids": ",".join(str(c.guest.pk) for c in duplicates)}
    return render(request, "web/guests/form.html", context)


@login_required
def guest_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a profile. The hidden `version` makes a concurrent edit fail loudly instead of being overwritten."""
    guest = _guest_or_404(request, pk)
    form = GuestEditForm(request.POST or None, user=request.user, initial=GuestEditForm.initial_for(guest))
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            updated = guest_update(
                actor=request.user, guest=guest, expected_version=form.cleaned_data["version"], **form.guest_values()
            )
            guest_tags_set(guest=updated, names=form.cleaned_data["tags"])
        except StaleVersionError as exc:
            conflict = True
            for message in exc.messages:
                form.add_error(None, message)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Guest profile saved."))
            return redirect("web:guest_detail", pk=updated.pk)
    return render(request, "web/guests/form.html", {"form": form, "guest": guest, "is_create": False,
                                                     "conflict": conflict})


# --- profile -------------------------------------------------------------------------------------------------


def _tab_context(request: HttpRequest, guest: Guest, tab: str) -> dict[str, Any]:
    user = request.user
    if tab == "timeline":
        return {
            "timeline_page": paginate(request, timeline(user=user, guest=guest), per_page=20),
            "interaction_form": InteractionForm(),
        }
    if tab == "stays":
        stays = Stay.objects.visible_to(user).filter(guest=guest).select_related("property", "company")
        return {"stays_page": paginate(request, stays, per_page=20)}
    if tab == "audit":
        return {"audit_page": Paginator(guest_audit_trail(guest=guest), 25).get_page(request.GET.get("page"))}
    return {"preference_form": PreferenceForm(), "alert_form": AlertForm()}


def _card_context(request: HttpRequest, guest: Guest, **extra: Any) -> dict[str, Any]:
    return {
        "guest": guest, "card": guest_card(guest=guest, user=request.user), "can_reveal": can_reveal_id(request.user),
        "revealed": {}, "merged_from": list(merged_from(guest=guest)), **extra,
    }


@login_required
def guest_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The guest card on top and tabs below (timeline, stays, preferences & alerts, audit).

    An htmx request aimed at the tab pane gets only that tab's partial.
    """
    try:
        guest = resolve_guest(pk, request.user)  # a merged profile's id gives its survivor
    except Guest.DoesNotExist:
        raise Http404(_("guest")) from None
    if guest.pk != pk:
        messages.info(request, _("Profile #%(old)s was merged into this profile; you are seeing the surviving "
                                 "profile.") % {"old": pk})
        return redirect("web:guest_detail", pk=guest.pk)
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "timeline"
    if _htmx_target(request) == TAB_TARGET:
        context = {"guest": guest, "tab": tab, **_tab_context(request, guest, tab)}
        if tab == "timeline":
            context["last_contact"] = last_contact(guest=guest)
        if tab == "preferences":
            context["card"] = guest_card(guest=guest, user=request.user)
        return render(request, f"web/partials/guest_tab_{tab}.html", context)
    context = _card_context(request, guest, tab=tab, **_tab_context(request, guest, tab))
    context["last_contact"] = context["card"].last_contact
    return render(request, "web/guests/detail.html", context)


@login_required
@require_POST
def document_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one full ID number once, and record who saw it (AuditEvent action=reveal, field=id_number)."""
    document = get_visible_or_404(IdentityDocument, request.user, pk)
    if not can_reveal_id(request.user):
        # The attempt is recorded, but as a refusal: nothing was revealed.
        audit_record(actor=request.user, action=AuditAction.REVEAL_DENIED, guest=document.guest, field="id_number",
                     detail=document.get_doc_type_display(), ip_address=client_ip(request))
        raise PermissionDenied
    audit_record(actor=request.user, action=AuditAction.REVEAL, guest=document.guest, field="id_number",
                 detail=document.get_doc_type_display(), ip_address=client_ip(request))
    if getattr(request, "htmx", None):
        return render(request, "web/partials/document_row.html",
                      {"doc": document, "revealed_number": document.number, "can_reveal": True})
    context = _card_context(request, document.guest, tab="timeline",
                            **_tab_context(request, document.guest, "timeline"))
    context["revealed"] = {document.pk: document.number}
    context["last_contact"] = context["card"].last_contact
    return render(request, "web/guests/detail.html", context)


def _back_to_guest(request: HttpRequest, guest: Guest, tab: str) -> HttpResponse:
    next_url = request.POST.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
        return redirect(next_url)
    return redirect(f"{reverse('web:guest_detail', args=[guest.pk])}?tab={tab}")


def _prefs_panel(request: HttpRequest, guest: Guest, **extra: Any) -> HttpResponse:
    """The preferences & alerts panel, plus the guest card swapped out-of-band so the card stays current."""
    context = _card_context(request, guest, oob=True, preference_form=PreferenceForm(), alert_form=AlertForm())
    context.update(extra)
    return render(request, "web/partials/guest_prefs_panel_response.html", context)


@login_required
@require_POST
def preference_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a preference to a guest, optionally from a stay (POST `stay`).

    From the profile's panel (hx-target #guest-prefs-panel) the panel and the card re-render; from anywhere
    else (e.g. a stay page including web/partials/preference_form.html) the form box re-renders itself.
    """
    guest = _guest_or_404(request, pk)
    form = PreferenceForm(request.POST)
    stay = None
    saved = None
    if form.is_valid():
        if form.cleaned_data.get("stay"):
            stay = get_visible_or_404(Stay, request.user, form.cleaned_data["stay"])
            if stay.guest_id != guest.pk:
                form.add_error(None, _("That stay belongs to another guest."))
        if not form.errors:
            try:
                saved = preference_add_service(
                    actor=request.user, guest=guest, category=form.cleaned_data["category"],
                    value=form.cleaned_data["value"], note=form.cleaned_data["note"],
                    source="stay" if stay else "staff", stay=stay,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
    target = _htmx_target(request)
    if target == PREFS_TARGET:
        return _prefs_panel(request, guest, **({} if saved else {"preference_form": form}))
    if getattr(request, "htmx", None):
        fresh = PreferenceForm(initial={"stay": stay.pk if stay else None}) if saved else form
        return render(request, "web/partials/preference_form.html",
                      {"guest": guest, "stay": stay, "preference_form": fresh, "saved_preference": saved})
    if saved:
        messages.success(request, _("Preference saved."))
        return _back_to_guest(request, guest, "preferences")
    context = _card_context(request, guest, tab="preferences", preference_form=form, alert_form=AlertForm())
    context["last_contact"] = context["card"].last_contact
    return render(request, "web/guests/detail.html", context, status=400)


@login_required
@require_POST
def preference_remove(request: HttpRequest, pk: int) -> HttpResponse:
    preference = get_visible_or_404(Preference, request.user, pk)
    preference_deactivate(actor=request.user, preference=preference)
    if _htmx_target(request) == PREFS_TARGET:
        return _prefs_panel(request, preference.guest)
    messages.success(request, _("Preference removed."))
    return _back_to_guest(request, preference.guest, "preferences")


@login_required
@require_POST
def alert_add(request: HttpRequest, pk: int) -> HttpResponse:
    guest = _guest_or_404(request, pk)
    form = AlertForm(request.POST)
    saved = None
    if form.is_valid():
        try:
            saved = alert_add_service(actor=request.user, guest=guest, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
    if _htmx_target(request) == PREFS_TARGET:
        return _prefs_panel(request, guest, **({} if saved else {"alert_form": form}))
    if saved:
        messages.success(request, _("Alert added."))
        return _back_to_guest(request, guest, "preferences")
    context = _card_context(request, guest, tab="preferences", preference_form=PreferenceForm(), alert_form=form)
    context["last_contact"] = context["card"].last_contact
    return render(request, "web/guests/detail.html", context, status=400)


@login_required
@require_POST
def alert_remove(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_visible_or_404(Alert, request.user, pk)
    alert_deactivate(actor=request.user, alert=alert)
    if _htmx_target(request) == PREFS_TARGET:
        return _prefs_panel(request, alert.guest)
    messages.success(request, _("Alert cleared."))
    return _back_to_guest(request, alert.guest, "preferences")


def _user_property(user: Any) -> Any:
    """The property to file an interaction under: the user's only property, else none."""
    properties = list(user.properties.all()[:2])
    return properties[0] if len(properties) == 1 else None


@login_required
@require_POST
def interaction_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a call, email, visit, meeting, message or note on the guest's timeline."""
    guest = _guest_or_404(request, pk)
    form = InteractionForm(request.POST)
    saved = None
    if form.is_valid():
        try:
            saved = interaction_log(actor=request.user, guest=guest, property=_user_property(request.user),
                                    **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
    if getattr(request, "htmx", None):
        context = _card_context(request, guest, tab="timeline", oob=bool(saved),
                                **_tab_context(request, guest, "timeline"))
        context["last_contact"] = context["card"].last_contact
        if not saved:
            context["interaction_form"] = form
        return render(request, "web/partials/guest_tab_timeline_response.html", context)
    if saved:
        messages.success(request, _("Logged on the timeline."))
        return _back_to_guest(request, guest, "timeline")
    context = _card_context(request, guest, tab="timeline", **_tab_context(request, guest, "timeline"))
    context.update(interaction_form=form, last_contact=context["card"].last_contact)
    return render(request, "web/guests/detail.html", context, status=400)
