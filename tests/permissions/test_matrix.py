"""The permission walker: every URL of the project, for every role, a user of another property and an anonymous
visitor, against the EXPECTED table (which mirrors docs/permissions.md).

Codes in EXPECTED, one per user in USERS order:
  200/400/403/404/405  the status of a GET (400: the endpoint needs more input, but the user got past the checks;
                       405: the route only accepts POST/PATCH/DELETE — see test_unsafe_methods_are_refused)
  L                    302 to the login page (anonymous visitor of a UI page)
  R                    302 somewhere else (not the login page)
  401                  anonymous API call
For the two users of property B every 200 response is also searched for property A's data (names, e-mail,
numbers), downloads included: a list or export that "works" but shows another hotel's guests fails here.
"""
from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.permissions.conftest import OTHER, ROLES
from tests.permissions.expected import ADMIN_PREFIX, EXEMPT, EXPECTED, PUBLIC, UI_API_PAIRS, USERS
from tests.permissions.urlmap import ARGS, path_for, walk

pytestmark = pytest.mark.django_db

# Property A's data that must never reach a user of property B (all created in conftest.build_world).
MARKERS = ("sima.yiran@example.cn", "懿然", "YIRAN", "上海贸易公司", "Shanghai Trading", "王经理", "Noisy room",
           "Umbrella", "Quiet please", "Annual deal", "C-0001", "T-0001", "Call back", "11010519491231002X")

# The API schema documents examples, not data.
NO_MARKER_CHECK = frozenset({"api:schema", "api:docs"})


@pytest.fixture(scope="module")
def clients(world: Any, django_db_blocker: Any) -> dict[tuple[str, bool], Any]:
    """One signed-in client per user and kind (UI / API), shared by the module (sessions live in the world's
    transaction)."""
    made: dict[tuple[str, bool], Any] = {}
    with django_db_blocker.unblock():
        for who in USERS:
            for is_api in (False, True):
                client = APIClient() if is_api else Client()
                if who != "anon":
                    client.force_login(world.users[who])
                made[who, is_api] = client
    return made


def _code(response: Any) -> str:
    status = response.status_code
    if status in (301, 302):
        return "L" if response["Location"].startswith(reverse("web:login")) else "R"
    return str(status)


def test_users_are_every_role_plus_other_property_and_anonymous() -> None:
    assert USERS == (*ROLES, *OTHER, "anon")


def test_every_url_pattern_is_in_the_matrix_or_exempt() -> None:
    """A new URL fails here until it is added to EXPECTED (and docs/permissions.md) or to EXEMPT with a reason."""
    routes = walk()
    names = {route.name for route in routes}
    uncovered = [route.pattern for route in routes if route.name not in EXPECTED and route.name not in EXEMPT
                 and not route.pattern.startswith(ADMIN_PREFIX)]
    assert uncovered == []
    missing_args = [r.name for r in routes if r.name in EXPECTED and "<" in r.pattern and r.name not in ARGS]
    assert missing_args == []
    stale = sorted((set(EXPECTED) | set(EXEMPT)) - names)
    assert stale == [], "EXPECTED/EXEMPT name routes that no longer exist"
    assert len(routes) > 300 and sum(r.is_api for r in routes) > 100


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_get_matches_the_matrix(name: str, world: Any, clients: Any) -> None:
    route = next(r for r in walk() if r.name == name)
    path = path_for(route, world.objects)
    expected = EXPECTED[name].split()
    got, leaks = [], []
    for who in USERS:
        response = clients[who, route.is_api].get(path)
        got.append(_code(response))
        if who in OTHER and name not in NO_MARKER_CHECK and response.status_code == 200:
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            body = raw.decode("utf-8", "replace")
            leaks += [f"{who}: {marker}" for marker in MARKERS if marker in body]
    assert dict(zip(USERS, got)) == dict(zip(USERS, expected)), path
    assert leaks == [], f"{path} shows property A's data to a user of property B"


