"""Attacks on the authorization server and the API, one row each, with the
answer each must get: its status and its error code.

The error code is read where the protocol puts it: ``error`` in a JSON body, in
the redirect's query, or in ``WWW-Authenticate``; ``None`` means the answer
names none. Redirect bypasses follow RFC 9700 §4.1; the rest come from RFC 6749
§10, RFC 6750 §5 and RFC 7009/7662.
"""

import json
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from portal.audit.models import SecurityEvent
from portal.oauth import services
from portal.oauth.bearer import find_live_token
from portal.oauth.models import AccessToken, Application, Grant
from tests.oauth_helpers import (
    REDIRECT,
    authorize_params,
    exchange,
    get_code,
    make_application,
    pkce_pair,
    refresh,
)
from tests.test_oauth_concurrency import RACERS, _race

pytestmark = pytest.mark.django_db

LOOPBACK = "http://127.0.0.1/cb"
ME = "/api/v1/users/me/"
APPS = "/api/v1/oauth/apps/"
TOKEN = "/api/v1/oauth/token/"
REVOKE = "/api/v1/oauth/revoke/"
INTROSPECT = "/api/v1/oauth/introspect/"
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


@dataclass
class World:
    """Alice signed in, Bob's application, an intruder's application, a client."""

    browser: Client
    application: Application
    secret: str
    intruder: Application
    intruder_secret: str
    api: Client


@pytest.fixture
def world(owner_client, other):
    application, secret = make_application(
        other, redirect_uris=[REDIRECT, LOOPBACK], scope_ids=["read"]
    )
    intruder, intruder_secret = make_application(other)
    return World(owner_client, application, secret, intruder, intruder_secret, Client())


def _error(response):
    """Return the OAuth error code an answer carries, or None."""
    if response.get("Location"):
        return parse_qs(urlsplit(response["Location"]).query).get("error", [None])[0]
    if response.get("Content-Type", "").startswith("application/json"):
        body = json.loads(response.content or b"{}")
        if isinstance(body, dict) and "error" in body:
            return body["error"]
    found = re.search(r'error="([^"]+)"', response.get("WWW-Authenticate", ""))
    return found.group(1) if found else None


def _works(raw):
    return find_live_token(raw) is not None


def _issue(world, challenge=None, verifier=None):
    code = get_code(world.browser, world.application, challenge)
    response = exchange(world.api, world.application, world.secret, code, verifier)
    assert response.status_code == 200, response.content
    return response.json()


def _form_post(client, path, pairs, **extra):
    body = "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)
    return client.post(
        path, body, content_type="application/x-www-form-urlencoded", **extra
    )


# Redirect URI bypasses (RFC 9700 §4.1) --------------------------------------------

