"""Duplicate screens: the review queue, a pair side by side, the field-by-field merge, merge records and undo,
the finder run with its progress, and the thresholds.

Every pair and merge is fetched through the dedupe selectors, which scope by `visible_to(request.user)`:
a pair is reachable only when the user may see both profiles (a merged one through its survivor).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.accounts.choices import Role
from concierge.core.phones import format_phone
from concierge.dedupe.choices import CandidateStatus, FieldChoice
from concierge.dedupe.models import DedupeSettings, DuplicateCandidate, MergeRecord
from concierge.dedupe.scoring import reasons_side_by_side, reasons_text
from concierge.dedupe.selectors import (
    candidate_comparison,
    candidate_for_user,
    finder_run_latest,
    guest_attached_counts,
    merge_record_for_user,
    review_queue,
)
from concierge.dedupe.services import (
    candidate_dismiss,
    candidate_reopen,
    dedupe_settings_update,
    finder_run_queue,
    guest_merge,
    guest_merge_undo,
    merge_default_survivor,
    merge_defaults,
)
from concierge.dedupe.services.merge import FIELD_GROUPS
from concierge.guests.models import Company, Guest, GuestProperty, IdentityDocument
from concierge.guests.names import has_cjk
from concierge.guests.services import StaleVersionError
from concierge.web.forms_dedupe import DedupeSettingsForm, DuplicateQueueFilterForm, MergeForm
from concierge.web.helpers import paginate, render_page_or_partial

QUEUE_PAGE_SIZE = 25
QUEUE_TARGET = "duplicate-table"
FINDER_ROLES = frozenset({Role.ADMIN, Role.MANAGER})

GROUP_LABELS: dict[str, Any] = {
    "native_name": gettext_lazy("Name (native script)"),
    "latin_name": gettext_lazy("Name (Latin / pinyin)"),
    "birthday": gettext_lazy("Birthday"),
    "gender": gettext_lazy("Gender"),
    "nationality": gettext_lazy("Nationality"),
    "language": gettext_lazy("Language"),
    "phone": gettext_lazy("Phone"),
    "email": gettext_lazy("Email"),
    "address": gettext_lazy("Address"),
    "company": gettext_lazy("Company"),
    "tier": gettext_lazy("Tier"),
    "owner": gettext_lazy("Account manager"),
    "source_channel": gettext_lazy("Source channel"),
    "status": gettext_lazy("Status"),
    "external": gettext_lazy("External reference"),
}
# Models whose own plural name reads badly on the merge record ("guest propertys", "Guest-tag relationships").
MODEL_LABELS: dict[str, Any] = {
    "guests.guestproperty": gettext_lazy("property links"),
    "guests.guest_tags": gettext_lazy("tags"),
    "guests.contactpoint": gettext_lazy("contact points"),
}
# The pair page names the two name rows apart (the scorer calls both "name").
ROW_LABELS: dict[str, Any] = {
    "native_name": gettext_lazy("Name (native script)"),
    "latin_name": gettext_lazy("Name (Latin / pinyin)"),
}
STAGE_LABELS: dict[str, Any] = {
    "load": gettext_lazy("Reading profiles"),
    "score": gettext_lazy("Scoring candidate pairs"),
    "write": gettext_lazy("Updating the review queue"),
}


# --- who may do what -----------------------------------------------------------------------------------------


def can_run_finder(user: Any) -> bool:
    """Managers and administrators start the finder (it reads every profile of the group)."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in FINDER_ROLES))


def can_edit_thresholds(user: Any) -> bool:
    """Only administrators change the thresholds (they decide what is merged without review)."""
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))


def _candidate_or_404(request: HttpRequest, pk: int) -> DuplicateCandidate:
    try:
        return candidate_for_user(user=request.user, pk=pk)
    except DuplicateCandidate.DoesNotExist:
        raise Http404(_("duplicate candidate")) from None


def _merge_record_or_404(request: HttpRequest, pk: int) -> MergeRecord:
    try:
        return merge_record_for_user(user=request.user, pk=pk)
    except MergeRecord.DoesNotExist:
        raise Http404(_("merge")) from None


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


