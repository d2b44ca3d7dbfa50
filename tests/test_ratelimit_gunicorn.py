"""Exact limits across several worker processes sharing one Redis."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKERS = 3
LIMIT = 15
REQUESTS = 40


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_url():
    # The suite's own Redis when it runs on one, else the machine's (always there).
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def _wait_for_workers(server, log_path, port, deadline):
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited early:\n{log_path.read_text()}")
        booted = log_path.read_text().count("Booting worker")
        if booted >= WORKERS:
            try:
                # The budget endpoint is not counted, so probing spends nothing.
                url = f"http://127.0.0.1:{port}/api/v1/rate-limit/"
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not start in time:\n{log_path.read_text()}")


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.headers.get("X-RateLimit-Remaining")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("X-RateLimit-Remaining")


def test_workers_sharing_redis_let_exactly_the_limit_through(tmp_path):
    port = _free_port()
    prefix = f"test-gunicorn-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_SECRET_KEY": "test-only-gunicorn-key",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": _redis_url(),
        "PORTAL_CACHE_PREFIX": prefix,
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "THROTTLING_RATES": f"anonymous-wildcard={LIMIT}/h",
        "THROTTLING_ENABLED": "true",
        "THROTTLING_TRUSTED_PROXIES": "0",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=180,
    )
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "portal.wsgi",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "30",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_workers(server, log_path, port, time.monotonic() + 60)
        url = f"http://127.0.0.1:{port}/accounts/login/"

        with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
            results = list(pool.map(_get, [url] * REQUESTS))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        store = redis.Redis.from_url(_redis_url())
        for key in store.scan_iter(f"{prefix}:*"):
            store.delete(key)
        store.close()

    statuses = sorted(status for status, _remaining in results)
    assert statuses == [200] * LIMIT + [429] * (REQUESTS - LIMIT)
    remaining = sorted(int(r) for status, r in results if status == 200)
    assert remaining == list(range(LIMIT))
