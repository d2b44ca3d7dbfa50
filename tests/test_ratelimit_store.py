"""The counters' store: Redis through one Lua script, and Redis going away."""

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import caches
from django.test import override_settings

from portal.ratelimit import services

pytestmark = pytest.mark.django_db

REDIS = "redis://127.0.0.1:6379/15"
CLOSED_PORT = "redis://127.0.0.1:1/15"


def _redis_cache(location, prefix):
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
        }
    }


@pytest.fixture
def redis_prefix():
    prefix = f"test-ratelimit-{uuid.uuid4().hex}"
    yield prefix
    with override_settings(CACHES=_redis_cache(REDIS, prefix)):
        client = caches["default"]._cache.get_client(write=True)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


@pytest.fixture
def warnings_reset(monkeypatch):
    monkeypatch.setattr(services, "_last_warning", None)


def test_redis_counts_with_an_expiry_set_on_the_first_hit(redis_prefix):
    with override_settings(CACHES=_redis_cache(REDIS, redis_prefix)):
        decisions = [services.hit("login", "ip:192.0.2.1") for _ in range(3)]
        client = caches["default"]._cache.get_client(write=True)
        (key,) = list(client.scan_iter(f"{redis_prefix}:*"))
        ttl_ms = client.pttl(key)

    assert [d.count for d in decisions] == [1, 2, 3]
    assert [d.remaining for d in decisions] == [29, 28, 27]
    assert all(d.reset_seconds == 3600 for d in decisions)
    assert 3_590_000 < ttl_ms <= 3_600_000
    assert b"192.0.2.1" not in key


def test_redis_counts_exactly_under_concurrent_hits(redis_prefix, settings):
    settings.THROTTLING_RATES = {"oauth-token": "25/h"}

    with override_settings(CACHES=_redis_cache(REDIS, redis_prefix)):

        def one_hit(_):
            return services.hit("oauth-token", "user:7")

        with ThreadPoolExecutor(max_workers=16) as pool:
            decisions = list(pool.map(one_hit, range(60)))

    assert sorted(d.count for d in decisions) == list(range(1, 61))
    assert sum(d.allowed for d in decisions) == 25


def test_redis_peek_reads_without_counting(redis_prefix):
    with override_settings(CACHES=_redis_cache(REDIS, redis_prefix)):
        services.hit("signup", "ip:192.0.2.1")
        before = services.peek(["signup", "login"], "ip:192.0.2.1")
        after = services.peek(["signup", "login"], "ip:192.0.2.1")

    assert [d.count for d in before] == [1, 0] == [d.count for d in after]
    assert before[0].reset_seconds == 86400


def test_the_local_memory_store_is_exact_across_threads(settings):
    settings.THROTTLING_RATES = {"oauth-token": "25/h"}

    with ThreadPoolExecutor(max_workers=16) as pool:
        decisions = list(
            pool.map(lambda _: services.hit("oauth-token", "user:7"), range(60))
        )

    assert sorted(d.count for d in decisions) == list(range(1, 61))


def test_with_redis_down_requests_are_served_and_one_warning_is_logged(
    client, caplog, monkeypatch, warnings_reset
):
    clock = [1000.0]
    monkeypatch.setattr(services, "_monotonic", lambda: clock[0])
    caplog.set_level(logging.WARNING, logger="portal.ratelimit")

    with override_settings(CACHES=_redis_cache(CLOSED_PORT, "down")):
        served = [client.get("/accounts/login/") for _ in range(5)]
        first_interval = [
            r for r in caplog.records if r.name == "portal.ratelimit.services"
        ]
        clock[0] += services.WARNING_INTERVAL
        served.append(client.get("/accounts/login/"))
        served.append(client.get("/accounts/login/"))

    warnings = [r for r in caplog.records if r.name == "portal.ratelimit.services"]
    assert [r.status_code for r in served] == [200] * 7
    assert "X-RateLimit-Scope" not in served[0]
    assert len(first_interval) == 1
    assert len(warnings) == 2
    assert warnings[0].levelname == "WARNING"
    assert "ConnectionError" in warnings[0].getMessage()
    assert "127.0.0.1:1" not in warnings[0].getMessage()


def test_with_redis_down_the_budget_endpoint_answers_503(client, warnings_reset):
    with override_settings(CACHES=_redis_cache(CLOSED_PORT, "down")):
        response = client.get("/api/v1/rate-limit/")

    assert response.status_code == 503


def test_failing_closed_redis_down_refuses_with_503(client, settings, warnings_reset):
    settings.THROTTLING_FAIL_OPEN = False

    with override_settings(CACHES=_redis_cache(CLOSED_PORT, "down")):
        api = client.get("/api/v1/things/")
        page = client.post(
            "/accounts/login/",
            {"username": "alice", "password": "x"},
            HTTP_ACCEPT="text/html",
        )

    assert api.status_code == 503
    assert api["Retry-After"] == "60"
    assert api.json()["detail"]
    assert page.status_code == 503
    assert page["Retry-After"] == "60"
