"""The staff screen: deactivating a colleague hands everything they own to a named successor, with history."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from concierge.accounts import staff
from concierge.accounts.models import StaffDeactivation, User
from concierge.accounts.tasks import run_staff_deactivation
from concierge.core.choices import AuditAction
from concierge.core.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "test-password-123"


def _user(username, role, properties, **extra):
    user = User.objects.create_user(username=username, password=PASSWORD, role=role, **extra)
    user.properties.set(properties)
    return user


@pytest.fixture
def cast(property_a, property_b, guest_a):
    """A leaving rep at property A owning one of everything, a successor, and who may or may not act."""
    from concierge.campaigns.models import Campaign
    from concierge.cases.models import Case
    from concierge.contracts.models import Contract
    from concierge.guests.services import company_create
    from concierge.journeys.models import Journey
    from concierge.pipeline.models import Opportunity, Stage
    from concierge.segments.models import Segment
    from concierge.worklist.models import Task

    leaver = _user("lena", "sales_rep", [property_a], first_name="Lena")
    successor = _user("sunny", "sales_rep", [property_a], first_name="Sunny")
    admin = _user("ada", "admin", [], first_name="Ada")
    sales_manager = _user("sid", "sales_manager", [property_a], first_name="Sid")
    other_sales_manager = _user("otto", "sales_manager", [property_b], first_name="Otto")
    front_desk = _user("fred", "front_desk", [property_a], first_name="Fred")
    company = company_create(actor=admin, name_zh="上海贸易公司", owner=leaver, properties=[property_a])
    # She took the account over a month ago (a same-day change would correct the open period in place).
    company.ownerships.update(valid_from=timezone.localdate() - dt.timedelta(days=30))
    guest_a.owner = leaver
    guest_a.save(update_fields=["owner"])
    today = timezone.localdate()
    objects = {
        "company": company,
        "guest": guest_a,
        "task": Task.objects.create(title="Call back", assignee=leaver, guest=guest_a, property=property_a,
                                    created_by=leaver, due_on=today),
        "opportunity": Opportunity.objects.create(
            title="Annual deal", company=company, owner=leaver, property=property_a,
            stage=Stage.objects.create(name_zh="洽谈", name_en="Negotiation"), value=Decimal("1000"),
            created_by=leaver),
        "contract": Contract.objects.create(number="C-1", title="Rate", company=company, owner=leaver,
                                            start_date=today, end_date=today + dt.timedelta(days=30),
                                            created_by=leaver),
        "case": Case.objects.create(property=property_a, subject="Noisy room", guest=guest_a, created_by=leaver,
                                    owner=leaver),
        "campaign": Campaign.objects.create(
            name="Spring", property=property_a, channel="email", created_by=leaver, owner=leaver,
            segment=Segment.objects.create(name="All", definition={"op": "and", "items": []}, created_by=leaver)),
        "journey": Journey.objects.create(name="Birthday", trigger_kind="birthday", property=property_a,
                                          created_by=leaver, fallback_owner=leaver),
    }
    return {"leaver": leaver, "successor": successor, "admin": admin, "sales_manager": sales_manager,
            "other_sales_manager": other_sales_manager, "front_desk": front_desk, "objects": objects}


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_deactivation_moves_every_owned_record_to_the_successor_with_history(cast):
    leaver, successor, admin = cast["leaver"], cast["successor"], cast["admin"]
    assert set(staff.owned_records(leaver)) == {"company", "guest", "task", "opportunity", "contract", "case",
                                                "campaign", "journey"}
    response = _client(admin).post(reverse("accounts:staff_deactivate", args=[leaver.pk]),
                                   {"successor": successor.pk, "reason": "Left the company"})
    job = StaffDeactivation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("accounts:staff_job", args=[job.pk])
    assert job.status == StaffDeactivation.Status.DONE
    o = cast["objects"]
    for key, field in (("company", "owner"), ("guest", "owner"), ("task", "assignee"), ("opportunity", "owner"),
                       ("contract", "owner"), ("case", "owner"), ("campaign", "owner"),
                       ("journey", "fallback_owner")):
        o[key].refresh_from_db()
        assert getattr(o[key], f"{field}_id") == successor.pk, key
    assert staff.owned_records(leaver) == {}
    # The ownership history: the leaver's period is closed, the successor's opened, with who and why.
    periods = list(o["company"].ownerships.order_by("id").values_list("owner_id", "valid_to", "changed_by_id",
                                                                     "reason"))
    assert periods[0][0] == leaver.pk and periods[0][1] is not None
    assert periods[-1] == (successor.pk, None, admin.pk, "Left the company")
    handover = job.handover
    assert handover.from_user == leaver and handover.default_to == successor and handover.deactivated_user
    assert {item["kind"] for item in handover.items} >= {"company", "guest", "task", "opportunity", "contract",
                                                         "case", "campaign", "journey"}
    # Never deleted: the user is kept, inactive, and records made by them still point at them.
    leaver.refresh_from_db()
    assert leaver.is_active is False
    assert o["task"].created_by_id == leaver.pk
    event = AuditEvent.objects.get(action=AuditAction.DEACTIVATE_USER)
    assert event.actor == admin and f"#{leaver.pk}" in event.detail
    page = _client(admin).get(reverse("accounts:staff_job", args=[job.pk]))
    assert page.status_code == 200 and 'data-status="done"' in page.content.decode()
    record = _client(admin).get(reverse("sales:handover_detail", args=[handover.pk])).content.decode()
    assert "Open cases" in record and "Running campaigns" in record


def test_a_deactivated_user_cannot_sign_in_or_use_their_api_token_or_session(cast):
    leaver, successor, admin = cast["leaver"], cast["successor"], cast["admin"]
    token = Token.objects.create(user=leaver)
    session = Client()
    session.force_login(leaver)
    assert session.get(reverse("web:home")).status_code == 200
    staff.deactivation_start(user=leaver, successor=successor, actor=admin)
    assert not Token.objects.filter(pk=token.pk).exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/guests/").status_code == 401
    assert session.get(reverse("web:home")).status_code == 302  # the old session is gone: back to sign-in
    browser = Client()
    login = browser.post(reverse("web:login"), {"username": "lena", "password": PASSWORD})
    assert login.status_code == 200 and "_auth_user_id" not in browser.session  # the form again, not signed in
    assert APIClient().post("/api/v1/auth/token/", {"username": "lena", "password": PASSWORD},
                            format="json").status_code == 400


def test_deactivation_is_refused_without_a_successor_while_they_own_things(cast):
    leaver, admin = cast["leaver"], cast["admin"]
    response = _client(admin).post(reverse("accounts:staff_deactivate", args=[leaver.pk]), {"successor": ""})
    assert response.status_code == 400
    assert "choose the colleague who takes them over" in response.content.decode()
    leaver.refresh_from_db()
    assert leaver.is_active and not StaffDeactivation.objects.exists()
    with pytest.raises(ValidationError):
        staff.staff_deactivate(user=leaver, successor=None, actor=admin)


def test_someone_who_owns_nothing_is_deactivated_without_a_successor(cast, property_a):
    idle = _user("ivy", "quality", [property_a])
    job = staff.deactivation_start(user=idle, successor=None, actor=cast["admin"])
    idle.refresh_from_db()
    assert job.status == StaffDeactivation.Status.DONE and idle.is_active is False


def test_deactivation_is_refused_for_roles_without_the_right(cast):
    leaver, successor = cast["leaver"], cast["successor"]
    front_desk = _client(cast["front_desk"])
    assert front_desk.get(reverse("accounts:staff_list")).status_code == 403
    response = front_desk.post(reverse("accounts:staff_deactivate", args=[leaver.pk]), {"successor": successor.pk})
    assert response.status_code == 403
    # A sales manager of another property does not see the rep at all.
    other = _client(cast["other_sales_manager"])
    assert other.post(reverse("accounts:staff_deactivate", args=[leaver.pk]),
                      {"successor": successor.pk}).status_code == 404
    with pytest.raises(PermissionDenied):
        staff.staff_deactivate(user=leaver, successor=successor, actor=cast["front_desk"])
    leaver.refresh_from_db()
    assert leaver.is_active and staff.owned_records(leaver)["company"] == 1


def test_a_sales_manager_deactivates_reps_of_their_property_but_not_other_roles(cast):
    sid = cast["sales_manager"]
    visible = set(staff.staff_visible(sid).values_list("username", flat=True))
    assert visible == {"lena", "sunny"}
    assert not staff.can_deactivate(sid, cast["front_desk"])
    assert not staff.can_deactivate(sid, sid)
    response = _client(sid).post(reverse("accounts:staff_deactivate", args=[cast["leaver"].pk]),
                                 {"successor": cast["successor"].pk})
    assert response.status_code == 302
    cast["leaver"].refresh_from_db()
    assert cast["leaver"].is_active is False


def test_a_large_deactivation_runs_in_celery_and_the_page_polls_it(cast, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    monkeypatch.setattr(staff, "SYNC_LIMIT", 0)
    leaver, successor, admin = cast["leaver"], cast["successor"], cast["admin"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = staff.deactivation_start(user=leaver, successor=successor, actor=admin)
    assert job.status == StaffDeactivation.Status.QUEUED and len(callbacks) == 1
    page = _client(admin).get(reverse("accounts:staff_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in page.content.decode()
    assert run_staff_deactivation(job.pk) == "done"
    assert run_staff_deactivation(job.pk) is None  # a redelivered task does nothing
    job.refresh_from_db()
    leaver.refresh_from_db()
    assert job.status == StaffDeactivation.Status.DONE and leaver.is_active is False
    page = _client(admin).get(reverse("accounts:staff_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in page.content.decode()


def test_the_staff_list_is_paginated_and_in_the_sidebar(cast):
    admin = _client(cast["admin"])
    response = admin.get(reverse("accounts:staff_list"), {"role": "sales_rep", "active": "1"})
    assert response.status_code == 200
    assert [u.username for u in response.context["page"]] == ["lena", "sunny"]
    assert reverse("accounts:staff_list") in admin.get(reverse("web:home")).content.decode()
    assert reverse("accounts:staff_list") not in _client(cast["front_desk"]).get(reverse("web:home")).content.decode()


def test_the_django_admin_cannot_delete_users():
    from django.contrib.admin.sites import site

    model_admin = site._registry[User]
    assert model_admin.has_delete_permission(request=None) is False
