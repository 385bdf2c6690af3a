"""Staff administration: who may deactivate whom, what a user still owns, and deactivation with a handover.

Users are never deleted: records keep pointing at them (history, audit, ownership periods). A leaving colleague
is *deactivated*: everything they still own or are assigned moves to one named successor in one transaction
through the sales handover (`sales.services.handover_run`, which keeps the ownership history: who, from, to,
when, why), then their sign-ins, sessions, API tokens and calendar feeds stop working, and an audit entry
(`AuditAction.DEACTIVATE_USER`) is written.

Who: managers and administrators (and superusers) for every user; sales managers for the sales reps of their
properties (the handover rule: they may only move accounts they can see).
"""
from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concierge.accounts.choices import Role
from concierge.accounts.models import StaffDeactivation
from concierge.core.querysets import version_bump

STAFF_ADMIN_ROLES = frozenset({Role.MANAGER, Role.ADMIN})
# A deactivation moving more records than this runs in Celery (the screen polls its progress).
SYNC_LIMIT = 2000

# What a user can own or be assigned, counted before a deactivation and moved by it (label, model, filter).
OWNED_KINDS: tuple[tuple[str, Any, str, dict[str, Any]], ...] = (
    ("company", gettext_lazy("Company accounts"), "guests.Company", {"owner": "@"}),
    ("guest", gettext_lazy("Guests (account manager)"), "guests.Guest", {"owner": "@"}),
    ("task", gettext_lazy("Open tasks"), "worklist.Task", {"assignee": "@", "status": "open"}),
    ("opportunity", gettext_lazy("Open opportunities"), "pipeline.Opportunity", {"owner": "@", "status": "open"}),
    ("contract", gettext_lazy("Open contracts"), "contracts.Contract",
     {"owner": "@", "status__in": ("draft", "sent", "signed", "active")}),
    ("case", gettext_lazy("Open cases"), "cases.Case",
     {"owner": "@", "status__in": ("new", "assigned", "in_progress", "waiting")}),
    ("campaign", gettext_lazy("Running campaigns"), "campaigns.Campaign",
     {"owner": "@", "status__in": ("draft", "scheduled", "sending", "active")}),
    ("journey", gettext_lazy("Journeys (fallback task owner)"), "journeys.Journey", {"fallback_owner": "@"}),
)
# Moved here after the sales handover (which already moves companies, guests, tasks, opportunities, contracts).
EXTRA_KINDS = ("case", "campaign", "journey")


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_manage_staff(user: Any) -> bool:
    """Who may open the staff screen: managers, administrators, superusers and sales managers."""
    return _active(user) and bool(user.is_superuser or user.role in STAFF_ADMIN_ROLES
                                  or user.role == Role.SALES_MANAGER)


def staff_visible(user: Any) -> QuerySet:
    """The users `user` may see on the staff screen (and deactivate, see `can_deactivate`)."""
    qs = get_user_model().objects.order_by("-is_active", "first_name", "username")
    if not can_manage_staff(user):
        return qs.none()
    if user.is_superuser or user.role in STAFF_ADMIN_ROLES:
        return qs
    # Sales managers: the sales reps of their properties.
    return qs.filter(role=Role.SALES_REP, properties__in=user.properties.values("pk"), is_superuser=False).distinct()


def can_deactivate(actor: Any, user: Any) -> bool:
    if not can_manage_staff(actor) or user.pk == actor.pk or not user.is_active:
        return False
    if user.is_superuser and not actor.is_superuser:
        return False
    return staff_visible(actor).filter(pk=user.pk).exists()


def successor_choices(actor: Any, user: Any) -> QuerySet:
    """Active colleagues the actor may hand `user`'s records to (the handover's colleague list)."""
    from concierge.sales.forms import colleagues

    return colleagues(actor).exclude(pk=user.pk)


def _model(label: str) -> Any:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _filter(spec: dict[str, Any], user: Any) -> dict[str, Any]:
    return {key: (user if value == "@" else value) for key, value in spec.items()}


def owned_records(user: Any) -> dict[str, int]:
    """How many records of each kind `user` still owns or is assigned (kinds with none are left out)."""
    counts: dict[str, int] = {}
    for kind, _label, label, spec in OWNED_KINDS:
        model = _model(label)
        if model is None:
            continue
        n = model.objects.filter(**_filter(spec, user)).count()
        if n:
            counts[kind] = n
    return counts


def owned_labels() -> dict[str, Any]:
    return {kind: label for kind, label, _model_label, _spec in OWNED_KINDS}