_LOOKALIKE_HOST = "clіent.example"  # Cyrillic і (U+0456)
REDIRECT_BYPASSES = [
    pytest.param(REDIRECT + "?next=https://evil.example/", id="open-redirector-query"),
    pytest.param(REDIRECT + "&next=https://evil.example/", id="open-redirector-amp"),
    pytest.param("https://client.example/callback/../evil", id="path-traversal-up"),
    pytest.param("https://client.example/evil/../callback", id="path-traversal-back"),
    pytest.param(
        "https://client.example/callback/%2E%2E/evil", id="path-traversal-encoded"
    ),
    pytest.param("https://client.example@evil.example/callback", id="userinfo-host"),
    pytest.param("https://evil.example@client.example/callback", id="userinfo-user"),
    pytest.param("https://evil.client.example/callback", id="subdomain"),
    pytest.param("https://client.example.evil.example/callback", id="suffix-domain"),
    pytest.param(REDIRECT + "#@evil.example", id="fragment"),
    pytest.param(REDIRECT + "#", id="empty-fragment"),
    pytest.param("https://CLIENT.EXAMPLE/callback", id="host-case"),
    pytest.param("HTTPS://client.example/callback", id="scheme-case"),
    pytest.param("https://client.example/CALLBACK", id="path-case"),
    pytest.param(REDIRECT + "/", id="trailing-slash"),
    pytest.param("https://client.example./callback", id="trailing-dot-host"),
    pytest.param("https://client.example:8443/callback", id="port-non-loopback"),
    pytest.param("https://client.example:443/callback", id="default-port-spelled"),
    pytest.param("http://client.example/callback", id="http-downgrade"),
    pytest.param(f"https://{_LOOKALIKE_HOST}/callback", id="idn-lookalike"),
    pytest.param(
        "https://" + _LOOKALIKE_HOST.encode("idna").decode() + "/callback",
        id="punycode-lookalike",
    ),
    pytest.param("https://client.example/%63allback", id="percent-encoded-path"),
    pytest.param("https://client%2Eexample/callback", id="percent-encoded-host"),
    pytest.param("https://client.example%2Fcallback", id="percent-encoded-slash"),
    pytest.param(
        "https://client.example%40evil.example/callback", id="percent-encoded-at"
    ),
    pytest.param(REDIRECT + "%00", id="percent-encoded-nul"),
    pytest.param("https://client.example\\@evil.example/callback", id="backslash"),
    pytest.param("https://client.example/callback;x=1", id="path-parameter"),
    pytest.param("//client.example/callback", id="scheme-relative"),
    pytest.param("javascript:alert(1)//client.example/callback", id="javascript"),
    pytest.param("http://127.0.0.1:80@evil.example/cb", id="loopback-port-userinfo"),
    pytest.param("http://127.0.0.1.evil.example/cb", id="loopback-suffix-domain"),
    pytest.param("http://localhost/cb", id="loopback-by-name"),
    pytest.param("https://127.0.0.1/cb", id="loopback-scheme-swap"),
    pytest.param("http://127.0.0.1:8080/cb/../evil", id="loopback-path-traversal"),
]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("uri", REDIRECT_BYPASSES)
def test_a_redirect_uri_bypass_is_refused_on_a_page(world, method, uri):
    params = authorize_params(world.application, redirect_uri=uri)

    if method == "GET":
        response = world.browser.get("/authorize", params)
    else:
        response = world.browser.post("/authorize", {**params, "allow": "1"})

    assert response.status_code == 400
    assert _error(response) is None
    assert "Location" not in response
    assert b"did not register" in response.content
    assert not Grant.objects.exists()


@pytest.mark.parametrize(
    "uri",
    [
        pytest.param("http://client.example/callback", id="http-non-loopback"),
        pytest.param("https://evil@client.example/callback", id="userinfo"),
        pytest.param(REDIRECT + "#x", id="fragment"),
        pytest.param("https://client.example/callback;x=1", id="path-parameter"),
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("data:text/html,<script>alert(1)</script>", id="data"),
        pytest.param("//client.example/callback", id="scheme-relative"),
        pytest.param("https://client.example\\@evil.example/cb", id="backslash"),
    ],
)
def test_an_unsafe_redirect_uri_cannot_be_registered(uri):
    response = Client().post(APPS, {"name": "Evil", "redirect_uris": uri})

    assert response.status_code == 400
    assert "redirect_uris" in response.json()
    assert not Application.objects.filter(name="Evil").exists()


# The authorization endpoint ---------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "status", "error"),
    [
        pytest.param(
            {"response_type": "token"}, 302, "unsupported_response_type", id="implicit"
        ),
        pytest.param(
            {"response_type": "code token"},
            302,
            "unsupported_response_type",
            id="hybrid",
        ),
        pytest.param(
            {"code_challenge": "x" * 43, "code_challenge_method": "plain"},
            302,
            "invalid_request",
            id="pkce-plain",
        ),
        pytest.param({"scope": "read admin"}, 302, "invalid_scope", id="unknown-scope"),
        pytest.param(
            {"scope": "read:instance:settings"},
            302,
            "invalid_scope",
            id="staff-scope-for-a-regular-user",
        ),
    ],
)
def test_an_authorization_request_outside_the_profile_is_refused(
    world, changes, status, error
):
    response = world.browser.post(
        "/authorize", {**authorize_params(world.application, **changes), "allow": "1"}
    )

    assert response.status_code == status
    assert _error(response) == error
    assert response["Location"].startswith(REDIRECT + "?")
    assert "code=" not in response["Location"]
    assert not Grant.objects.exists()


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    "name", ["client_id", "redirect_uri", "response_type", "state", "scope"]
)
def test_a_duplicated_authorization_parameter_is_refused_on_a_page(world, method, name):
    pairs = [*authorize_params(world.application).items(), ("allow", "1")]
    pairs.append((name, dict(pairs)[name]))

    if method == "GET":
        query = "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)
        response = world.browser.get("/authorize?" + query)
    else:
        response = _form_post(world.browser, "/authorize", pairs)

    assert response.status_code == 400
    assert _error(response) is None
    assert "Location" not in response
    assert f"repeats the {name} parameter".encode() in response.content
    assert not Grant.objects.exists()


