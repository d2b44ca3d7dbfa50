"""Count requests against rate-limit scopes.

A scope's counter for one identity lives in the default cache under a key that
names the scope, the window length and a digest of the identity. The window opens
with the first request and lasts the scope's duration; the counter and its expiry
are created together, so ``Remaining`` and ``Reset`` are exact.

On Redis one Lua script increments the counter, sets the expiry on a new counter
and reads the time left, in a single round trip: exact across every worker process.
On any other cache backend the read and the write happen under a lock held by the
process; that is exact within one process only, so several workers each keep their
own counters there.
"""

import hashlib
import logging
import math
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import NoScriptError, RedisError

from portal.ratelimit.rates import DEFAULT_RATES, Rate, parse_rate

logger = logging.getLogger(__name__)

# A store that cannot be reached is reported once per interval and process.
WARNING_INTERVAL = 60.0

_clock = time.time
_monotonic = time.monotonic

# INCR, an expiry on a new counter (or on one found without an expiry) and the
# time left, as one atomic step.
_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""
_HIT_SCRIPT_SHA = hashlib.sha1(_HIT_SCRIPT.encode()).hexdigest()

_local_lock = threading.Lock()
_warning_lock = threading.Lock()
_last_warning: float | None = None


class StoreUnavailable(Exception):
    """The cache that holds the counters cannot be reached."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The state of one scope's counter for one identity, after a hit or a peek."""

    scope: str
    limit: int
    duration: int
    count: int
    reset_seconds: int
    reset: int

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    @property
    def available_seconds(self) -> int:
        """Seconds until one more request is accepted: 0 while some remain."""
        return 0 if self.remaining else self.reset_seconds

    @property
    def available(self) -> int:
        """Epoch second from which one more request is accepted."""
        return self.reset - self.reset_seconds + self.available_seconds


def rate_for(scope: str) -> Rate:
    """Return the configured rate of ``scope``; raise ``KeyError`` if unknown."""
    configured = getattr(settings, "THROTTLING_RATES", {})
    return _parsed(configured.get(scope) or DEFAULT_RATES[scope])


@lru_cache(maxsize=256)
def _parsed(text: str) -> Rate:
    return parse_rate(text)


def hit(scope: str, ident: str) -> Decision | None:
    """Count one request by ``ident`` in ``scope`` and return the decision.

    Return ``None`` when the store cannot be reached and the limiter fails open
    (``THROTTLING_FAIL_OPEN``); raise ``StoreUnavailable`` when it fails closed.
    """
    rate = rate_for(scope)
    key = _key(scope, rate, ident)
    backend = caches["default"]
    try:
        if isinstance(backend, RedisCache):
            count, ttl_ms = _hit_redis(backend, key, rate)
        else:
            count, ttl_ms = _hit_local(backend, key, rate)
    except (RedisError, OSError) as error:
        _warn_unavailable(error)
        if settings.THROTTLING_FAIL_OPEN:
            return None
        raise StoreUnavailable from error

    return _decision(scope, rate, count, ttl_ms)


def peek(scopes: Iterable[str], ident: str) -> list[Decision]:
    """Return the decisions of ``scopes`` for ``ident`` without counting anything.

    Raise ``StoreUnavailable`` when the store cannot be reached.
    """
    rates = [(scope, rate_for(scope)) for scope in scopes]
    keys = [_key(scope, rate, ident) for scope, rate in rates]
    backend = caches["default"]
    try:
        if isinstance(backend, RedisCache):
            states = _peek_redis(backend, keys)
        else:
            states = _peek_local(backend, keys)
    except (RedisError, OSError) as error:
        _warn_unavailable(error)
        raise StoreUnavailable from error

    return [
        _decision(scope, rate, count, ttl_ms)
        for (scope, rate), (count, ttl_ms) in zip(rates, states, strict=True)
    ]