def _check(*, user: Any, successor: Any, actor: Any, owned: dict[str, int]) -> None:
    if not can_deactivate(actor, user):
        raise PermissionDenied
    if successor is not None:
        if successor.pk == user.pk:
            raise ValidationError({"successor": [_("Choose someone else: %(name)s is the one leaving.")
                                                 % {"name": user}]})
        if not successor.is_active:
            raise ValidationError({"successor": [_("%(name)s is deactivated.") % {"name": successor}]})
        if not successor_choices(actor, user).filter(pk=successor.pk).exists():
            raise ValidationError({"successor": [_("Choose a colleague from the list.")]})
    elif owned:
        raise ValidationError({"successor": [_("%(name)s still owns records: choose the colleague who takes them "
                                               "over.") % {"name": user}]})
    if not (actor.is_superuser or actor.role in STAFF_ADMIN_ROLES):
        from concierge.guests.models import Company

        hidden = Company.objects.filter(owner=user).exclude(pk__in=Company.objects.visible_to(actor).values("pk"))
        if hidden.exists():
            raise ValidationError({"successor": [_("%(name)s also owns accounts outside your properties; ask a "
                                                   "group manager to deactivate them.") % {"name": user}]})


@transaction.atomic
def staff_deactivate(*, user: Any, successor: Any, actor: Any, reason: str = "", ip_address: str | None = None) -> Any:
    """Hand everything `user` owns to `successor` and deactivate them, in one transaction. Returns the Handover.

    Refused (PermissionDenied) when `actor` may not deactivate `user`; ValidationError without a successor while
    `user` still owns something. The user row is kept: records go on pointing at it.
    """
    from concierge.core.choices import AuditAction
    from concierge.core.services import audit_record
    from concierge.sales.services import handover_run

    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    owned = owned_records(user)
    _check(user=user, successor=successor, actor=actor, owned=owned)
    text = reason or _("%(name)s left; records handed to %(to)s") % {"name": user, "to": successor or "—"}
    handover = handover_run(from_user=user, actor=actor, default_to=successor, reason=text, deactivate=True)
    items = list(handover.items)
    summary = dict(handover.summary)
    if successor is not None:
        for kind, _label, label, spec in OWNED_KINDS:
            model = _model(label)
            if kind not in EXTRA_KINDS or model is None:
                continue
            field = next(iter(spec))
            pks = list(model.objects.filter(**_filter(spec, user)).values_list("pk", flat=True))
            if pks:
                model.objects.filter(pk__in=pks).update(**{f"{field}_id": successor.pk}, **version_bump(model))
                items += [{"kind": kind, "id": pk, "to": successor.pk} for pk in pks]
                summary[kind] = summary.get(kind, 0) + len(pks)
    handover.items, handover.summary = items, summary
    handover.save(update_fields=["items", "summary"])  # (handover_run ended their sessions and API tokens)
    audit_record(actor=actor, action=AuditAction.DEACTIVATE_USER, field="staff_user",
                 detail=(f"user #{user.pk} {user.username} deactivated; successor "
                         f"#{getattr(successor, 'pk', '-')}; handover #{handover.pk}; moved {summary}"),
                 ip_address=ip_address)
    return handover


def sessions_end(user: Any) -> int:
    """Delete `user`'s API tokens and signed-in sessions (they would fail anyway once inactive). Returns how many
    sessions were ended."""
    from django.contrib.sessions.models import Session
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


# --- running it (inline or in Celery) ---------------------------------------------------------------------------


def deactivation_start(*, user: Any, successor: Any, actor: Any, reason: str = "",
                       ip_address: str | None = None) -> StaffDeactivation:
    """Check, record the request, and run it: inline when small, else in Celery (poll `status`)."""
    owned = owned_records(user)
    _check(user=user, successor=successor, actor=actor, owned=owned)
    job = StaffDeactivation.objects.create(user=user, successor=successor, actor=actor, reason=reason[:300],
                                           owned=owned)
    if sum(owned.values()) <= SYNC_LIMIT:
        deactivation_execute(job_id=job.pk, ip_address=ip_address)
        job.refresh_from_db()
        return job
    from concierge.accounts.tasks import run_staff_deactivation

    transaction.on_commit(lambda: run_staff_deactivation.delay(job.pk))
    return job


def deactivation_execute(*, job_id: int, ip_address: str | None = None) -> StaffDeactivation | None:
    """Run a queued deactivation once (claimed with a conditional UPDATE, so a redelivered task does nothing)."""
    claimed = StaffDeactivation.objects.filter(pk=job_id, status=StaffDeactivation.Status.QUEUED).update(
        status=StaffDeactivation.Status.RUNNING)
    if not claimed:
        return None
    job = StaffDeactivation.objects.select_related("user", "successor", "actor").get(pk=job_id)
    try:
        handover = staff_deactivate(user=job.user, successor=job.successor, actor=job.actor, reason=job.reason,
                                    ip_address=ip_address)
    except (ValidationError, PermissionDenied) as exc:
        job.status = StaffDeactivation.Status.FAILED
        job.error = "; ".join(getattr(exc, "messages", None) or [str(exc) or _("Not allowed.")])[:2000]
    else:
        job.status = StaffDeactivation.Status.DONE
        job.handover = handover
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "handover", "finished_at"])
    return job


def deactivations_visible(user: Any) -> QuerySet:
    """Deactivation requests `user` may follow: of the users they may see, or made by them."""
    from django.db.models import Q

    return StaffDeactivation.objects.filter(Q(user__in=staff_visible(user).values("pk")) | Q(actor_id=user.pk))