# --- review queue --------------------------------------------------------------------------------------------


@login_required
@require_GET
def duplicate_list(request: HttpRequest) -> HttpResponse:
    """Candidate pairs, strongest first, filtered by status, score range and property; htmx swaps the table."""
    form = DuplicateQueueFilterForm(request.GET or None, user=request.user)
    filters = form.queue_filters()
    pairs = review_queue(user=request.user, **filters).prefetch_related(
        Prefetch("left__property_links", queryset=GuestProperty.objects.select_related("property")),
        Prefetch("right__property_links", queryset=GuestProperty.objects.select_related("property")),
    )
    page = paginate(request, pairs, per_page=QUEUE_PAGE_SIZE)
    for pair in page:
        pair.percent = int(pair.score * 100)
        pair.reasons_words = reasons_text(pair.reasons, limit=4)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": form, "page": page, "status": filters["status"], "query": query.urlencode(),
        "run": finder_run_latest(), "can_run": can_run_finder(request.user),
        "can_edit_thresholds": can_edit_thresholds(request.user), "stage_labels": STAGE_LABELS,
    }
    config = DedupeSettings.load()
    context["review_percent"] = (config.review_threshold * 100).normalize()
    context["auto_percent"] = (
        (config.auto_merge_threshold * 100).normalize() if config.auto_merge_threshold is not None else None)
    return render_page_or_partial(request, "web/dedupe/duplicate_list.html",
                                  "web/dedupe/partials/duplicate_table.html", context)


