import base64
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from portal.audit.models import SecurityEvent
from portal.oauth.bearer import find_live_token
from portal.oauth.models import AccessToken, Grant, RefreshToken
from tests.oauth_helpers import (
    REDIRECT,
    exchange,
    get_code,
    make_application,
    pkce_pair,
    refresh,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def app_and_secret(other):
    return make_application(other, scope_ids=["read", "write:profile"])


@pytest.fixture
def api():
    return Client()


def _works(raw):
    return find_live_token(raw) is not None


def test_a_code_is_exchanged_for_prefixed_tokens(owner_client, app_and_secret, api):
    application, secret = app_and_secret
    verifier, challenge = pkce_pair()
    code = get_code(owner_client, application, challenge)

    response = exchange(api, application, secret, code, verifier)

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 36000
    assert body["access_token"].startswith("pod_at_")
    assert body["refresh_token"].startswith("pod_rt_")
    assert "read:profile" in body["scope"].split()
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"
    assert _works(body["access_token"])
    assert SecurityEvent.objects.filter(kind="token_issued_by_code").count() == 1


def test_http_basic_client_authentication_works(owner_client, app_and_secret, api):
    application, secret = app_and_secret
    code = get_code(owner_client, application)
    credentials = base64.b64encode(f"{application.client_id}:{secret}".encode())

    response = api.post(
        "/api/v1/oauth/token",
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        HTTP_AUTHORIZATION="Basic " + credentials.decode(),
    )

    assert response.status_code == 200


def test_a_wrong_client_secret_is_refused(owner_client, app_and_secret, api):
    application, _secret = app_and_secret
    code = get_code(owner_client, application)

    response = exchange(api, application, "wrong", code)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_the_access_token_lifetime_is_configurable(
    owner_client, app_and_secret, api, settings
):
    from oauth2_provider.settings import oauth2_settings

    application, secret = app_and_secret
    code = get_code(owner_client, application)
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "ACCESS_TOKEN_EXPIRE_SECONDS": 600,
    }
    try:
        response = exchange(api, application, secret, code)
    finally:
        oauth2_settings.reload()

    assert response.json()["expires_in"] == 600


class TestCodes:
    def test_a_code_works_once_and_a_replay_revokes_what_it_issued(
        self, owner_client, app_and_secret, api
    ):
        application, secret = app_and_secret
        code = get_code(owner_client, application)
        first = exchange(api, application, secret, code).json()

        replay = exchange(api, application, secret, code)

        assert replay.status_code == 400
        assert replay.json()["error"] == "invalid_grant"
        assert not _works(first["access_token"])
        assert (
            refresh(api, application, secret, first["refresh_token"]).status_code == 400
        )
        assert SecurityEvent.objects.filter(kind="code_replayed").count() == 1

    def test_an_expired_code_is_refused(self, owner_client, app_and_secret, api):
        application, secret = app_and_secret
        code = get_code(owner_client, application)
        Grant.objects.update(expires=timezone.now() - timedelta(seconds=1))

        response = exchange(api, application, secret, code)

        assert response.json()["error"] == "invalid_grant"

    def test_codes_live_at_most_five_minutes(self, owner_client, app_and_secret):
        application, _secret = app_and_secret
        before = timezone.now()
        get_code(owner_client, application)

        assert Grant.objects.get().expires <= before + timedelta(minutes=5, seconds=1)

    def test_a_code_of_another_client_is_refused(
        self, owner_client, app_and_secret, api, other
    ):
        application, _secret = app_and_secret
        intruder, intruder_secret = make_application(other)
        code = get_code(owner_client, application)

        response = exchange(api, intruder, intruder_secret, code)

        assert response.json()["error"] == "invalid_grant"
        assert not AccessToken.objects.exists()

    def test_the_redirect_uri_must_be_the_one_of_the_authorization(
        self, owner_client, other, api
    ):
        application, secret = make_application(
            other, redirect_uris=[REDIRECT, "https://client.example/other"]
        )
        code = get_code(owner_client, application)

        response = exchange(
            api, application, secret, code, redirect_uri="https://client.example/other"
        )

        assert response.status_code == 400
        assert not AccessToken.objects.exists()

    def test_an_unknown_code_is_refused(self, app_and_secret, api):
        application, secret = app_and_secret

        response = exchange(api, application, secret, "not-a-code")

        assert response.json()["error"] == "invalid_grant"