def test_django_admin_is_for_staff_only(world: Any, clients: Any) -> None:
    """Every /admin/ route goes through AdminSite.admin_view: no role user is is_staff, so each list page redirects
    to the admin login (anonymous visitors too)."""
    admin_routes = [r for r in walk() if r.pattern.startswith(ADMIN_PREFIX) and "<" not in r.pattern
                    and "(?P" not in r.pattern and r.name.endswith("_changelist")]
    assert len(admin_routes) > 20
    login = reverse("admin:login")
    for route in [next(r for r in walk() if r.name == "admin:index"), *admin_routes]:
        for who in ("front_desk", "manager", "admin", "anon"):
            response = clients[who, False].get(reverse(route.name))
            assert response.status_code == 302 and response["Location"].startswith(login), (route.name, who)


def test_anonymous_visitors_are_sent_to_login_except_on_public_pages() -> None:
    """UI pages redirect to the login page, the API answers 401; only the PUBLIC routes answer anything else."""
    routes = {r.name: r for r in walk()}
    wrong = {name: row.split()[-1] for name, row in EXPECTED.items() if name not in PUBLIC
             and row.split()[-1] != ("401" if routes[name].is_api else "L")}
    assert wrong == {}
    assert set(PUBLIC) <= set(EXPECTED)


def _allowed(code: str) -> bool:
    return code in ("200", "400", "R")


@pytest.mark.parametrize(("ui", "api"), UI_API_PAIRS)
def test_ui_and_api_agree(ui: str, api: str) -> None:
    """The same object and action is allowed for the same users in the web UI and the REST API."""
    ui_codes, api_codes = EXPECTED[ui].split(), EXPECTED[api].split()
    ui_allowed = {who for who, code in zip(USERS, ui_codes) if _allowed(code)}
    api_allowed = {who for who, code in zip(USERS, api_codes) if _allowed(code)}
    assert ui_allowed == api_allowed
    assert ui_codes[-1] == "L" and api_codes[-1] in ("401", "403")


# --- unsafe methods -------------------------------------------------------------------------------------------

def _fingerprint(world: Any, target: str | None) -> tuple[dict[str, int], dict[str, Any]]:
    counts = {m._meta.label: m._default_manager.count() for m in apps.get_models()
              if m.__module__.startswith("concierge") and not m._meta.label.startswith(("core.Audit", "axes."))}
    row: dict[str, Any] = {}
    if target:
        obj = world.objects[target]
        row = model_to_dict(type(obj)._default_manager.get(pk=obj.pk))
    return counts, row