@login_required
@require_GET
def duplicate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The two profiles side by side, field by field, with what hangs on each and the review buttons."""
    candidate = _candidate_or_404(request, pk)
    candidate.percent = int(candidate.score * 100)
    left, right = candidate.left, candidate.right
    counts = guest_attached_counts(user=request.user, guest_ids=[left.pk, right.pk])
    documents: dict[int, list[IdentityDocument]] = {left.pk: [], right.pk: []}
    for doc in IdentityDocument.objects.filter(guest_id__in=[left.pk, right.pk]).order_by("id"):
        documents[doc.guest_id].append(doc)
    properties: dict[int, list[str]] = {left.pk: [], right.pk: []}
    for guest_id, code in GuestProperty.objects.filter(guest_id__in=[left.pk, right.pk]).values_list(
            "guest_id", "property__code").order_by("property__code"):
        properties[guest_id].append(code)
    merge = candidate.merges.filter(undone_at__isnull=True).order_by("-at").first()
    sides = [
        {"guest": guest, "counts": counts.get(guest.pk), "documents": documents[guest.pk],
         "properties": properties[guest.pk]}
        for guest in (left, right)
    ]
    rows = candidate_comparison(candidate=candidate)
    for row in rows:
        row.label = ROW_LABELS.get(row.field, row.label)
        if row.field == "native_name":
            row.left, row.right = left.native_name, right.native_name
        if row.field == "gender":
            row.left, row.right = left.get_gender_display() if left.gender else "", (
                right.get_gender_display() if right.gender else "")
        if not (row.left and row.right):
            # The scorer's finding for "name" covers both name rows; a row with one side empty compared nothing.
            row.outcome, row.reason = "", ""
    context = {
        "candidate": candidate, "rows": rows, "sides": sides,
        "grouped": reasons_side_by_side(candidate.reasons), "merge": merge,
        "can_merge": candidate.status == CandidateStatus.OPEN and not (left.merged_into_id or right.merged_into_id),
        "next": _safe_next(request, reverse("web:duplicate_list")),
    }
    return render(request, "web/dedupe/duplicate_detail.html", context)


@login_required
@require_POST
def duplicate_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """"Not a duplicate": the pair leaves the queue and stays dismissed when the finder runs again."""
    candidate = _candidate_or_404(request, pk)
    try:
        candidate_dismiss(actor=request.user, candidate=candidate)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("web:duplicate_detail", pk=candidate.pk)
    messages.success(request, _("Marked as not a duplicate: #%(a)s and #%(b)s stay separate profiles.")
                     % {"a": candidate.left_id, "b": candidate.right_id})
    return redirect(_safe_next(request, reverse("web:duplicate_list")))


@login_required
@require_POST
def duplicate_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _candidate_or_404(request, pk)
    candidate_reopen(actor=request.user, candidate=candidate)
    messages.success(request, _("The pair is back in the review queue."))
    return redirect("web:duplicate_detail", pk=candidate.pk)


# --- finder run ----------------------------------------------------------------------------------------------


def _run_status(request: HttpRequest) -> HttpResponse:
    context = {"run": finder_run_latest(), "can_run": can_run_finder(request.user), "stage_labels": STAGE_LABELS}
    return render(request, "web/dedupe/partials/run_status.html", context)


@login_required
@require_POST
def duplicate_run(request: HttpRequest) -> HttpResponse:
    """Queue the duplicate finder (managers and admins); the queue page then polls its progress."""
    if not can_run_finder(request.user):
        raise PermissionDenied
    try:
        finder_run_queue(actor=request.user)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    if getattr(request, "htmx", None):
        return _run_status(request)
    return redirect("web:duplicate_list")


@login_required
@require_GET
def duplicate_run_status(request: HttpRequest) -> HttpResponse:
    """The progress panel alone, polled by htmx while a run is queued or running."""
    return _run_status(request)


@login_required
@require_http_methods(["GET", "POST"])
def duplicate_settings(request: HttpRequest) -> HttpResponse:
    """The review and auto-merge thresholds (administrators)."""
    if not can_edit_thresholds(request.user):
        raise PermissionDenied
    config = DedupeSettings.load()
    form = DedupeSettingsForm(request.POST or None, initial=DedupeSettingsForm.initial_for(config))
    if request.method == "POST" and form.is_valid():
        try:
            dedupe_settings_update(actor=request.user, **form.service_values())
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Duplicate detection settings saved."))
            return redirect("web:duplicate_list")
    return render(request, "web/dedupe/settings.html", {"form": form, "config": config})


# --- merge ---------------------------------------------------------------------------------------------------


@dataclass
class MergeRow:
    """One field group on the merge page: both values, and the radio field when they differ."""

    group: str
    label: Any
    survivor: str
    merged: str
    field: Any = None  # the bound radio field; None when both profiles hold the same value
    note: str = ""


def _value_text(guest: Guest, group: str) -> str:
    """A field group of one profile as it reads on screen."""
    if group == "native_name":
        return guest.native_name
    if group == "latin_name":
        return guest.latin_name
    parts = []
    for name in FIELD_GROUPS[group]:
        model_field = Guest._meta.get_field(name)
        value = getattr(guest, name)
        if value in (None, ""):
            continue
        if model_field.choices:
            value = getattr(guest, f"get_{name}_display")()
        elif name == "phone":
            value = format_phone(value)
        elif name == "owner":
            value = value.get_full_name() or value.username
        elif isinstance(value, dt.date):
            value = value.isoformat()
        parts.append(str(value))
    return _SEPARATORS.get(group, " ").join(parts)


_SEPARATORS = {"address": ", ", "status": ": ", "external": " · "}


def _raw(guest: Guest, group: str) -> list[Any]:
    return [getattr(guest, Guest._meta.get_field(name).attname) for name in FIELD_GROUPS[group]]


def _merge_rows(survivor: Guest, merged: Guest) -> tuple[list[str], list[MergeRow], dict[str, str]]:
    """(groups to choose, every row, default choice per group) for merging `merged` into `survivor`."""
    defaults = merge_defaults(survivor=survivor, merged=merged)
    unsuitable = survivor.is_unsuitable or merged.is_unsuitable
    groups: list[str] = []
    rows: list[MergeRow] = []
    initial: dict[str, str] = {}
    for group, names in FIELD_GROUPS.items():
        row = MergeRow(group=group, label=GROUP_LABELS.get(group, group), survivor=_value_text(survivor, group),
                       merged=_value_text(merged, group))
        if group == "status" and unsuitable:
            row.note = _("An “unsuitable” flag always survives a merge.")
        elif _raw(survivor, group) != _raw(merged, group):
            groups.append(group)
            initial[f"keep_{group}"] = str(defaults[names[0]])
        rows.append(row)
    return groups, rows, initial


def _pick_survivor(request: HttpRequest, candidate: DuplicateCandidate) -> tuple[Guest, Guest]:
    wanted = request.POST.get("survivor") or request.GET.get("survivor")
    if wanted == str(candidate.right_id):
        return candidate.right, candidate.left
    if wanted == str(candidate.left_id):
        return candidate.left, candidate.right
    return merge_default_survivor(candidate.left, candidate.right)


@login_required
@require_http_methods(["GET", "POST"])
def merge_pair(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the surviving profile and, field by field, the surviving values; then merge in one transaction.

    Defaults come from `guest_merge`'s own rule (`merge_defaults`: verified identity first, then the most
    recently changed non-empty value). The versions shown are sent back, so an edit made meanwhile refuses
    the merge instead of being lost.
    """
    candidate = _candidate_or_404(request, pk)
    if candidate.status != CandidateStatus.OPEN or candidate.left.merged_into_id or candidate.right.merged_into_id:
        messages.warning(request, _("This pair is no longer open for merging."))
        return redirect("web:duplicate_detail", pk=candidate.pk)
    survivor, merged = _pick_survivor(request, candidate)
    survivor = Guest.objects.select_related("company", "owner").get(pk=survivor.pk)
    merged = Guest.objects.select_related("company", "owner").get(pk=merged.pk)
    groups, rows, initial = _merge_rows(survivor, merged)
    initial.update(survivor=survivor.pk, survivor_version=survivor.version, merged_version=merged.version)
    form = MergeForm(request.POST or None, groups=groups, initial=initial)
    stale = False
    if request.method == "POST" and form.is_valid():
        field_choices = {name: choice for group, choice in form.group_choices().items()
                         for name in FIELD_GROUPS[group]}
        try:
            record = guest_merge(
                actor=request.user, survivor=survivor, merged=merged, field_choices=field_choices,
                expected_versions={survivor.pk: form.cleaned_data["survivor_version"],
                                   merged.pk: form.cleaned_data["merged_version"]},
                candidate=candidate,
            )
        except StaleVersionError as exc:
            stale = True
            for message in exc.messages:
                form.add_error(None, message)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Profile #%(merged)s was merged into #%(survivor)s.")
                             % {"merged": merged.pk, "survivor": survivor.pk})
            return redirect("web:merge_detail", pk=record.pk)
    for row in rows:
        if row.group in groups:
            row.field = form[f"keep_{row.group}"]
    counts = guest_attached_counts(user=request.user, guest_ids=[survivor.pk, merged.pk])
    context = {
        "candidate": candidate, "survivor": survivor, "merged": merged, "form": form, "rows": rows,
        "same_rows": [r for r in rows if r.field is None and not r.note and r.survivor],
        "choice_rows": [r for r in rows if r.field is not None or r.note],
        "survivor_counts": counts.get(survivor.pk), "merged_counts": counts.get(merged.pk), "stale": stale,
        "FieldChoice": FieldChoice,
    }
    return render(request, "web/dedupe/merge_form.html", context, status=409 if stale else 200)