class TestPKCE:
    def test_the_right_verifier_is_accepted(self, owner_client, app_and_secret, api):
        application, secret = app_and_secret
        verifier, challenge = pkce_pair()
        code = get_code(owner_client, application, challenge)

        assert exchange(api, application, secret, code, verifier).status_code == 200

    @pytest.mark.parametrize(
        "verifier",
        [
            None,
            "a" * 43,
            "short",
            "a" * 129,
            "invalid characters!" + "a" * 40,
        ],
    )
    def test_a_missing_wrong_or_malformed_verifier_is_refused(
        self, owner_client, app_and_secret, api, verifier
    ):
        application, secret = app_and_secret
        _good, challenge = pkce_pair()
        code = get_code(owner_client, application, challenge)

        response = exchange(api, application, secret, code, verifier)

        assert response.status_code in (400, 401)
        assert response.json()["error"] in ("invalid_grant", "invalid_request")
        assert not AccessToken.objects.exists()

    def test_a_verifier_without_a_challenge_is_refused(
        self, owner_client, app_and_secret, api
    ):
        application, secret = app_and_secret
        verifier, _challenge = pkce_pair()
        code = get_code(owner_client, application)

        response = exchange(api, application, secret, code, verifier)

        assert response.json()["error"] == "invalid_grant"

    def test_a_public_client_without_secret_uses_pkce(self, owner_client, other, api):
        application, _secret = make_application(other)
        application.client_type = application.CLIENT_PUBLIC
        application.save()
        verifier, challenge = pkce_pair()
        code = get_code(owner_client, application, challenge)

        response = api.post(
            "/api/v1/oauth/token/",
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "client_id": application.client_id,
                "code_verifier": verifier,
            },
        )

        assert response.status_code == 200


class TestRefresh:
    @pytest.fixture
    def issued(self, owner_client, app_and_secret, api):
        application, secret = app_and_secret
        code = get_code(owner_client, application)
        return exchange(api, application, secret, code).json()

    def test_refresh_rotates_both_tokens(self, app_and_secret, api, issued):
        application, secret = app_and_secret

        response = refresh(api, application, secret, issued["refresh_token"])

        body = response.json()
        assert response.status_code == 200
        assert body["refresh_token"] != issued["refresh_token"]
        assert body["scope"] == issued["scope"]
        assert _works(body["access_token"])
        assert not _works(issued["access_token"])
        assert SecurityEvent.objects.filter(kind="token_issued_by_refresh").count() == 1

    def test_reusing_a_rotated_refresh_token_revokes_the_family(
        self, app_and_secret, api, issued, owner
    ):
        application, secret = app_and_secret
        rotated = refresh(api, application, secret, issued["refresh_token"]).json()

        reuse = refresh(api, application, secret, issued["refresh_token"])

        assert reuse.json()["error"] == "invalid_grant"
        assert not _works(rotated["access_token"])
        assert (
            refresh(api, application, secret, rotated["refresh_token"]).status_code
            == 400
        )
        assert not RefreshToken.objects.filter(revoked__isnull=True).exists()
        event = SecurityEvent.objects.get(kind="refresh_reuse_detected")
        assert event.user == owner

    def test_another_client_cannot_use_the_refresh_token(
        self, api, issued, other, app_and_secret
    ):
        intruder, intruder_secret = make_application(other)

        response = refresh(api, intruder, intruder_secret, issued["refresh_token"])

        assert response.json()["error"] == "invalid_grant"
        application, secret = app_and_secret
        assert (
            refresh(api, application, secret, issued["refresh_token"]).status_code
            == 200
        )

    def test_refresh_may_narrow_but_not_widen_scopes(self, app_and_secret, api, issued):
        application, secret = app_and_secret

        wider = api.post(
            "/api/v1/oauth/token/",
            {
                "grant_type": "refresh_token",
                "refresh_token": issued["refresh_token"],
                "client_id": application.client_id,
                "client_secret": secret,
                "scope": "write:favorites",
            },
        )

        assert wider.json()["error"] == "invalid_scope"

    def test_a_revoked_user_authorization_stops_refresh(
        self, app_and_secret, api, issued, owner
    ):
        from portal.oauth import services

        application, secret = app_and_secret
        services.revoke_authorization(owner, application, actor=owner)

        response = refresh(api, application, secret, issued["refresh_token"])

        assert response.json()["error"] == "invalid_grant"


def test_an_expired_access_token_is_not_usable(owner_client, app_and_secret, api):
    application, secret = app_and_secret
    body = exchange(
        api, application, secret, get_code(owner_client, application)
    ).json()
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))

    assert not _works(body["access_token"])


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"grant_type": "password", "username": "alice", "password": "x"},
        {"grant_type": "client_credentials"},
        {"grant_type": "implicit"},
        {"grant_type": "authorization_code"},
        {"grant_type": "refresh_token"},
        {"grant_type": "authorization_code", "code": "\x00"},
    ],
)
def test_bad_token_requests_get_a_clear_4xx(app_and_secret, api, data):
    application, secret = app_and_secret

    response = api.post(
        "/api/v1/oauth/token/",
        {**data, "client_id": application.client_id, "client_secret": secret},
    )

    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_the_token_endpoint_refuses_get(api):
    assert api.get("/api/v1/oauth/token/").status_code == 405
