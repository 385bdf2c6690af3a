"""Hostile input against the REST API: schemathesis generates requests for every operation of the OpenAPI schema
(/api/v1/schema/) and sends them in-process to the WSGI application, authenticated as a group-wide manager, over a
small seeded database. Every answer must be non-5xx and match the documentation: status code, media type, headers
and body schema (including the (attr, code) pairs of every 400 `validation_error`).

Part of the default suite: derandomized (the same examples on every run), SCHEMATHESIS_MAX_EXAMPLES per operation
(default 8), no shrinking. The deep run draws fresh random examples and shrinks failures (hypothesis prints a
@reproduce_failure blob for each):

    RUN_SCHEMATHESIS_DEEP=1 DJANGO_SETTINGS_MODULE=concierge.settings_test \
        .venv/bin/python -m pytest -q -n 2 tests/hostile/test_api_schemathesis.py

(SCHEMATHESIS_MAX_EXAMPLES, default 100 in the deep run; SCHEMATHESIS_SEED=<n> replays one deep run.) See
docs/security.md.
"""
from __future__ import annotations

import datetime as dt
import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

DEEP = os.environ.get("RUN_SCHEMATHESIS_DEEP") == "1"
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "100" if DEEP else "8"))
SEED = os.environ.get("SCHEMATHESIS_SEED")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


def _schema() -> schemathesis.schemas.BaseSchema:
    # The same document /api/v1/schema/ serves (that endpoint needs a signed-in user, so it is generated here).
    raw = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = get_wsgi_application()
    return loaded


schema = _schema()


@pytest.fixture(scope="module")
def api_token(django_db_setup, django_db_blocker):
    """A manager's token and a little data of each kind, committed once for the module (removed at the end)."""
    from rest_framework.authtoken.models import Token

    from concierge.accounts.models import User
    from concierge.guests.services import guest_create
    from concierge.properties.models import HotelGroup, Property

    with django_db_blocker.unblock():
        group = HotelGroup.objects.create(name_zh="礼宾酒店集团", name_en="Concierge Hotels")
        sha = Property.objects.create(group=group, code="SHA", name_zh="上海外滩酒店", name_en="Shanghai Bund Hotel")
        manager = User.objects.create_user(username="fuzz-manager", password="fuzz-password-123", role="manager")
        for i in range(3):
            guest_create(actor=manager, property=sha, family_name="张", given_name=f"伟{i}",
                         family_name_latin="ZHANG", given_name_latin=f"WEI{i}", phone=f"138 0013 800{i}",
                         email=f"zhang{i}@example.cn", birthday=dt.date(1980, 1, 1 + i))
        token = Token.objects.create(user=manager)
        yield token.key
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module", autouse=True)
def _keep_the_test_connection():
    """Django closes the connection at the end of each WSGI request; the test transaction needs it (as Django's
    test client does, disconnect that handler while the in-process calls run)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _hypothesis_settings(test):
    """Default suite: derandomized, bounded, no shrinking. Deep run: random (or SCHEMATHESIS_SEED), shrinking on."""
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if DEEP else [])
    test = settings(max_examples=MAX_EXAMPLES, deadline=None, phases=phases, derandomize=not DEEP and SEED is None,
                    database=None, print_blob=DEEP, suppress_health_check=list(HealthCheck))(test)
    return seed(int(SEED))(test) if SEED else test


@pytest.mark.django_db
@schema.parametrize()
@_hypothesis_settings
def test_api_answers_every_generated_request_without_5xx_or_schema_violation(case, api_token):
    case.call_and_validate(headers={"Authorization": f"Token {api_token}"}, checks=CHECKS)