# --- merge records -------------------------------------------------------------------------------------------


def _model_label(label: str) -> str:
    """"stays.Stay.guest" → "stays" in the reader's language (the model's plural name)."""
    app_model = label.rsplit(".", 1)[0] if label.count(".") == 2 else label
    try:
        model = apps.get_model(app_model)
    except (LookupError, ValueError):
        return label
    return str(MODEL_LABELS.get(model._meta.label_lower, model._meta.verbose_name_plural))


def _snapshot_text(name: str, value: Any, lookups: dict[str, dict[Any, str]]) -> str:
    if value in (None, ""):
        return ""
    model_field = Guest._meta.get_field(name)
    if name in lookups:
        return lookups[name].get(value, f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


def _group_text(
    group: str, names: tuple[str, ...], snapshot: dict[str, Any], lookups: dict[str, dict[Any, str]],
) -> str:
    """One field group of a merge snapshot as it reads on screen."""
    parts = [t for t in (_snapshot_text(n, snapshot.get(n), lookups) for n in names) if t]
    separator = "" if group == "native_name" and has_cjk("".join(parts)) else _SEPARATORS.get(group, " ")
    return separator.join(parts)


def _field_changes(record: MergeRecord) -> list[dict[str, Any]]:
    """Per field group: the survivor's value before, the merged profile's, and the value kept (changed groups)."""
    fields = record.fields
    if "survivor_before" not in fields:
        return []
    before, merged, after = fields["survivor_before"], fields["merged_before"], fields["survivor_after"]
    company_ids = {snap.get("company") for snap in (before, merged, after)} - {None}
    owner_ids = {snap.get("owner") for snap in (before, merged, after)} - {None}
    lookups = {
        "company": {c.pk: str(c) for c in Company.objects.filter(pk__in=company_ids)},
        "owner": {u.pk: u.get_full_name() or u.username for u in get_user_model().objects.filter(pk__in=owner_ids)},
    }
    rows = []
    for group, names in [*FIELD_GROUPS.items(), ("notes", ("notes",))]:
        if all(before.get(n) == after.get(n) for n in names) and all(before.get(n) == merged.get(n) for n in names):
            continue

        chosen = fields.get("chosen", {}).get(names[0], "")
        rows.append({
            "label": GROUP_LABELS.get(group, _("Notes")), "survivor": _group_text(group, names, before, lookups),
            "merged": _group_text(group, names, merged, lookups), "kept": _group_text(group, names, after, lookups),
            "chosen": chosen,
        })
    return rows


def _undo_blocker(record: MergeRecord) -> dict[str, Any] | None:
    """Why this merge cannot be undone now (shown instead of the button), or None."""
    if record.undone_at:
        return {"message": _("This merge was undone.")}
    if record.is_anonymised:
        return {"message": _("This merge can no longer be undone: its personal data was erased.")}
    if record.survivor.merged_into_id:
        later = MergeRecord.objects.filter(merged_id=record.survivor_id, undone_at__isnull=True).order_by("-at").first()
        return {
            "message": _("Profile #%(id)s has since been merged into #%(into)s. Undo that merge first.")
            % {"id": record.survivor_id, "into": record.survivor.merged_into_id},
            "later": later,
        }
    return None


@login_required
@require_GET
def merge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What one merge did: the values kept, the rows that moved, and the Undo button."""
    record = _merge_record_or_404(request, pk)
    moved = sorted(((_model_label(label), len(pks)) for label, pks in record.moved.items() if pks),
                   key=lambda row: (-row[1], row[0]))
    removed: dict[str, int] = {}
    for rows in record.removed.values():
        for row in rows:
            label = _model_label(row.get("model", ""))
            removed[label] = removed.get(label, 0) + 1
    created = sum(len(pks) for pks in record.created.values())
    context = {
        "record": record, "moved": moved, "moved_total": sum(n for _label, n in moved),
        "removed": sorted(removed.items()), "created": created, "changes": _field_changes(record),
        "blocker": _undo_blocker(record),
    }
    return render(request, "web/dedupe/merge_detail.html", context)


@login_required
@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a merge: both profiles separate again, every moved row back where it was."""
    record = _merge_record_or_404(request, pk)
    try:
        guest_merge_undo(actor=request.user, merge_record=record)
    except ValidationError as exc:
        messages.error(request, _("The merge could not be undone: %(reason)s") % {"reason": " ".join(exc.messages)})
        return redirect("web:merge_detail", pk=record.pk)
    messages.success(request, _("Merge undone: #%(merged)s and #%(survivor)s are separate profiles again.")
                     % {"merged": record.merged_id, "survivor": record.survivor_id})
    return redirect("web:merge_detail", pk=record.pk)