# The token endpoint -------------------------------------------------------------------


def _code_replayed(world):
    code = get_code(world.browser, world.application)
    first = exchange(world.api, world.application, world.secret, code).json()

    replay = exchange(world.api, world.application, world.secret, code)

    assert not _works(first["access_token"])
    return replay


def _code_expired(world):
    code = get_code(world.browser, world.application)
    Grant.objects.update(expires=timezone.now() - timedelta(seconds=1))
    return exchange(world.api, world.application, world.secret, code)


def _code_of_another_client(world):
    code = get_code(world.browser, world.application)
    return exchange(world.api, world.intruder, world.intruder_secret, code)


def _code_with_another_redirect_uri(world):
    code = get_code(world.browser, world.application)
    return exchange(
        world.api, world.application, world.secret, code, redirect_uri=LOOPBACK
    )


def _code_without_its_verifier(world):
    _verifier, challenge = pkce_pair()
    code = get_code(world.browser, world.application, challenge)
    return exchange(world.api, world.application, world.secret, code)


def _code_with_a_wrong_verifier(world):
    _verifier, challenge = pkce_pair()
    other_verifier, _challenge = pkce_pair()
    code = get_code(world.browser, world.application, challenge)
    return exchange(world.api, world.application, world.secret, code, other_verifier)


def _repeated(name):
    def scenario(world):
        code = get_code(world.browser, world.application)
        pairs = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", world.application.client_id),
            ("client_secret", world.secret),
        ]
        pairs.append((name, dict(pairs)[name]))
        return _form_post(world.api, TOKEN, pairs)

    return scenario


def _two_different_codes(world):
    mine = get_code(world.browser, world.application)
    theirs = get_code(world.browser, world.application)
    return _form_post(
        world.api,
        TOKEN,
        [
            ("grant_type", "authorization_code"),
            ("code", mine),
            ("code", theirs),
            ("redirect_uri", REDIRECT),
            ("client_id", world.application.client_id),
            ("client_secret", world.secret),
        ],
    )


def _wrong_client_secret(world):
    code = get_code(world.browser, world.application)
    return exchange(world.api, world.application, "not-the-secret", code)


def _password_grant(world):
    return world.api.post(
        TOKEN,
        {
            "grant_type": "password",
            "username": "alice",
            "password": "correct horse battery staple",
            "client_id": world.application.client_id,
            "client_secret": world.secret,
        },
    )


def _client_credentials_grant(world):
    return world.api.post(
        TOKEN,
        {
            "grant_type": "client_credentials",
            "client_id": world.application.client_id,
            "client_secret": world.secret,
        },
    )


def _refresh_reused_after_rotation(world):
    issued = _issue(world)
    rotated = refresh(
        world.api, world.application, world.secret, issued["refresh_token"]
    ).json()

    reuse = refresh(world.api, world.application, world.secret, issued["refresh_token"])

    # RFC 9700 §4.14.2: the whole family goes, the rotated pair included.
    assert not _works(rotated["access_token"])
    assert (
        refresh(
            world.api, world.application, world.secret, rotated["refresh_token"]
        ).status_code
        == 400
    )
    assert SecurityEvent.objects.filter(kind="refresh_reuse_detected").exists()
    return reuse


def _refresh_of_another_client(world):
    issued = _issue(world)
    response = refresh(
        world.api, world.intruder, world.intruder_secret, issued["refresh_token"]
    )
    assert _works(issued["access_token"])
    return response


