"""The bearer path's cost in queries and rate-limit round trips, guarded here;
its timing lives in the benchmark (docs/performance.md)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.oauth import services
from portal.ratelimit import services as limiter
from tests.oauth_helpers import make_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(owner):
    application, _secret = make_application(owner)
    _token, raw = services.issue_personal_token(application, owner)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_a_bearer_request_costs_one_query_once_the_last_use_is_recorded(bearer):
    api = Client()
    api.get("/api/v1/users/me/", **bearer)

    with CaptureQueriesContext(connection) as captured:
        for _ in range(5):
            assert api.get("/api/v1/users/me/", **bearer).status_code == 200

    assert len(captured) == 5
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in captured)


def test_the_first_use_in_a_minute_adds_one_write(bearer):
    with CaptureQueriesContext(connection) as captured:
        Client().get("/api/v1/users/me/", **bearer)

    statements = [q["sql"].lstrip().split()[0].upper() for q in captured]
    assert statements == ["SELECT", "UPDATE"]


def test_a_bearer_request_makes_one_rate_limit_round_trip(bearer, monkeypatch):
    calls = []
    for name in ("_hit_local", "_hit_redis"):
        original = getattr(limiter, name)

        def counting(*args, _original=original, **kwargs):
            calls.append(1)
            return _original(*args, **kwargs)

        monkeypatch.setattr(limiter, name, counting)

    response = Client().get("/api/v1/users/me/", **bearer)

    assert response.status_code == 200
    assert response["X-RateLimit-Remaining"]
    assert len(calls) == 1