def _key(scope: str, rate: Rate, ident: str) -> str:
    # A digest keeps account names and addresses out of the cache's key space
    # and bounds the key length.
    digest = hashlib.blake2b(ident.encode(), digest_size=16).hexdigest()
    return f"ratelimit:{scope}:{rate.duration}:{digest}"


def _decision(scope: str, rate: Rate, count: int, ttl_ms: int) -> Decision:
    now = _clock()
    reset_seconds = math.ceil(ttl_ms / 1000) if count else 0
    return Decision(
        scope=scope,
        limit=rate.count,
        duration=rate.duration,
        count=count,
        reset_seconds=reset_seconds,
        reset=math.ceil(now + ttl_ms / 1000) if count else math.ceil(now),
    )


def _redis_client(backend: RedisCache, redis_key: str) -> Any:
    # Django's Redis cache builds a new client object around its connection pool
    # for every operation, which costs more than the round trip itself; the
    # limiter keeps one per cache backend (Django keeps one backend per thread).
    client = backend.__dict__.get("_rate_limit_client")
    if client is None:
        client = backend._cache.get_client(redis_key, write=True)
        backend._rate_limit_client = client
    return client


def _hit_redis(backend: RedisCache, key: str, rate: Rate) -> tuple[int, int]:
    redis_key = backend.make_and_validate_key(key)
    client = _redis_client(backend, redis_key)
    window_ms = rate.duration * 1000
    try:
        count, ttl_ms = client.evalsha(_HIT_SCRIPT_SHA, 1, redis_key, window_ms)
    except NoScriptError:
        # A restarted or new server: EVAL runs the script and caches it.
        count, ttl_ms = client.eval(_HIT_SCRIPT, 1, redis_key, window_ms)
    return int(count), int(ttl_ms)


def _peek_redis(backend: RedisCache, keys: list[str]) -> list[tuple[int, int]]:
    redis_keys = [backend.make_and_validate_key(key) for key in keys]
    client = _redis_client(backend, redis_keys[0] if redis_keys else "")
    pipeline = client.pipeline(transaction=False)
    for redis_key in redis_keys:
        pipeline.get(redis_key)
        pipeline.pttl(redis_key)
    replies = pipeline.execute()
    states = []
    for value, ttl_ms in zip(replies[::2], replies[1::2], strict=True):
        if value is None or ttl_ms < 0:
            states.append((0, 0))
        else:
            states.append((int(value), int(ttl_ms)))
    return states


def _hit_local(backend: BaseCache, key: str, rate: Rate) -> tuple[int, int]:
    # Not atomic across processes: the lock serialises this process only.
    with _local_lock:
        now = _clock()
        entry: Any = backend.get(key)
        if entry is None or entry[1] <= now:
            expires_at = now + rate.duration
            count = 1
        else:
            count, expires_at = entry[0] + 1, entry[1]
        backend.set(key, (count, expires_at), timeout=expires_at - now)
    return count, round((expires_at - now) * 1000)


def _peek_local(backend: BaseCache, keys: list[str]) -> list[tuple[int, int]]:
    now = _clock()
    entries: dict[str, Any] = backend.get_many(keys)
    states = []
    for key in keys:
        entry = entries.get(key)
        if entry is None or entry[1] <= now:
            states.append((0, 0))
        else:
            states.append((entry[0], round((entry[1] - now) * 1000)))
    return states


def _warn_unavailable(error: BaseException) -> None:
    global _last_warning

    with _warning_lock:
        now = _monotonic()
        if _last_warning is not None and now - _last_warning < WARNING_INTERVAL:
            return
        _last_warning = now
    # The error's class only: its text may hold the store's URL and password.
    logger.warning(
        "Rate-limit store unreachable (%s); requests are %s until it is back. "
        "Next report in %d s at the earliest.",
        type(error).__name__,
        "served uncounted" if settings.THROTTLING_FAIL_OPEN else "refused",
        WARNING_INTERVAL,
    )