def _token_by_get(world):
    return world.api.get(TOKEN, {"grant_type": "authorization_code"})


@pytest.mark.parametrize(
    ("scenario", "status", "error"),
    [
        pytest.param(_code_replayed, 400, "invalid_grant", id="code-replayed"),
        pytest.param(_code_expired, 400, "invalid_grant", id="code-expired"),
        pytest.param(
            _code_of_another_client, 400, "invalid_grant", id="code-of-another-client"
        ),
        pytest.param(
            _code_with_another_redirect_uri,
            400,
            "invalid_request",
            id="code-with-another-redirect-uri",
        ),
        pytest.param(
            _code_without_its_verifier,
            400,
            "invalid_request",
            id="code-without-its-verifier",
        ),
        pytest.param(
            _code_with_a_wrong_verifier,
            400,
            "invalid_grant",
            id="code-with-a-wrong-verifier",
        ),
        pytest.param(_repeated("code"), 400, "invalid_request", id="code-repeated"),
        pytest.param(
            _two_different_codes, 400, "invalid_request", id="two-different-codes"
        ),
        pytest.param(
            _repeated("grant_type"), 400, "invalid_request", id="grant-type-repeated"
        ),
        pytest.param(
            _repeated("client_id"), 400, "invalid_request", id="client-id-repeated"
        ),
        pytest.param(
            _repeated("redirect_uri"),
            400,
            "invalid_request",
            id="redirect-uri-repeated",
        ),
        pytest.param(
            _wrong_client_secret, 401, "invalid_client", id="wrong-client-secret"
        ),
        pytest.param(_password_grant, 400, "unauthorized_client", id="password-grant"),
        pytest.param(
            _client_credentials_grant,
            400,
            "unauthorized_client",
            id="client-credentials-grant",
        ),
        pytest.param(
            _refresh_reused_after_rotation,
            400,
            "invalid_grant",
            id="refresh-reused-after-rotation",
        ),
        pytest.param(
            _refresh_of_another_client,
            400,
            "invalid_grant",
            id="refresh-of-another-client",
        ),
        pytest.param(_token_by_get, 405, None, id="token-by-get"),
    ],
)
def test_a_token_request_attack_is_refused(world, scenario, status, error):
    response = scenario(world)

    assert response.status_code == status, response.content
    assert _error(response) == error
    if status != 405:
        assert response["Cache-Control"] == "no-store"


def _redeem_one_code_at_once(owner, other):
    application, secret = make_application(other)
    browser = Client()
    browser.force_login(owner)
    code = get_code(browser, application)
    return _race(lambda: exchange(Client(), application, secret, code))


def _refresh_one_token_at_once(owner, other):
    application, secret = make_application(other)
    browser = Client()
    browser.force_login(owner)
    issued = exchange(Client(), application, secret, get_code(browser, application))
    refresh_token = issued.json()["refresh_token"]
    return _race(lambda: refresh(Client(), application, secret, refresh_token))


# The same races as tests/test_oauth_concurrency.py, through its helper.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "race",
    [
        pytest.param(_redeem_one_code_at_once, id="code-replayed-concurrently"),
        pytest.param(_refresh_one_token_at_once, id="refresh-reused-concurrently"),
    ],
)
def test_a_concurrent_replay_gives_one_success(owner, other, race):
    statuses = race(owner, other)

    assert sorted(statuses) == [200] + [400] * (RACERS - 1)


# Revocation and introspection ---------------------------------------------------------


def _revoke_another_clients_token(world):
    issued = _issue(world)
    response = world.api.post(
        REVOKE,
        {
            "token": issued["access_token"],
            "client_id": world.intruder.client_id,
            "client_secret": world.intruder_secret,
        },
    )
    # RFC 7009 §2.1: the server answers as for an unknown token and keeps it.
    assert _works(issued["access_token"])
    return response


def _revoke_without_client_authentication(world):
    issued = _issue(world)
    response = world.api.post(REVOKE, {"token": issued["access_token"]})
    assert _works(issued["access_token"])
    return response


