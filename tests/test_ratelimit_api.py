"""GET /api/v1/rate-limit/: the caller's budget in every scope."""

import pytest

from portal.ratelimit import services
from portal.ratelimit.rates import SCOPES

pytestmark = pytest.mark.django_db

NOW = 1_700_000_000.0
FIELDS = {
    "id",
    "rate",
    "description",
    "limit",
    "duration",
    "remaining",
    "available",
    "available_seconds",
    "reset",
    "reset_seconds",
}


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch):
    monkeypatch.setattr(services, "_clock", lambda: NOW)


def _scopes(response):
    return {scope["id"]: scope for scope in response.json()["scopes"]}


def test_anonymous_sees_its_address_and_the_scopes_that_apply_to_it(client):
    response = client.get("/api/v1/rate-limit/")

    assert response.status_code == 200
    body = response.json()
    assert body["enabled"] is True
    assert body["ident"] == {"type": "anonymous", "id": "127.0.0.1"}
    ids = [scope["id"] for scope in body["scopes"]]
    assert ids == sorted(s for s in SCOPES if not s.startswith("authenticated-"))
    assert all(set(scope) == FIELDS for scope in body["scopes"])
    assert _scopes(response)["login"] == {
        "id": "login",
        "rate": "30/h",
        "description": "Sign-in attempts, counted per address and per account name.",
        "limit": 30,
        "duration": 3600,
        "remaining": 30,
        "available": int(NOW),
        "available_seconds": 0,
        "reset": int(NOW),
        "reset_seconds": 0,
    }


def test_the_owner_sees_their_user_id_and_authenticated_scopes(owner_client, owner):
    body = owner_client.get("/api/v1/rate-limit/").json()

    assert body["ident"] == {"type": "authenticated", "id": owner.pk}
    ids = {scope["id"] for scope in body["scopes"]}
    assert "authenticated-wildcard" in ids
    assert not any(i.startswith("anonymous-") for i in ids)


def test_reading_the_budget_consumes_nothing(client):
    first = client.get("/api/v1/rate-limit/")
    second = client.get("/api/v1/rate-limit/")

    assert first.json() == second.json()
    assert "X-RateLimit-Scope" not in second
    assert all(d.count == 0 for d in services.peek(SCOPES, "ip:127.0.0.1"))


def test_the_budget_reflects_what_was_spent(client, settings):
    settings.THROTTLING_RATES = {"anonymous-wildcard": "2/m"}
    client.get("/accounts/login/")
    client.get("/accounts/login/")

    wildcard = _scopes(client.get("/api/v1/rate-limit/"))["anonymous-wildcard"]

    assert wildcard == {
        "id": "anonymous-wildcard",
        "rate": "2/m",
        "description": "Anonymous requests not covered by another scope.",
        "limit": 2,
        "duration": 60,
        "remaining": 0,
        "available": int(NOW) + 60,
        "available_seconds": 60,
        "reset": int(NOW) + 60,
        "reset_seconds": 60,
    }


def test_the_budget_says_when_limiting_is_switched_off(client, settings):
    settings.THROTTLING_ENABLED = False

    assert client.get("/api/v1/rate-limit/").json()["enabled"] is False
