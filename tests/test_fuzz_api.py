"""Property-based fuzzing of the JSON API from the OpenAPI schema it serves.

Schemathesis reads ``/api/v1/schema/`` through the WSGI application and sends
generated requests, valid and invalid, to every operation, as an anonymous
caller, as a signed-in session (with its CSRF token) and with a personal token
holding every scope. Every answer must be below 500, carry a documented status
code and content type, and match the documented body.

Fifteen examples per operation and caller keep the run within CI's budget; set
``PORTAL_FUZZ_EXAMPLES`` to search longer:

    PORTAL_FUZZ_EXAMPLES=500 ./dev test tests/test_fuzz_api.py
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, override_settings
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.oauth import scopes, services
from portal.oauth.models import Application
from portal.wsgi import application as wsgi_application

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "15"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CSRF_SECRET_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@pytest.fixture
def wsgi_in_test_transaction():
    """Let the WSGI handler run inside the test's transaction.

    Django's handler closes "old" connections at the start and end of each
    request, which would close the connection holding the test's transaction;
    Django's own test client disconnects the same receivers.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield wsgi_application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _load_schema():
    # Loaded while the tests are collected, before pytest-django adds its test
    # host; schemathesis's WSGI client sends Host: localhost.
    with override_settings(ALLOWED_HOSTS=["localhost"]):
        return schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_application)


@pytest.fixture(autouse=True)
def _fuzzing_settings(settings, wsgi_in_test_transaction):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    # One fuzz run sends hundreds of requests, registrations among them (10/h):
    # counting them would turn most answers into 429 and leave the views unfuzzed.
    settings.THROTTLING_ENABLED = False


schema = _load_schema()


@pytest.fixture
def target(owner):
    """An application of the owner's that the generated paths are aimed at."""
    application, _secret = _register(owner, ["read"])
    return {"client_id": application.client_id}


def _register(owner, scope_ids, name="Fuzz target"):
    return services.create_application(
        name=name,
        redirect_uris=["https://client.example/cb"],
        scope_ids=scope_ids,
        owner=owner,
    )


@pytest.fixture
def anonymous_caller():
    return {"headers": {}, "cookies": {}}


@pytest.fixture
def session_caller(owner):
    client = Client()
    client.force_login(owner)
    csrf = get_random_string(32, CSRF_SECRET_CHARS)
    return {
        "headers": {"X-CSRFToken": csrf},
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
    }


@pytest.fixture
def bearer_caller(owner):
    holder, _secret = _register(owner, sorted(scopes.ALL_IDS), "Fuzz token holder")
    _token, raw = services.issue_personal_token(holder, owner)
    return {"headers": {"Authorization": f"Bearer {raw}"}, "cookies": {}}


def _fuzz(case, real_target, caller, target, owner):
    if real_target and "client_id" in (case.path_parameters or {}):
        # Aim at an application the owner has, registering it again when an
        # earlier example deleted it, so the owner's branches are fuzzed too.
        if not Application.objects.filter(client_id=target["client_id"]).exists():
            application, _secret = _register(owner, ["read"])
            target["client_id"] = application.client_id
        case.path_parameters["client_id"] = target["client_id"]

    case.call_and_validate(
        headers=caller["headers"], cookies=caller["cookies"], checks=CHECKS
    )


def _fuzzed(test):
    test = hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )(test)
    return schema.parametrize()(schema.given(real_target=st.booleans())(test))


@_fuzzed
def test_anonymous_callers_get_documented_answers(
    case, real_target, anonymous_caller, target, owner
):
    _fuzz(case, real_target, anonymous_caller, target, owner)


@_fuzzed
def test_session_callers_get_documented_answers(
    case, real_target, session_caller, target, owner
):
    _fuzz(case, real_target, session_caller, target, owner)


@_fuzzed
def test_bearer_callers_get_documented_answers(
    case, real_target, bearer_caller, target, owner
):
    _fuzz(case, real_target, bearer_caller, target, owner)