def _revoke_with_a_wrong_secret(world):
    issued = _issue(world)
    response = world.api.post(
        REVOKE,
        {
            "token": issued["access_token"],
            "client_id": world.application.client_id,
            "client_secret": "not-the-secret",
        },
    )
    assert _works(issued["access_token"])
    return response


def _introspect_without_client_authentication(world):
    issued = _issue(world)
    response = world.api.post(INTROSPECT, {"token": issued["access_token"]})
    assert b"alice" not in response.content
    return response


def _introspect_another_clients_token(world):
    issued = _issue(world)
    response = world.api.post(
        INTROSPECT,
        {
            "token": issued["access_token"],
            "client_id": world.intruder.client_id,
            "client_secret": world.intruder_secret,
        },
    )
    assert response.json() == {"active": False}
    return response


def _introspect_with_a_repeated_token(world):
    issued = _issue(world)
    return _form_post(
        world.api,
        INTROSPECT,
        [
            ("token", issued["access_token"]),
            ("token", "pod_at_other"),
            ("client_id", world.application.client_id),
            ("client_secret", world.secret),
        ],
    )


@pytest.mark.parametrize(
    ("scenario", "status", "error"),
    [
        pytest.param(
            _revoke_another_clients_token, 200, None, id="revoke-another-clients-token"
        ),
        pytest.param(
            _revoke_without_client_authentication,
            401,
            "invalid_client",
            id="revoke-without-client-authentication",
        ),
        pytest.param(
            _revoke_with_a_wrong_secret,
            401,
            "invalid_client",
            id="revoke-with-a-wrong-secret",
        ),
        pytest.param(
            _introspect_without_client_authentication,
            401,
            "invalid_client",
            id="introspect-without-client-authentication",
        ),
        pytest.param(
            _introspect_another_clients_token,
            200,
            None,
            id="introspect-another-clients-token",
        ),
        pytest.param(
            _introspect_with_a_repeated_token,
            400,
            "invalid_request",
            id="introspect-with-a-repeated-token",
        ),
    ],
)
def test_a_revocation_or_introspection_attack_is_refused(
    world, scenario, status, error
):
    response = scenario(world)

    assert response.status_code == status, response.content
    assert _error(response) == error


# Bearer tokens outside the Authorization header (RFC 6750 §2, RFC 9700 §4.3.2) ------


@pytest.fixture
def personal(owner):
    application, _secret = make_application(
        owner, scope_ids=["read", "write:security", "read:security"]
    )
    _token, raw = services.issue_personal_token(application, owner)
    return application, raw


def _in_query_string(client, application, raw):
    return client.get(ME, {"access_token": raw})


def _in_form_body(client, application, raw):
    return client.post(
        f"{APPS}{application.client_id}/refresh-token", {"access_token": raw}
    )


def _in_json_body(client, application, raw):
    return client.post(
        f"{APPS}{application.client_id}/refresh-token",
        {"access_token": raw},
        content_type="application/json",
    )


def _in_a_cookie(client, application, raw):
    client.cookies["access_token"] = raw
    return client.get(ME)


def _as_basic_credentials(client, application, raw):
    return client.get(ME, HTTP_AUTHORIZATION=f"Basic {raw}")


def _two_bearer_tokens(client, application, raw):
    return client.get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}, Bearer {raw}")


def _bearer_token_twice(client, application, raw):
    return client.get(ME, HTTP_AUTHORIZATION=f"Bearer {raw} {raw}")


def _revoked_token(client, application, raw):
    AccessToken.objects.update(revoked_at=timezone.now())
    return client.get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}")


def _token_of_a_disabled_application(client, application, raw):
    Application.objects.filter(pk=application.pk).update(disabled_at=timezone.now())
    return client.get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}")


