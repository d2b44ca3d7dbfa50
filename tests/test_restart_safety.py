"""What the portal keeps survives a restart of its server processes.

A real gunicorn serves a fresh PostgreSQL database (created and dropped here,
whatever database the suite itself runs on): an account, an application, its
personal token, an OAuth grant and its tokens, and the security events they
wrote must all still be there after the server stops and starts again. Rate-limit
windows live in Redis and survive a restart too.
"""

import base64
import hashlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/15"
REDIRECT = "https://client.example/callback"
PASSWORD = "a long and unguessable passphrase"
TIMEOUT = 20


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _postgres_database():
    """Create an empty PostgreSQL database and drop it afterwards."""
    name = f"portal_restart_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _environment(port, **extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "THROTTLING_RATES")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_SECRET_KEY="test-only-restart-key",
        # Unhashed static names: no collectstatic before the server starts.
        DJANGO_DEBUG="true",
        PORTAL_BASE_URL=f"http://127.0.0.1:{port}",
        PORTAL_LOG_LEVEL="WARNING",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        THROTTLING_TRUSTED_PROXIES="0",
        **extra,
    )
    return env


def _migrate(env):
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=180,
    )


@contextmanager
def _gunicorn(env, port, log_path):
    """Run gunicorn with two workers until the block ends, then stop it."""
    with log_path.open("ab") as log:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "portal.wsgi:application",
                "--workers",
                "2",
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
        _wait_until_serving(server, port, log_path)
        yield server
    finally:
        _stop(server)


def _wait_until_serving(server, port, log_path):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited early:\n{log_path.read_text()}")
        try:
            # Reading one's budget is not counted: probing spends nothing.
            url = f"http://127.0.0.1:{port}/api/v1/rate-limit/"
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not start in time:\n{log_path.read_text()}")


def _stop(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def _csrf(session, base, path):
    session.get(base + path, timeout=TIMEOUT)
    return session.cookies["csrftoken"]


def _sign_up(base):
    browser = requests.Session()
    token = _csrf(browser, base, "/accounts/signup/")
    response = browser.post(
        base + "/accounts/signup/",
        {
            "csrfmiddlewaretoken": token,
            "username": "carol",
            "email": "carol@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 302, response.text[:2000]
    return browser


def _register(browser, base):
    response = browser.post(
        base + "/api/v1/oauth/apps/",
        json={"name": "Restart client", "redirect_uris": REDIRECT, "scopes": "read"},
        headers={"X-CSRFToken": browser.cookies["csrftoken"]},
        timeout=TIMEOUT,
    )
    assert response.status_code == 201, response.text
    return response.json()


def _authorize(browser, base, client_id):
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        .rstrip(b"=")
        .decode()
    )
    response = browser.post(
        base + "/authorize",
        {
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "client_id": client_id,
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": "read",
            "state": "s",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "allow": "1",
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 302, response.text[:2000]
    return parse_qs(urlsplit(response.headers["Location"]).query)["code"][0], verifier


def _token(base, app, **data):
    return requests.post(
        base + "/api/v1/oauth/token/",
        {"client_id": app["client_id"], "client_secret": app["client_secret"], **data},
        timeout=TIMEOUT,
    )


def _me(base, raw):
    return requests.get(
        base + "/api/v1/users/me/",
        headers={"Authorization": f"Bearer {raw}"},
        timeout=TIMEOUT,
    )


def _events(database_url):
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT kind, count(*) FROM audit_securityevent GROUP BY kind"
        ).fetchall()
    return dict(rows)


def test_tokens_grants_and_events_survive_a_restart_on_postgresql(tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "gunicorn.log"

    with _postgres_database() as database_url:
        env = _environment(port, DATABASE_URL=database_url, THROTTLING_ENABLED="false")
        _migrate(env)

        with _gunicorn(env, port, log_path):
            browser = _sign_up(base)
            app = _register(browser, base)
            personal = app["token"]
            assert _me(base, personal).status_code == 200
            code, verifier = _authorize(browser, base, app["client_id"])
            issued = _token(
                base,
                app,
                grant_type="authorization_code",
                code=code,
                redirect_uri=REDIRECT,
                code_verifier=verifier,
            ).json()
            assert _me(base, issued["access_token"]).status_code == 200
            pending, pending_verifier = _authorize(browser, base, app["client_id"])
        before = _events(database_url)

        with _gunicorn(env, port, log_path):
            assert _me(base, personal).status_code == 200
            assert _me(base, issued["access_token"]).status_code == 200
            rotated = _token(
                base,
                app,
                grant_type="refresh_token",
                refresh_token=issued["refresh_token"],
            )
            assert rotated.status_code == 200, rotated.text
            redeemed = _token(
                base,
                app,
                grant_type="authorization_code",
                code=pending,
                redirect_uri=REDIRECT,
                code_verifier=pending_verifier,
            )
            assert redeemed.status_code == 200, redeemed.text
            replay = _token(
                base,
                app,
                grant_type="authorization_code",
                code=code,
                redirect_uri=REDIRECT,
                code_verifier=verifier,
            )
            assert replay.status_code == 400
            security_log = browser.get(base + "/settings/security/", timeout=TIMEOUT)
            assert security_log.status_code == 200
            assert "Restart client" in security_log.text
        after = _events(database_url)

    for kind in (
        "sign_in_succeeded",
        "application_created",
        "personal_token_issued",
        "consent_granted",
        "token_issued_by_code",
    ):
        assert before.get(kind, 0) >= 1, (kind, before)
        assert after.get(kind, 0) >= before[kind], (kind, after)
    assert after["token_issued_by_code"] == before["token_issued_by_code"] + 1
    assert after.get("token_issued_by_refresh") == 1
    assert after.get("code_replayed") == 1


def _get(url):
    response = requests.get(url, timeout=TIMEOUT)
    return response.status_code, response.headers.get("X-RateLimit-Remaining")


def test_rate_limit_windows_survive_a_restart_on_redis(tmp_path):
    port = _free_port()
    prefix = f"test-restart-{uuid.uuid4().hex}"
    env = _environment(
        port,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL=REDIS_URL,
        PORTAL_CACHE_PREFIX=prefix,
        THROTTLING_ENABLED="true",
        THROTTLING_RATES="anonymous-wildcard=5/h",
    )
    log_path = tmp_path / "gunicorn.log"
    url = f"http://127.0.0.1:{port}/accounts/login/"
    _migrate(env)

    try:
        with _gunicorn(env, port, log_path):
            first = [_get(url) for _ in range(3)]
        with _gunicorn(env, port, log_path):
            after_restart = [_get(url) for _ in range(3)]
    finally:
        store = redis.Redis.from_url(REDIS_URL)
        for key in store.scan_iter(f"{prefix}:*"):
            store.delete(key)
        store.close()

    assert first == [(200, "4"), (200, "3"), (200, "2")]
    assert after_restart[0] == (200, "1")
    assert after_restart[1] == (200, "0")
    assert after_restart[2][0] == 429
    assert re.fullmatch(r"\d+", after_restart[2][1] or "")