# (who, method, route name, target object for edits or None, payload, expected status). Each module's main
# create/edit action, for a role without the right (403) and for a user of property B on property A's object (404).
UNSAFE: list[tuple[str, str, str, str | None, dict[str, Any], int]] = [
    ("other_front_desk", "post", "web:guest_edit", "guest", {"family_name": "X"}, 404),
    ("other_front_desk", "patch", "api:guest-detail", "guest", {"family_name": "X"}, 404),
    ("other_front_desk", "post", "web:document_reveal", "document", {}, 404),
    ("sales_rep", "post", "web:document_reveal", "document", {}, 403),
    ("marketing", "post", "web:document_reveal", "document", {}, 403),
    ("quality", "post", "api:guest-reveal-id", "guest", {}, 403),
    ("other_front_desk", "post", "api:guest-reveal-id", "guest", {}, 404),
    ("front_desk", "post", "accounts:staff_deactivate", "staff_user", {}, 403),
    ("sales_manager", "post", "accounts:staff_deactivate", "staff_user", {}, 400),
    ("other_sales_manager", "post", "accounts:staff_deactivate", "staff_user", {}, 404),
    ("other_front_desk", "post", "web:stay_edit", "stay", {}, 404),
    ("other_front_desk", "patch", "api:stay-detail", "stay", {"room_number": "9"}, 404),
    ("other_front_desk", "post", "web:company_edit", "company", {"name_zh": "X"}, 404),
    ("other_front_desk", "patch", "api:company-detail", "company", {"name_zh": "X"}, 404),
    ("other_front_desk", "post", "cases:case_edit", "case", {"subject": "X"}, 404),
    ("other_front_desk", "patch", "api:case-detail", "case", {"subject": "X"}, 404),
    ("front_desk", "post", "cases:kb_create", None, {}, 403),
    ("front_desk", "post", "surveys:survey_create", None, {"name": "X"}, 403),
    ("front_desk", "post", "api:survey-send", "survey", {}, 403),
    ("front_desk", "post", "segments:segment_create", None, {"name": "X"}, 403),
    ("sales_rep", "post", "api:segment-list", None, {"name": "X"}, 403),
    ("sales_rep", "patch", "api:segment-detail", "segment", {"name": "X"}, 403),
    ("front_desk", "post", "loyalty:member_adjust", "membership", {"points": "100", "reason": "x"}, 403),
    ("front_desk", "post", "loyalty:programme_settings", None, {}, 403),
    ("front_desk", "post", "messaging:msg_template_create", None, {"code": "x"}, 403),
    ("sales_rep", "post", "campaigns:campaign_create", None, {"name": "X"}, 403),
    ("sales_rep", "post", "api:campaign-list", None, {"name": "X"}, 403),
    ("sales_rep", "post", "api:campaign-send", "campaign", {}, 403),
    ("sales_manager", "post", "journeys:journey_create", None, {"name": "X"}, 403),
    ("sales_manager", "post", "journeys:journey_edit", "journey", {"name": "X"}, 403),
    ("marketing", "post", "journeys:journey_run_now", "journey", {}, 403),
    ("sales_manager", "post", "attribution:lead_upload", "campaign", {}, 403),
    ("marketing", "post", "attribution:settings", None, {}, 403),
    ("front_desk", "post", "api:attribution-refresh", None, {}, 403),
    ("marketing", "post", "analytics:cost_ratios", None, {}, 403),
    ("front_desk", "post", "api:analytics-refresh", None, {}, 403),
    ("marketing", "post", "dashboards:flow_settings", None, {"lost_after_months": "6"}, 403),
    ("sales_manager", "post", "clv:clv_refit", None, {}, 403),
    ("service_agent", "post", "api:task-reassign", "task", {"assignee": 1}, 404),
    ("service_agent", "post", "worklist:task_complete", "task", {}, 404),
    ("sales_rep", "post", "sales:handover", None, {}, 403),
    ("sales_rep", "post", "api:handover-list", None, {}, 403),
    ("front_desk", "post", "sales:account_owner_change", "company", {}, 403),
    ("front_desk", "post", "pipeline:opportunity_create", None, {"title": "X"}, 403),
    ("front_desk", "post", "api:opportunity-list", None, {"title": "X"}, 403),
    ("sales_rep", "post", "pipeline:targets", None, {}, 403),
    ("front_desk", "post", "contracts:contract_create", None, {"title": "X"}, 403),
    ("front_desk", "post", "api:contract-list", None, {"title": "X"}, 403),
    ("front_desk", "post", "contracts:contract_edit", "contract", {"title": "X"}, 403),
    ("front_desk", "post", "tours:tour_product_create", None, {"code": "x"}, 403),
    ("front_desk", "post", "api:tours-product-list", None, {"code": "x"}, 403),
    ("front_desk", "post", "api:import-list", None, {}, 403),
    ("manager", "post", "web:duplicate_settings", None, {}, 403),
    ("sales_manager", "post", "privacy:guest_erase", "guest", {}, 403),
    ("front_desk", "post", "api:guest-erase", "guest", {}, 403),
]


@pytest.mark.parametrize(("who", "method", "name", "target", "payload", "status"), UNSAFE,
                         ids=[f"{c[2]}-{c[0]}" for c in UNSAFE])
def test_unsafe_methods_are_refused(who: str, method: str, name: str, target: str | None, payload: dict[str, Any],
                                    status: int, world: Any, clients: Any) -> None:
    route = next(r for r in walk() if r.name == name)
    path = path_for(route, world.objects)
    before = _fingerprint(world, target)
    client = clients[who, route.is_api]
    kwargs: dict[str, Any] = {"format": "json"} if route.is_api else {}
    response = getattr(client, method)(path, payload, **kwargs)
    assert response.status_code == status
    assert _fingerprint(world, target) == before


@pytest.mark.parametrize("name", ["api:guest-list", "api:case-list", "api:segment-list"])
def test_anonymous_api_writes_are_refused(name: str, world: Any, clients: Any) -> None:
    before = _fingerprint(world, None)
    response = clients["anon", True].post(reverse(name), {"name": "X"}, format="json")
    assert response.status_code in (401, 403)
    assert _fingerprint(world, None) == before