def _token_of_an_inactive_user(client, application, raw):
    type(application.user).objects.update(is_active=False)
    return client.get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.mark.parametrize(
    ("attempt", "status", "error"),
    [
        pytest.param(_in_query_string, 401, None, id="access-token-in-query-string"),
        pytest.param(_in_form_body, 401, None, id="access-token-in-form-body"),
        pytest.param(_in_json_body, 401, None, id="access-token-in-json-body"),
        pytest.param(_in_a_cookie, 401, None, id="access-token-in-a-cookie"),
        pytest.param(_as_basic_credentials, 401, None, id="token-as-basic-credentials"),
        pytest.param(
            _two_bearer_tokens, 401, "invalid_request", id="two-bearer-tokens"
        ),
        pytest.param(
            _bearer_token_twice, 401, "invalid_request", id="bearer-token-twice"
        ),
        pytest.param(_revoked_token, 401, "invalid_token", id="revoked-token"),
        pytest.param(
            _token_of_a_disabled_application,
            401,
            "invalid_token",
            id="token-of-a-disabled-application",
        ),
        pytest.param(
            _token_of_an_inactive_user,
            401,
            "invalid_token",
            id="token-of-an-inactive-user",
        ),
    ],
)
def test_a_token_outside_the_authorization_header_is_ignored(
    personal, attempt, status, error
):
    application, raw = personal
    before = AccessToken.objects.count()

    response = attempt(Client(), application, raw)

    assert response.status_code == status
    assert _error(response) == error
    assert response["WWW-Authenticate"].startswith('Bearer realm="api"')
    assert AccessToken.objects.count() == before


# The browser: CSRF, framing, open redirects, markup in names -------------------------


def test_a_consent_post_without_csrf_token_is_refused(world, owner):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)

    response = browser.post(
        "/authorize", {**authorize_params(world.application), "allow": "1"}
    )

    assert response.status_code == 403
    assert _error(response) is None
    assert not Grant.objects.exists()


def test_an_api_post_by_a_session_without_csrf_token_is_refused(owner):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)

    response = browser.post(APPS, {"name": "Forged"})

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Application.objects.filter(name="Forged").exists()


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("consent", id="consent-page"),
        pytest.param("/accounts/login/", id="login-page"),
        pytest.param("/settings/applications/", id="settings-page"),
        pytest.param("/api/v1/docs/", id="api-docs"),
    ],
)
def test_a_page_cannot_be_framed(world, path):
    if path == "consent":
        response = world.browser.get("/authorize", authorize_params(world.application))
    elif path.startswith("/accounts/"):
        response = Client().get(path)
    else:
        response = world.browser.get(path)

    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("https://evil.example/", id="absolute"),
        pytest.param("//evil.example/", id="scheme-relative"),
        pytest.param("/\\evil.example/", id="slash-backslash"),
        pytest.param("\\\\evil.example/", id="backslashes"),
        pytest.param("https:evil.example", id="scheme-without-slashes"),
        pytest.param("http://127.0.0.1:8000@evil.example/", id="userinfo"),
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param(" //evil.example/", id="leading-space"),
    ],
)
@pytest.mark.parametrize("where", ["form", "query"])
def test_sign_in_never_sends_to_another_host(owner, password, target, where):
    data = {"username": owner.username, "password": password}
    if where == "form":
        response = Client().post("/accounts/login/", {**data, "next": target})
    else:
        response = Client().post(f"/accounts/login/?next={quote(target)}", data)

    assert response.status_code == 302
    assert response["Location"] == "/settings/"


@pytest.fixture
def scripted(owner_client):
    """An application named with markup, registered through the API."""
    response = owner_client.post(
        APPS,
        {"name": SCRIPT, "redirect_uris": REDIRECT},
        content_type="application/json",
    )
    assert response.status_code == 201
    return Application.objects.get(client_id=response.json()["client_id"])


def _settings_list(scripted, owner_client, other, admin_client):
    return owner_client.get("/settings/applications/")


def _application_page(scripted, owner_client, other, admin_client):
    return owner_client.get(f"/settings/applications/{scripted.client_id}/")


def _consent_page(scripted, owner_client, other, admin_client):
    browser = Client()
    browser.force_login(other)
    return browser.get("/authorize", authorize_params(scripted))


def _consent_denied_page(scripted, owner_client, other, admin_client):
    scripted.redirect_uris = "urn:ietf:wg:oauth:2.0:oob"
    scripted.save()
    browser = Client()
    browser.force_login(other)
    params = authorize_params(scripted, redirect_uri="urn:ietf:wg:oauth:2.0:oob")
    return browser.post("/authorize", {**params, "deny": "1"})


def _security_log(scripted, owner_client, other, admin_client):
    return owner_client.get("/settings/security/")


def _admin_applications(scripted, owner_client, other, admin_client):
    return admin_client.get("/admin/oauth/application/")


def _admin_application(scripted, owner_client, other, admin_client):
    return admin_client.get(f"/admin/oauth/application/{scripted.pk}/change/")


def _admin_tokens(scripted, owner_client, other, admin_client):
    return admin_client.get("/admin/oauth/accesstoken/")


def _admin_events(scripted, owner_client, other, admin_client):
    return admin_client.get("/admin/audit/securityevent/")


@pytest.mark.parametrize(
    "view",
    [
        pytest.param(_settings_list, id="settings-list"),
        pytest.param(_application_page, id="application-page"),
        pytest.param(_consent_page, id="consent-page"),
        pytest.param(_consent_denied_page, id="consent-denied-page"),
        pytest.param(_security_log, id="security-log"),
        pytest.param(_admin_applications, id="admin-application-list"),
        pytest.param(_admin_application, id="admin-application-page"),
        pytest.param(_admin_tokens, id="admin-token-list"),
        pytest.param(_admin_events, id="admin-event-list"),
    ],
)
def test_markup_in_an_application_name_is_escaped_on_every_page(
    scripted, owner_client, other, admin_client, view
):
    response = view(scripted, owner_client, other, admin_client)

    assert response.status_code == 200
    html = response.content.decode()
    assert SCRIPT not in html
    assert ESCAPED_SCRIPT in html


def test_markup_in_an_application_name_is_returned_raw_as_json(scripted, client):
    response = client.get(f"{APPS}{scripted.client_id}/")

    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["name"] == SCRIPT


# Oversized input ---------------------------------------------------------------------


def _json_body_of_1_mb(client, owner):
    body = json.dumps({"name": "Big", "redirect_uris": "x" * (1024 * 1024)})
    return client.post(APPS, body, content_type="application/json")


def _form_field_of_300_kib(client, owner):
    return client.post(APPS, {"name": "Big", "redirect_uris": "x" * (300 * 1024)})


def _name_of_300_characters(client, owner):
    return client.post(APPS, {"name": "x" * 300}, content_type="application/json")


def _too_many_form_fields(client, owner):
    body = "&".join(f"field{i}=1" for i in range(1500))
    return client.post(APPS, body, content_type="application/x-www-form-urlencoded")


def _too_many_redirect_uris(client, owner):
    uris = " ".join(f"https://client.example/{i}" for i in range(21))
    return client.post(APPS, {"name": "Many", "redirect_uris": uris})


def _redirect_uri_of_3000_characters(client, owner):
    uri = "https://client.example/" + "a" * 3000
    return client.post(APPS, {"name": "Long", "redirect_uris": uri})


def _1_mb_patch(client, owner):
    application, _secret = make_application(owner)
    client.force_login(owner)
    body = json.dumps({"name": "x" * (1024 * 1024)})
    return client.patch(
        f"{APPS}{application.client_id}/", body, content_type="application/json"
    )


def _token_request_of_300_kib(client, owner):
    return client.post(
        TOKEN, {"grant_type": "authorization_code", "code": "x" * 307200}
    )


def _authorization_request_of_100_kb(client, owner):
    client.force_login(owner)
    return client.get("/authorize", {"client_id": "x" * 100_000})


def _authorization_header_of_10_kb(client, owner):
    return client.get(ME, HTTP_AUTHORIZATION="Bearer " + "a" * 10_000)


def _client_id_of_10_kb(client, owner):
    return client.get(f"{APPS}{'a' * 10_000}/")


@pytest.mark.parametrize(
    ("attempt", "status", "error"),
    [
        pytest.param(_json_body_of_1_mb, 413, None, id="json-body-of-1-mb"),
        pytest.param(_form_field_of_300_kib, 413, None, id="form-field-of-300-kib"),
        pytest.param(_1_mb_patch, 413, None, id="json-patch-of-1-mb"),
        pytest.param(_name_of_300_characters, 400, None, id="name-of-300-characters"),
        pytest.param(_too_many_form_fields, 400, None, id="too-many-form-fields"),
        pytest.param(_too_many_redirect_uris, 400, None, id="21-redirect-uris"),
        pytest.param(
            _redirect_uri_of_3000_characters, 400, None, id="redirect-uri-of-3000-chars"
        ),
        pytest.param(
            _token_request_of_300_kib, 400, None, id="token-request-of-300-kib"
        ),
        pytest.param(
            _authorization_request_of_100_kb,
            400,
            None,
            id="authorization-request-of-100-kb",
        ),
        pytest.param(
            _authorization_header_of_10_kb,
            401,
            "invalid_request",
            id="authorization-header-of-10-kb",
        ),
        pytest.param(_client_id_of_10_kb, 404, None, id="client-id-of-10-kb"),
    ],
)
def test_oversized_input_gets_a_clear_client_error(owner, attempt, status, error):
    before = Application.objects.count()

    response = attempt(Client(), owner)

    assert response.status_code == status, response.content[:300]
    assert _error(response) == error
    assert Application.objects.count() <= before + (
        1 if "patch" in attempt.__name__ else 0
    )


def test_an_oversized_api_body_is_answered_in_json(client):
    response = _json_body_of_1_mb(client, None)

    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "The request body is too large."}


def test_a_300_character_name_is_a_field_error(client):
    response = _name_of_300_characters(client, None)

    assert response.json() == {
        "name": ["Ensure this field has no more than 255 characters."]
    }


# Logs --------------------------------------------------------------------------------


@pytest.fixture
def everything_at_debug(caplog):
    names = [
        "",
        "oauthlib",
        "oauth2_provider",
        "django",
        "django.request",
        "django.template",
        "portal",
    ]
    previous = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    yield caplog
    for name, level in previous.items():
        logging.getLogger(name).setLevel(level)


def _revealed(page, field):
    marker = f'id="{field}" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def test_no_secret_reaches_the_logs_from_the_pages_the_api_or_the_admin(
    everything_at_debug, owner_client, owner, admin_client
):
    plaintexts = []

    # The settings pages: register, reveal, regenerate both secrets.
    response = owner_client.post(
        "/settings/applications/new",
        {
            "name": "Logged",
            "redirect_uris": REDIRECT,
            "scopes": ["read", "write:security"],
            "token_expiry": "never",
        },
    )
    detail = response["Location"]
    page = owner_client.get(detail).content.decode()
    plaintexts += [_revealed(page, "personal-token"), _revealed(page, "client-secret")]
    owner_client.post(detail + "regenerate-token", {"confirmed": "1"})
    owner_client.post(detail + "regenerate-secret", {"confirmed": "1"})
    page = owner_client.get(detail).content.decode()
    plaintexts += [_revealed(page, "personal-token"), _revealed(page, "client-secret")]

    # The API: register with a token, re-issue it, use it, use a wrong one.
    created = owner_client.post(
        APPS,
        {"name": "Logged API", "redirect_uris": REDIRECT, "scopes": "read write"},
        content_type="application/json",
    ).json()
    plaintexts += [created["client_secret"], created["token"]]
    reissued = owner_client.post(f"{APPS}{created['client_id']}/refresh-token").json()
    plaintexts.append(reissued["token"])
    Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {reissued['token']}")
    Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {created['token']}")
    Client().post(APPS, json.dumps({"name": "x" * 300}), "application/json")

    # The admin: revoke a token, revoke every token of an application.
    application = Application.objects.get(client_id=created["client_id"])
    token = AccessToken.objects.filter(revoked_at__isnull=True).first()
    admin_client.post(
        "/admin/oauth/accesstoken/",
        {"action": "revoke_tokens", "_selected_action": [str(token.pk)]},
    )
    admin_client.post(
        "/admin/oauth/application/",
        {"action": "revoke_all_tokens", "_selected_action": [str(application.pk)]},
    )
    admin_client.get("/admin/oauth/accesstoken/")

    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {record.__dict__!r}"
        for record in everything_at_debug.records
    )
    assert len(plaintexts) == 7 and all(plaintexts)
    assert everything_at_debug.records
    for plaintext in plaintexts:
        assert plaintext not in logged
